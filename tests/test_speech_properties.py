"""Properties of the normaliser over arbitrary text: it never raises, it is idempotent, its output is
NFC with no digit left for a voice to guess at, and number words parse back to their value."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loa114.content.speech import make_settings, normalize, number_to_words

SETTINGS = make_settings(protected_names=["Nà Pàn", "Lợi Bác", "Khu 3"], hotlines=["1900"])
SOUTH = make_settings(dialect="south")

# Text built from the pieces rules care about, so that random strings actually reach the rules.
PIECES = st.sampled_from(
    [
        "114", "1022", "0912 345 678", "0912345678", "+84 912 345 678", "1900 1234", "20/01/2026",
        "10/2", "32/71", "5-7", "7h-9h", "17h30", "05:30", "5 giờ 30", "85,3%", "1.250", "12,5", "01",
        "thứ 4", "tháng 4", "UBND", "PCCC&CNCH", "PC07", "431/CAT-PC07", "Đ/c", "v.v...", "…", "...", "- ",
        "+ ", " – ", "/", "km", "m²", "°C", "đ", "VNĐ", "[ngừng]", "[ngừng 1,5 giây]", "[ngưng 2s]",
        "Nà Pàn", "NÀ PÀN", "Khu 3", "gọi", "số", "hộ", "người", "ngày", "Báo cháy", "“", "”", "(", ")",
        "IV.", "\n", " ", ",", ".", ";", ":", "!", "?", "GPS", "A", "B", "Y tế", "-5°C", "1,2,3", "1.2.3",
        "220V", "16A", "2kW", "50hz", "25°c", "10$", "$50", "₫", "10 usd", "1tr2", "10k", "1.5 triệu",
        "1,234,567", "2,342.08", "1/2 số hộ", "3/4m", "23 1/5", "thế kỉ XXI", "MCMXCIX", "phụ lục", "3-5kg",
        "50%-70%", "4-2-3-1", "U23", "5p", "7h15p", "9h2m2s", "24g", "T7", "T2-T6", "CN", "TP.", "Q.1",
        "h. ", "x.", "a@b.com", "congan.loibac@gmail.com", "https://baochay114.bocongan.gov.vn",
        "www.", ".gov.vn", "Zalo", "iPhone", "CH Play", "App Store", "QR", "Wi-Fi", "4G", "5g", "đêm 29-12",
    ]
)  # fmt: skip
MIXED = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=25).map("".join)
DIGIT_OUTSIDE = re.compile(r"[0-9]")
# Symbols a voice would skip or spell: units, currencies and address marks must become words.
UNREAD_SYMBOL = re.compile(r"[$€₫°%@℃℉]")
KEPT = re.compile(r"\[ngừng(?: [0-9,]+ giây)?\]|Khu 3")

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_never_raises_and_is_idempotent_on_arbitrary_unicode(text: str) -> None:
    once = normalize(text, SETTINGS)
    assert normalize(once, SETTINGS) == once


@FAST
@given(MIXED)
def test_idempotent_on_rule_heavy_text(text: str) -> None:
    once = normalize(text, SETTINGS)
    assert normalize(once, SETTINGS) == once
    south = normalize(text, SOUTH)
    assert normalize(south, SOUTH) == south


@FAST
@given(MIXED)
def test_output_is_nfc_and_has_no_ascii_digits_left(text: str) -> None:
    out = normalize(text, SETTINGS)
    assert unicodedata.is_normalized("NFC", out)
    assert not DIGIT_OUTSIDE.search(KEPT.sub("", out)), out


@FAST
@given(MIXED)
def test_no_digit_or_symbol_is_left_unread(text: str) -> None:
    for speech in (SETTINGS, SOUTH):
        out = normalize(text, speech)
        left = KEPT.sub("", out)
        assert not DIGIT_OUTSIDE.search(left), out
        assert not UNREAD_SYMBOL.search(left), out


@FAST
@given(MIXED)
def test_nfd_input_reads_like_nfc_input(text: str) -> None:
    assert normalize(unicodedata.normalize("NFD", text), SETTINGS) == normalize(
        unicodedata.normalize("NFC", text), SETTINGS
    )


# --- an independent words-to-number parser -------------------------------------------------------

_DIGIT = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5}
_DIGIT |= {"sáu": 6, "bảy": 7, "tám": 8, "chín": 9}


def parse_vietnamese_number(words: str) -> int:
    """Standard accumulate-by-scale parser; knows nothing of how the words were produced."""
    total = section = group = pending = 0
    for word in words.split():
        if word in _DIGIT:
            pending = _DIGIT[word]
        elif word == "mười":
            group += 10
        elif word == "mươi":
            group += pending * 10
            pending = 0
        elif word == "trăm":
            group += pending * 100
            pending = 0
        elif word in ("linh", "lẻ"):
            continue
        elif word in ("nghìn", "ngàn"):
            section += (group + pending) * 1000
            group = pending = 0
        elif word == "triệu":
            section += (group + pending) * 1_000_000
            group = pending = 0
        elif word == "tỷ":
            total = (total + section + group + pending) * 1_000_000_000
            section = group = pending = 0
        else:
            raise AssertionError(f"unexpected word {word!r} in {words!r}")
    return total + section + group + pending


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(["north", "south"]))
def test_number_words_parse_back(n: int, dialect: str) -> None:
    words = number_to_words(n, dialect)
    assert parse_vietnamese_number(words) == n
    assert "mươi một" not in words and "mươi năm" not in words and "mười năm" not in words
    if dialect == "north":
        assert "ngàn" not in words and " lẻ " not in f" {words} " and "mươi bốn" not in words
    else:
        assert "nghìn" not in words and "linh" not in words and "mươi tư" not in words


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_numbers_in_text_read_as_their_value(n: int) -> None:
    written = f"{n:,}".replace(",", ".")  # Vietnamese thousands dots
    assert parse_vietnamese_number(normalize(f"{written} hộ").removesuffix(" hộ")) == n


@pytest.mark.parametrize(
    "text",
    [
        "A-A0a",
        "Số: 12/KH-UBND",
        "X-Y1z 114",
        "114Nà Pàn-0",
        "85,3%Khu 3",
        "114Nà Pàn-5°C",
        "Nà Pàn-Bản",
        "&Nà Pàn",
        ",Nà Pàn",
        "114Khu 3Nà Pàn",
        "Khu 3+84 912 345 678",
    ],
)
def test_idempotent_regressions(text: str) -> None:
    """Cases hypothesis once found: text glued to digits or to a protected name reads the same on every pass."""
    once = normalize(text, SETTINGS)
    assert normalize(once, SETTINGS) == once


def test_a_dot_that_starts_a_word_is_not_glued_to_the_word_before() -> None:
    """Found by hypothesis: "0122 .COM" read "… hai hai.COM", which a second pass read as an address."""
    once = normalize("0122 .COM", SETTINGS)
    assert normalize(once, SETTINGS) == once and "hai.COM" not in once
    assert normalize("Gọi 114 .", SETTINGS) == normalize("Gọi 114.", SETTINGS)
