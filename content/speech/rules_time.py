"""Clock times and weekdays, formal and informal: "17h30", "05:30", "7h15p", "9h2m2s", "21g26p", "T7".

Notices copied from chat messages write minutes with "p"/"ph"/"m" and seconds with "s"; southern
writing uses "g" for the hour. A lone "24g" is an hour only where it cannot be grams: nothing but
punctuation or a part of the day follows it, or a time word ("lúc", "từ", "trực"…) comes before it.
"""

from __future__ import annotations

import re

from loa114.content.speech.engine import Hit, Pass
from loa114.content.speech.lexicon import word_after, word_before, word_set
from loa114.content.speech.numbers import number_to_words, ordinal_to_words
from loa114.content.speech.starts import DIGIT, starts_of

_CLOCK = (
    r"(?P<h{0}>[0-9]{{1,2}})(?:"
    r"(?P<hs{0}>h|g)(?:(?P<hm{0}>[0-9]{{1,2}})(?P<ms{0}>ph|p|m|')(?:(?P<hsec{0}>[0-9]{{1,2}})s)?|(?P<hmm{0}>[0-9]{{2}}))?"
    r"|:(?P<cm{0}>[0-9]{{2}})(?::(?P<cs{0}>[0-9]{{2}}))?)"
)
TIME = re.compile(
    r"(?=[0-9])(?<![0-9:.,])"
    + _CLOCK.format(1)
    + r"(?:[ \t]*[-–][ \t]*"
    + _CLOCK.format(2)
    + r")?(?![^\W_]|:[0-9])"
)
HOUR_RANGE = re.compile(
    r"(?=[0-9])(?<![0-9.,:-])(?P<a>[0-9]{1,2})[ \t]*[-–][ \t]*(?P<b>[0-9]{1,2})h(?![^\W_])"
)
HOUR_WORD = re.compile(
    r"(?=[0-9])(?<![0-9.,])(?P<h>[0-9]{1,2})[ \t]*giờ[ \t]*(?P<m>[0-9]{1,2})(?![0-9])(?![ \t]*phút)"
)
# "T2" … "T7" for weekdays, alone or as a range "T2-T6" ("CN" is in the glossary).
WEEKDAY = re.compile(r"(?=T)(?<![^\W_])T(?P<a>[2-7])(?:[ \t]*[-–][ \t]*T(?P<b>[2-7]))?(?![^\W_]|[.,/][0-9])")
WEEKDAY_START = starts_of(WEEKDAY, "T")

_DAY_PARTS = word_set("sáng trưa chiều tối đêm ngày hôm hằng hàng")
_TIME_CUES = word_set("lúc từ đến tới trực vào khoảng trước sau gần")


def make_passes(dialect: str) -> list[Pass]:
    """The clock-time rule families for one dialect, in the order they must run."""

    def num(raw: str) -> str:
        return number_to_words(int(raw), dialect)

    def hour_only_g(m: re.Match[str]) -> bool:
        """ "24g", "lúc 5g": an hour; "5g muối": grams."""
        after = word_after(m.string, m.end())
        return not after or after in _DAY_PARTS or word_before(m.string, m.start()) in _TIME_CUES

    def clock(m: re.Match[str], k: int) -> str | None:
        h = int(m.group(f"h{k}"))
        minutes = m.group(f"hm{k}") or m.group(f"hmm{k}") or m.group(f"cm{k}")
        seconds = m.group(f"hsec{k}") or m.group(f"cs{k}")
        if m.group(f"hs{k}") == "g" and minutes is None and not hour_only_g(m):
            return None
        if h > 24 or (minutes and int(minutes) > 59) or (seconds and int(seconds) > 59):
            return None
        words = f"{num(str(h))} giờ"
        if minutes and (int(minutes) or seconds):
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

    def weekday(m: re.Match[str]) -> Hit:
        words = "thứ " + ordinal_to_words(int(m.group("a")), dialect)
        if m.group("b"):
            words += " đến thứ " + ordinal_to_words(int(m.group("b")), dialect)
        return words, "weekday"

    return [
        Pass(HOUR_RANGE, hour_range, DIGIT),
        Pass(TIME, time, DIGIT),
        Pass(HOUR_WORD, hour_word, DIGIT),
        Pass(WEEKDAY, weekday, WEEKDAY_START),
    ]
