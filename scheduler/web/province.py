"""What the province page and the province API both read: every commune this site serves, rolled up by
`reports.province` (the same figures as `loa province`), and what did not air across communes.

Only province accounts reach these (`auth.ProvinceOnly`); each commune's rows are read from its own store.
"""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import Request

from loa114.scheduler.config import Config
from loa114.scheduler.db.status import Status
from loa114.scheduler.errors import InputError
from loa114.scheduler.reports import province as rollup
from loa114.scheduler.reports.periods import KINDS
from loa114.scheduler.store import Store
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.programfiles import day_from

log = logging.getLogger(__name__)
MAX_DAYS = 92  # a quarter: the longest look back the province list offers


def communes(request: Request) -> list[tuple[str, Config, Store]]:
    """(key, config, store) of every commune of the site, in the province file's order."""
    return [(key, site.config, site.store) for key, site in WebContext.sites(request).items()]


def now_of(request: Request) -> datetime:
    return WebContext.of(request).now()


def figures(request: Request, period: str, day_text: str | None) -> rollup.ProvinceFigures:
    """The roll-up for the period of kind `period` holding `day_text` (default: today)."""
    if period not in KINDS:
        raise InputError(
            f"period: không có kỳ '{period[:20]}'; chọn week (tuần), month (tháng) hoặc campaign"
        )
    accounts = WebContext.province(request)
    now = now_of(request)
    day = day_from(day_text, now.astimezone(WebContext.of(request).config.tz).date(), field="date")
    name = accounts.name if accounts is not None else ""
    found = rollup.roll_up(name, communes(request), period, day, now)
    log.debug("province roll-up communes=%d lagging=%d", len(found.communes), len(found.lagging))
    return found


def statuses_from(text: str) -> list[str]:
    """`failed,missed` → the statuses asked for; an unknown or empty one is an InputError naming `status`."""
    known = [s.value for s in Status]
    asked = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [s for s in asked if s not in known]
    if not asked or unknown:
        shown = f"không có trạng thái '{unknown[0][:20]}'" if unknown else "cần ít nhất một trạng thái"
        raise InputError(f"status: {shown}; chọn trong: {', '.join(known)} (cách nhau bởi dấu phẩy)")
    return asked


def broadcasts(request: Request, statuses: list[str], days: int) -> list[dict[str, object]]:
    """The last `days` days' broadcasts in `statuses`, every commune's, latest first."""
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"days: số ngày phải từ 1 đến {MAX_DAYS}")
    return rollup.not_aired(communes(request), statuses, days, now_of(request))
