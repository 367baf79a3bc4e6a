"""A reporting period: a week (Monday–Sunday), a calendar month, or the campaign so far."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from loa114.scheduler.config import Config
from loa114.scheduler.errors import InputError

Kind = Literal["week", "month", "campaign"]
KINDS: tuple[Kind, ...] = ("week", "month", "campaign")


@dataclass(frozen=True)
class Period:
    kind: Kind
    first: date
    last: date  # inclusive

    @property
    def title(self) -> str:
        """How the report's title names the period."""
        if self.kind == "week":
            return f"tuần từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"
        if self.kind == "month":
            return f"tháng {self.first.month:02d} năm {self.first.year}"
        return f"từ khi bắt đầu chiến dịch ({self.first:%d/%m/%Y}) đến ngày {self.last:%d/%m/%Y}"

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def period_of(kind: str, day: date, config: Config) -> Period:
    """The period of `kind` that contains `day` (the campaign: from its start to `day`)."""
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        return Period("week", first, first + timedelta(days=6))
    if kind == "month":
        last_day = calendar.monthrange(day.year, day.month)[1]
        return Period("month", day.replace(day=1), day.replace(day=last_day))
    if kind == "campaign":
        start = config.campaign.start
        if day < start:
            raise InputError(f"--date {day:%d/%m/%Y} trước ngày bắt đầu chiến dịch ({start:%d/%m/%Y})")
        return Period("campaign", start, day)
    raise InputError(f"--period: không có kỳ báo cáo '{kind}'; chọn week (tuần), month (tháng) hoặc campaign")
