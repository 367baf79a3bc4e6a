"""Cardinal numbers as a Vietnamese announcer reads them, in both dialects."""

from __future__ import annotations

import pytest

from loa114.content.speech import SpeechError, number_to_words

NORTH = [
    (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (9, "chín"), (10, "mười"), (11, "mười một"),
    (14, "mười bốn"), (15, "mười lăm"), (19, "mười chín"), (20, "hai mươi"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (25, "hai mươi lăm"), (31, "ba mươi mốt"), (44, "bốn mươi tư"),
    (55, "năm mươi lăm"), (85, "tám mươi lăm"), (99, "chín mươi chín"), (100, "một trăm"),
    (101, "một trăm linh một"), (104, "một trăm linh bốn"), (105, "một trăm linh năm"),
    (110, "một trăm mười"), (111, "một trăm mười một"), (114, "một trăm mười bốn"),
    (115, "một trăm mười lăm"), (121, "một trăm hai mươi mốt"), (205, "hai trăm linh năm"),
    (999, "chín trăm chín mươi chín"), (1000, "một nghìn"), (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"), (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"), (1022, "một nghìn không trăm hai mươi hai"),
    (1100, "một nghìn một trăm"), (1250, "một nghìn hai trăm năm mươi"),
    (2024, "hai nghìn không trăm hai mươi tư"), (2025, "hai nghìn không trăm hai mươi lăm"),
    (2026, "hai nghìn không trăm hai mươi sáu"), (10000, "mười nghìn"),
    (15000, "mười lăm nghìn"), (21000, "hai mươi mốt nghìn"), (100000, "một trăm nghìn"),
    (105000, "một trăm linh năm nghìn"), (1000000, "một triệu"),
    (1000005, "một triệu không trăm linh năm"), (1050000, "một triệu không trăm năm mươi nghìn"),
    (2500000, "hai triệu năm trăm nghìn"), (1000000000, "một tỷ"),
    (1000000001, "một tỷ không trăm linh một"), (3200000000, "ba tỷ hai trăm triệu"),
    (10**12, "một nghìn tỷ"), (10**15, "một triệu tỷ"),
    (1234567890123, "một nghìn hai trăm ba mươi tư tỷ năm trăm sáu mươi bảy triệu tám trăm chín mươi nghìn một trăm hai mươi ba"),
]  # fmt: skip

SOUTH = [
    (4, "bốn"), (14, "mười bốn"), (21, "hai mươi mốt"), (24, "hai mươi bốn"), (25, "hai mươi lăm"),
    (105, "một trăm lẻ năm"), (1000, "một ngàn"), (1005, "một ngàn không trăm lẻ năm"),
    (2024, "hai ngàn không trăm hai mươi bốn"), (2026, "hai ngàn không trăm hai mươi sáu"),
    (1250, "một ngàn hai trăm năm mươi"), (1000005, "một triệu không trăm lẻ năm"),
    (10**12, "một ngàn tỷ"), (34, "ba mươi bốn"), (115, "một trăm mười lăm"), (1022, "một ngàn không trăm hai mươi hai"),
]  # fmt: skip


@pytest.mark.parametrize(("n", "words"), NORTH)
def test_north(n: int, words: str) -> None:
    assert number_to_words(n) == words


@pytest.mark.parametrize(("n", "words"), SOUTH)
def test_south(n: int, words: str) -> None:
    assert number_to_words(n, "south") == words


def test_negative_numbers_are_read_with_am() -> None:
    assert number_to_words(-5) == "âm năm"


@pytest.mark.parametrize("bad", [1.5, "12", True, None])
def test_non_integers_are_a_programmer_error(bad: object) -> None:
    with pytest.raises(SpeechError):
        number_to_words(bad)  # type: ignore[arg-type]


def test_unknown_dialect_is_a_programmer_error() -> None:
    with pytest.raises(SpeechError) as info:
        number_to_words(5, "central")
    assert info.value.field == "dialect"
