"""Phone numbers, dates and times: the digit strings whose shape, not their value, says how to read them.

These run before plain numbers, so "20/01/2026" becomes a date and "0912 345 678" a phone number
before anything could read them as quantities.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from content.speech.engine import Handler, Hit
from content.speech.lexicon import COUNTING_WORDS, DATE_CUES, RATIO_CUES, word_after, word_before
from content.speech.numbers import digits_to_words, month_to_words, number_to_words

Pass = tuple[re.Pattern[str], Handler]

PHONE = re.compile(
    r"(?<![0-9+.,/:])(?:(?P<cc>\+84)[ .-]?|(?P<zero>0))(?P<rest>[0-9]{1,4}(?:[ .-]?[0-9]{2,4}){1,3})(?![0-9]|[.,/:-][0-9])"
)
SERVICE_NUMBER = re.compile(r"(?<![0-9.,])(?P<p>1[89]00)[ .]?(?P<q>[0-9]{4}(?:[0-9]{2})?)(?![0-9]|[.,][0-9])")
DATE_FULL = re.compile(
    r"(?<![0-9./-])(?:(?P<d>[0-9]{1,2})(?P<s>[/.-])(?P<m>[0-9]{1,2})(?P=s)(?P<y>[0-9]{4})"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{2})-(?P<id>[0-9]{2}))(?![0-9]|[/.-][0-9])"
)
DATE_RANGE = re.compile(
    r"(?<![0-9./,-])(?P<d1>[0-9]{1,2})[ \t]*[-–][ \t]*(?P<d2>[0-9]{1,2})/(?P<m>[0-9]{1,2})(?:/(?P<y>[0-9]{4}))?(?![0-9]|[/.,][0-9])"
)
MONTH_YEAR = re.compile(r"(?<![0-9/.,-])(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9]|[/.,][0-9])")
DAY_MONTH = re.compile(r"(?<![0-9/.,-])(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})(?![0-9]|[/.,-][0-9])")
_CLOCK = r"(?P<h{0}>[0-9]{{1,2}})(?:(?P<hs{0}>h|g)(?P<hm{0}>[0-9]{{2}})?|:(?P<cm{0}>[0-9]{{2}})(?::(?P<cs{0}>[0-9]{{2}}))?)"
TIME = re.compile(
    r"(?<![0-9:.,])" + _CLOCK.format(1) + r"(?:[ \t]*[-–][ \t]*" + _CLOCK.format(2) + r")?(?![^\W_]|:[0-9])"
)
HOUR_RANGE = re.compile(r"(?<![0-9.,:-])(?P<a>[0-9]{1,2})[ \t]*[-–][ \t]*(?P<b>[0-9]{1,2})h(?![^\W_])")
HOUR_WORD = re.compile(
    r"(?<![0-9.,])(?P<h>[0-9]{1,2})[ \t]*giờ[ \t]*(?P<m>[0-9]{1,2})(?![0-9])(?![ \t]*phút)"
)


def _phone(m: re.Match[str]) -> Hit | None:
    rest = m.group("rest")
    digits = re.sub(r"[^0-9]", "", rest)
    if m.group("cc"):
        if not 8 <= len(digits) <= 10:
            return None
        head = "cộng tám bốn"
    else:
        if not 9 <= len(digits) <= 10:
            return None
        head = ""
        digits = "0" + digits
        rest = "0" + rest
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
    """ "ngày " unless the text already says it right before the match."""
    before = word_before(m.string, m.start())
    return "" if before in (word, *also) else word + " "


def make_passes(dialect: str) -> list[Pass]:
    """The date/time/phone rule families for one dialect, in the order they must run."""

    def num(raw: str) -> str:
        return number_to_words(int(raw), dialect)

    def date_words(d: str, mo: str, y: str | None) -> str:
        words = f"{num(d)} tháng {month_to_words(int(mo), dialect)}"
        return f"{words} năm {num(y)}" if y else words

    def full_date(m: re.Match[str]) -> Hit | None:
        d, mo, y = m.group("d", "m", "y") if m.group("d") else m.group("id", "im", "iy")
        if not _valid_date(int(d), int(mo)):  # not a date: read the parts as written
            return " trên ".join(num(part) for part in (d, mo, y)), "ratio"
        return _prefix(m, "ngày", "mùng", "mồng") + date_words(d, mo, y), "date"

    def date_range(m: re.Match[str]) -> Hit | None:
        d1, d2, mo, y = m.group("d1", "d2", "m", "y")
        if not (_valid_date(int(d1), int(mo)) and _valid_date(int(d2), int(mo))):
            return None
        return f"{_prefix(m, 'ngày', 'từ')}{num(d1)} đến {date_words(d2, mo, y)}", "date"

    def month_year(m: re.Match[str]) -> Hit | None:
        if not 1 <= int(m.group("m")) <= 12:
            return None
        spoken = f"{_prefix(m, 'tháng')}{month_to_words(int(m.group('m')), dialect)} năm {num(m.group('y'))}"
        return spoken, "date"

    def day_month(m: re.Match[str]) -> Hit | None:
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
        return _prefix(m, "ngày", "mùng", "mồng") + date_words(m.group("d"), m.group("m"), None), "date"

    def clock(m: re.Match[str], k: int) -> str | None:
        h = int(m.group(f"h{k}"))
        minutes = m.group(f"hm{k}") or m.group(f"cm{k}")
        seconds = m.group(f"cs{k}")
        if m.group(f"hs{k}") == "g" and minutes is None:
            return None
        if h > 24 or (minutes and int(minutes) > 59) or (seconds and int(seconds) > 59):
            return None
        words = f"{num(str(h))} giờ"
        if minutes and int(minutes):
            words += f" {num(minutes)} phút"
        if seconds and int(seconds):
            words += f" {num(seconds)} giây"
        return words

    def time(m: re.Match[str]) -> Hit | None:
        first = clock(m, 1)
        if first is None:
            return None
        if m.group("h2") is None:
            return first, "time"
        second = clock(m, 2)
        return (f"{first} đến {second}", "time") if second else None

    def hour_range(m: re.Match[str]) -> Hit | None:
        a, b = int(m.group("a")), int(m.group("b"))
        if a > 24 or b > 24:
            return None
        return f"{num(m.group('a'))} đến {num(m.group('b'))} giờ", "time"

    def hour_word(m: re.Match[str]) -> Hit | None:
        if int(m.group("h")) > 24 or int(m.group("m")) > 59:
            return None
        return f"{num(m.group('h'))} giờ {num(m.group('m'))} phút", "time"

    table: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Hit | None]]] = [
        (PHONE, _phone),
        (SERVICE_NUMBER, _service),
        (DATE_FULL, full_date),
        (DATE_RANGE, date_range),
        (MONTH_YEAR, month_year),
        (DAY_MONTH, day_month),
        (HOUR_RANGE, hour_range),
        (TIME, time),
        (HOUR_WORD, hour_word),
    ]
    return table
