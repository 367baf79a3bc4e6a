"""Values a clerk writes in config.yaml, parsed leniently and checked strictly: durations ("15m", "2h"),
clock times ("05:30", even unquoted), quiet hours ("21:00-06:30") and ids."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from loa114.content.text import fold

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?\s*$", re.IGNORECASE)
_IDENT = r"^[a-z0-9][a-z0-9_-]*$"


def parse_duration(value: Any) -> timedelta:
    """Seconds as a number, or text such as "15m", "2h", "1h30m", "90s"."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("phải là số giây hoặc dạng 15m, 2h")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("không được âm")
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return timedelta(seconds=int(text))
        match = _DURATION.match(text)
        if text and match and any(match.groups()):
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"thời lượng không hợp lệ {value!r}: dùng số giây hoặc dạng 15m, 2h, 1h30m")


def parse_clock_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 05:30 as the sexagesimal number 330.
        hours, minutes = divmod(value, 60)
        if 0 <= hours < 24:
            return time(hours, minutes)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise ValueError(f'giờ không hợp lệ {value!r}: dùng dạng HH:MM, ví dụ "05:30"')


def slug(name: str) -> str:
    """An ASCII id from a Vietnamese name: "Lợi Bác" → "loi-bac" (the shape `Ident` accepts)."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(name)))[:64].strip("-")


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
ClockTime = Annotated[time, BeforeValidator(parse_clock_time)]
Ident = Annotated[str, Field(pattern=_IDENT, max_length=64)]


def parse_quiet_hours(value: Any) -> tuple[time, time]:
    """ "21:00-06:30" (may wrap past midnight); "" or "none" means no quiet hours."""
    if isinstance(value, tuple | list) and len(value) == 2:
        return parse_clock_time(value[0]), parse_clock_time(value[1])
    if isinstance(value, str):
        text = value.strip().replace("–", "-")
        if text.lower() in ("", "none", "không"):
            return time(0, 0), time(0, 0)
        parts = text.split("-")
        if len(parts) == 2:
            return parse_clock_time(parts[0]), parse_clock_time(parts[1])
    raise ValueError(f'khung giờ yên lặng không hợp lệ {value!r}: dùng dạng "21:00-06:30"')


QuietHours = Annotated[tuple[time, time], BeforeValidator(parse_quiet_hours)]


def parse_report_when(kind: str, text: str) -> tuple[int | str, time]:
    """When a report is issued: week → (weekday 0–6, time); month → ("last" or a day 1–28, time)."""
    parts = str(text).split()
    if len(parts) == 2:
        day, clock = parts[0].lower(), parse_clock_time(parts[1])
        if kind == "week" and day in WEEKDAYS:
            return WEEKDAYS.index(day), clock
        if kind == "month" and day == "last":
            return "last", clock
        if kind == "month" and day.isdigit() and 1 <= int(day) <= 28:
            return int(day), clock
    example = '"fri 16:00"' if kind == "week" else '"last 16:00" (ngày cuối tháng) hoặc "25 16:00"'
    raise ValueError(f"lịch báo cáo {kind} không hợp lệ {text!r}: ví dụ {example}")
