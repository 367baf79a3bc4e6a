"""Phone numbers and dates: the digit strings whose shape, not their value, says how to read them.

These run before plain numbers, so "20/01/2026" becomes a date and "0912 345 678" a phone number
before anything could read them as quantities. A "d/m" is a date only with a date context (a word
such as "ngày", "từ", "hạn" before it, or nothing that makes it a count after it); fractions and
ratios are decided in `rules_fractions` and the number rules. "ngày" is said before a date only
where the text has a plain word before it ("Hạn chót 31/3" → "Hạn chót ngày ba mươi mốt tháng ba"):
after "từ", "đến", "sáng"… or at the start of a line the month word already makes it a date.
"""

from __future__ import annotations

import re

from loa114.content.speech.engine import Hit, Pass
from loa114.content.speech.lexicon import (
    COUNTING_WORDS,
    DATE_CUES,
    RATIO_CUES,
    word_after,
    word_before,
    word_set,
)
from loa114.content.speech.numbers import digits_to_words, month_to_words, number_to_words
from loa114.content.speech.rules_fractions import make_passes as fraction_passes
from loa114.content.speech.rules_time import make_passes as time_passes
from loa114.content.speech.starts import DIGIT, starts

PHONE = re.compile(
    r"(?=[0-9+])(?<![0-9+.,/:])(?:(?P<cc>\+84|\+[1-9][0-9]{0,2}(?=[ .-]))[ .-]?|(?P<zero>0)[ ]?)"
    r"(?P<rest>[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,3})(?![0-9]|[.,/:-][0-9])"
)
SERVICE_NUMBER = re.compile(
    r"(?=[0-9])(?<![0-9.,])(?P<p>1[89]00)[ .]?(?P<q>[0-9]{4}(?:[0-9]{2})?)(?![0-9]|[.,][0-9])"
)
DATE_FULL = re.compile(
    r"(?=[0-9])(?<![0-9./-])(?:(?P<d>[0-9]{1,2})(?P<s>[ \t]*[/-][ \t]*|\.)(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4})"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2}))(?![0-9]|[/.-][0-9])"
)
DATE_RANGE = re.compile(
    r"(?=[0-9])(?<![0-9./,-])(?P<d1>[0-9]{1,2})[ \t]*[-–][ \t]*(?P<d2>[0-9]{1,2})/(?P<m>[0-9]{1,2})(?:/(?P<y>[0-9]{4}))?(?![0-9]|[/.,][0-9])"
)
MONTH_YEAR_RANGE = re.compile(
    r"(?=[0-9])(?<![0-9/.,-])(?P<m1>[0-9]{1,2})/(?P<y1>[0-9]{4})[ \t]*[-–][ \t]*(?P<m2>[0-9]{1,2})/(?P<y2>[0-9]{4})(?![0-9]|[/.,][0-9])"
)
MONTH_RANGE = re.compile(
    r"(?=[0-9])(?<![0-9/.,-])(?P<m1>[0-9]{1,2})[ \t]*[-–][ \t]*(?P<m2>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9]|[/.,][0-9])"
)
MONTH_YEAR = re.compile(r"(?=[0-9])(?<![0-9/.,-])(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9]|[/.,][0-9])")
DAY_MONTH = re.compile(r"(?=[0-9])(?<![0-9/.,-])(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})(?![0-9]|[/.,-][0-9])")
# "đêm 29-12": a hyphen makes a date only right after a part of the day ("ngày 5-7" is days 5 to 7).
DAY_MONTH_DASH = re.compile(
    r"(?=[0-9])(?<![0-9/.,-])(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})(?![0-9]|[/.,-][0-9])"
)
PHONE_START = starts("0-9+", before="[0-9+.,/:]")
_DASH_DATE_CUES = word_set("đêm sáng chiều tối trưa hôm rạng")


def _phone(m: re.Match[str]) -> Hit | None:
    rest = m.group("rest")
    digits = re.sub(r"[^0-9]", "", rest)
    if m.group("cc"):
        if not (8 <= len(digits) <= 10 if m.group("cc") == "+84" else 6 <= len(digits) <= 12):
            return None
        head = "cộng " + digits_to_words(m.group("cc"))
    else:
        shortest = 8 if m.group(0)[1:2] == " " else 9  # "0 24 24 24 24": written as a phone number
        if not shortest <= len(digits) <= 10:
            return None
        head = ""
        digits = "0" + digits
        rest = "0" + (" " if shortest == 8 else "") + rest
    groups = re.split(r"[ .-]", rest) if re.search(r"[ .-]", rest) else _default_groups(digits)
    spoken = ", ".join(filter(None, [head, *(digits_to_words(g) for g in groups)]))
    return spoken, "phone"


def _default_groups(digits: str) -> list[str]:
    if len(digits) == 11:
        return [digits[:4], digits[4:8], digits[8:]]
    if len(digits) == 10:
        return [digits[:4], digits[4:7], digits[7:]]
    return [digits[i : i + 3] for i in range(0, len(digits), 3)]


def _service(m: re.Match[str]) -> Hit:
    q = m.group("q")
    groups = [m.group("p"), q[:3], q[3:]] if len(q) == 6 else [m.group("p"), q]
    return ", ".join(digits_to_words(g) for g in groups), "phone"


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(d: int, mo: int) -> bool:
    return 1 <= mo <= 12 and 1 <= d <= _MONTH_DAYS[mo - 1]


def _prefix(m: re.Match[str], word: str, *also: str) -> str:
    """ "tháng " unless the text already says it right before the match."""
    before = word_before(m.string, m.start())
    return "" if before in (word, *also) else word + " "


def _day_prefix(m: re.Match[str]) -> str:
    """ "ngày " after a plain word ("Hạn chót 31/3"); nothing after a date cue or at a line start."""
    before = word_before(m.string, m.start())
    return "ngày " if before and before not in DATE_CUES and before not in ("mùng", "mồng") else ""


class _Dates:
    """The date readers of one dialect (each returns the spoken words and the rule, or None to pass)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect

    def num(self, raw: str) -> str:
        return number_to_words(int(raw), self.dialect)

    def date_words(self, d: str, mo: str, y: str | None) -> str:
        words = f"{self.num(d)} tháng {month_to_words(int(mo), self.dialect)}"
        return f"{words} năm {self.num(y)}" if y else words

    def full_date(self, m: re.Match[str]) -> Hit | None:
        d, mo, y = m.group("d", "m", "y") if m.group("d") else m.group("id", "im", "iy")
        if not _valid_date(int(d), int(mo)):  # not a date: read the parts as written
            return " trên ".join(self.num(part) for part in (d, mo, y)), "ratio"
        return _day_prefix(m) + self.date_words(d, mo, y), "date"

    def date_range(self, m: re.Match[str]) -> Hit | None:
        d1, d2, mo, y = m.group("d1", "d2", "m", "y")
        if not (_valid_date(int(d1), int(mo)) and _valid_date(int(d2), int(mo))):
            return None
        return f"{_day_prefix(m)}{self.num(d1)} đến {self.date_words(d2, mo, y)}", "date"

    def month_year(self, m: re.Match[str]) -> Hit | None:
        if not 1 <= int(m.group("m")) <= 12:
            return None
        spoken = f"{_prefix(m, 'tháng')}{month_to_words(int(m.group('m')), self.dialect)} năm {self.num(m.group('y'))}"
        return spoken, "date"

    def day_month(self, m: re.Match[str]) -> Hit | None:
        d, mo = int(m.group("d")), int(m.group("m"))
        if not _valid_date(d, mo):
            return None
        before = word_before(m.string, m.start())
        if (d, mo) == (24, 7) and before not in DATE_CUES:
            return None  # "trực 24/7": round the clock
        if before not in DATE_CUES and (
            before in RATIO_CUES or word_after(m.string, m.end()) in COUNTING_WORDS
        ):
            return None  # a ratio: left to the number rules ("10/12 thôn")
        return _day_prefix(m) + self.date_words(m.group("d"), m.group("m"), None), "date"

    def day_month_dash(self, m: re.Match[str]) -> Hit | None:
        d, mo = int(m.group("d")), int(m.group("m"))
        if not _valid_date(d, mo) or word_before(m.string, m.start()) not in _DASH_DATE_CUES:
            return None
        if word_after(m.string, m.end()) in COUNTING_WORDS:
            return None  # "ngày 10-12 tháng 3": a range of days
        return self.date_words(m.group("d"), m.group("m"), None), "date"

    def month_year_range(self, m: re.Match[str]) -> Hit | None:
        m1, y1, m2, y2 = m.group("m1", "y1", "m2", "y2")
        if not (1 <= int(m1) <= 12 and 1 <= int(m2) <= 12):
            return None
        first = f"{_prefix(m, 'tháng')}{month_to_words(int(m1), self.dialect)} năm {self.num(y1)}"
        return f"{first} đến tháng {month_to_words(int(m2), self.dialect)} năm {self.num(y2)}", "date"

    def month_range(self, m: re.Match[str]) -> Hit | None:
        m1, m2, y = m.group("m1", "m2", "y")
        if not (1 <= int(m1) <= 12 and 1 <= int(m2) <= 12 and int(m1) < int(m2)):
            return None
        first = f"{_prefix(m, 'tháng')}{month_to_words(int(m1), self.dialect)}"
        return f"{first} đến tháng {month_to_words(int(m2), self.dialect)} năm {self.num(y)}", "date"


def make_passes(dialect: str) -> list[Pass]:
    """The phone and date rule families for one dialect (fractions among them), in the order they run."""
    dates = _Dates(dialect)
    return [
        Pass(PHONE, _phone, PHONE_START),
        Pass(SERVICE_NUMBER, _service, DIGIT),
        Pass(DATE_FULL, dates.full_date, DIGIT),
        Pass(DATE_RANGE, dates.date_range, DIGIT),
        Pass(MONTH_YEAR_RANGE, dates.month_year_range, DIGIT),
        Pass(MONTH_RANGE, dates.month_range, DIGIT),
        Pass(MONTH_YEAR, dates.month_year, DIGIT),
        *time_passes(dialect),
        *fraction_passes(dialect),
        Pass(DAY_MONTH, dates.day_month, DIGIT),
        Pass(DAY_MONTH_DASH, dates.day_month_dash, DIGIT),
    ]
