"""Fractions: "1/2 số hộ" → "một phần hai số hộ", "3/4m" → "ba phần tư mét", "23 1/5" → "hai mươi ba và
một phần năm".

A "d/m" was read as a date everywhere; a clerk writing "1/2 số hộ chưa cài đặt" heard "ngày một tháng
hai". A slash number is a fraction when a unit follows it, or a noun that measures a share of a whole
(số, diện tích, dân số, tổng, thời gian…), and a small proper fraction after a whole number is a mixed
number, read as the schoolbook does ("hai và một phần ba"). After a date word ("ngày", "từ", "hạn"…)
it stays a date; before a counted noun ("32/71 hộ") it stays a ratio, read by the number rules.
"""

from __future__ import annotations

import re

from loa114.content.speech.engine import Hit, Pass
from loa114.content.speech.lexicon import DATE_CUES, word_after, word_before, word_set
from loa114.content.speech.numbers import number_to_words
from loa114.content.speech.starts import DIGIT
from loa114.content.speech.units import UNIT_ALTERNATION, unit_words

# First word after the fraction that makes it a share of a whole.
SHARE_WORDS: frozenset[str] = word_set(
    "số diện dân tổng lượng quãng chiều thời khối phần trong cả toàn quỹ kinh chi giá sản công dung "
    "khối quân đàn đất",
)
FRACTION = re.compile(
    r"(?=[0-9])(?<![0-9/.,-])(?P<n>[0-9]{1,3})/(?P<d>[0-9]{1,3})"
    rf"(?:[ \t]?(?P<unit>(?:{UNIT_ALTERNATION})(?![^\W_]|[²³])))?(?![0-9]|[/.,-][0-9])"
)
MIXED = re.compile(
    r"(?=[0-9])(?<![0-9/.,:-])(?P<w>[0-9]{1,3})[ \t]+(?P<n>[0-9]{1,2})/(?P<d>[0-9]{1,2})(?![0-9]|[/.,-][0-9])"
)


def make_passes(dialect: str) -> list[Pass]:
    """The fraction rules for one dialect; they run after full dates and before day/month dates."""

    def words(n: str, d: str) -> str:
        denominator = "tư" if int(d) == 4 else number_to_words(int(d), dialect)
        return f"{number_to_words(int(n), dialect)} phần {denominator}"

    def fraction(m: re.Match[str]) -> Hit | None:
        n, d, unit = m.group("n", "d", "unit")
        if int(d) < 2 or int(n) < 1 or word_before(m.string, m.start()) in DATE_CUES:
            return None
        if unit is not None:
            return f"{words(n, d)} {unit_words(unit)}", "fraction"
        if word_after(m.string, m.end()) in SHARE_WORDS:
            return words(n, d), "fraction"
        return None

    def mixed(m: re.Match[str]) -> Hit | None:
        w, n, d = m.group("w", "n", "d")
        if not 1 <= int(n) < int(d) <= 20 or word_before(m.string, m.start()) in DATE_CUES:
            return None
        return f"{number_to_words(int(w), dialect)} và {words(n, d)}", "fraction"

    return [Pass(MIXED, mixed, DIGIT), Pass(FRACTION, fraction, DIGIT)]
