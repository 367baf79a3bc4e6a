"""`/` "Tổng quan": where every signed-in person lands — today's and tomorrow's broadcasts, what needs
attention (failed or missed broadcasts, broken scripts, undelivered notices) and the campaign's coverage
with its lagging villages. Each role sees only its part; a village head only their village (and zone)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.campaign.listing import notice_word, notices_on
from loa114.scheduler.campaign.queue import CANCELLED, SENT
from loa114.scheduler.db.models import Status
from loa114.scheduler.programs.listing import broadcasts_on
from loa114.scheduler.programs.outcomes import status_word
from loa114.scheduler.web.auth import SignedIn
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import render_kept

router = APIRouter(include_in_schema=False)
page("/", "Tổng quan", *Role)
NOTICE_DAYS = 7  # undelivered notices of the last week need attention
ALL_VILLAGES_UP_TO = 30  # a small commune sees every village; a large one its lagging villages first
LAGGING_SHOWN = 50


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: SignedIn) -> HTMLResponse:
    web = WebContext.of(request)

    def build() -> dict[str, Any]:
        now = web.now()
        today = now.astimezone(web.config.tz).date()
        zone = _zone_of(web, principal)
        days = [(d, _broadcasts(web, d, now, zone)) for d in (today, today + timedelta(days=1))]
        figures = web.station.app.figures.snapshot()  # the villages are evaluated once for this page
        villages = [v for v in figures.villages(today) if principal.may_see_village(v.id)]
        lagging = [v for v in villages if v.lagging]
        shown = villages if len(villages) <= ALL_VILLAGES_UP_TO else lagging[:LAGGING_SHOWN]
        return dict(
            days=days, word=status_word, notice_word=notice_word,
            failures=[b for b in days[0][1] if b["status"] in (Status.FAILED, Status.MISSED) or b["overdue"]],
            problems=_problems(web, principal, now), notices=_notices(web, principal, today),
            totals=figures.commune(today) if principal.role != Role.VILLAGE_HEAD else None,
            villages=shown, lagging=lagging, hidden=len(villages) - len(shown),
        )  # fmt: skip

    return render_kept(request, "home.html", principal, None, build)


def _zone_of(web: WebContext, principal: Principal) -> str | None:
    """A village head hears their village's zone: they see only its broadcasts."""
    if principal.role != Role.VILLAGE_HEAD:
        return None
    return next((v.zone for v in web.config.villages if v.id == principal.village_id), "")


def _broadcasts(web: WebContext, day: date, now: datetime, zone: str | None) -> list[dict[str, Any]]:
    rows = broadcasts_on(web.config, web.store.db, day, now)
    return [r for r in rows if zone is None or r["zone"] == zone]


def _problems(web: WebContext, principal: Principal, now: datetime) -> list[str]:
    """Scripts kept off the air by an error (the office fixes them)."""
    if not principal.may(Role.OFFICE):
        return []
    return [str(p) for p in web.station.app.studio.library(now).problems]


def _notices(web: WebContext, principal: Principal, today: date) -> list[dict[str, Any]]:
    """Notices of the last week not delivered yet (or failed for good), of the villages one may see."""
    if not principal.may(Role.OFFICE, Role.VILLAGE_HEAD):
        return []
    since = today - timedelta(days=NOTICE_DAYS)
    return [
        n
        for n in notices_on(web.config, web.store.db, None, since=since)
        if n["status"] not in (SENT, CANCELLED) and principal.may_see_village(n["village"])
    ]
