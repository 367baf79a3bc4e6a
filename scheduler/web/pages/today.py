"""`/today` "Phát hôm nay": the day's programs per zone with a player and downloads, the operator's
confirmation (đã phát / không phát được), playing a program again, the as-run log, and what changed
since a program was built. Also the program files themselves (`/programs/...`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.db.models import UNAIRED, Broadcast, Status
from loa114.scheduler.errors import NotFound, StateConflict
from loa114.scheduler.programs import confirming
from loa114.scheduler.programs.listing import broadcasts_on, program_of
from loa114.scheduler.programs.outcomes import status_word
from loa114.scheduler.programs.rows import BroadcastKey
from loa114.scheduler.web.auth import Operator, require
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.programfiles import RowId, audio_url, day_from, program_file
from loa114.scheduler.web.rendering import render

router = APIRouter(include_in_schema=False)
page("/today", "Phát hôm nay", Role.OPERATOR, Role.POLICE, Role.PROVINCE)  # province: read only
OnDuty = Annotated[Principal, Depends(require(Role.OPERATOR, Role.POLICE))]
Staff = Annotated[Principal, Depends(require(Role.OFFICE, Role.OPERATOR, Role.POLICE))]
Reason = Annotated[str, Form(max_length=500)]


@router.get("/today", response_class=HTMLResponse)
def today(
    request: Request, principal: OnDuty, day_text: Annotated[str | None, Query(alias="date")] = None
) -> HTMLResponse:
    web = WebContext.of(request)
    now = web.now()
    day = day_from(day_text, now.astimezone(web.config.tz).date())
    rows = [_with_program(web, row, now) for row in broadcasts_on(web.config, web.store.db, day, now)]
    zones = [(z, [r for r in rows if r["zone"] == z.id]) for z in web.config.zones]
    return render(
        request, "today.html", principal, day=day, zones=zones, rows=rows, word=status_word,
        done=request.query_params.get("done"), can_confirm=principal.may(Role.OPERATOR),
    )  # fmt: skip


def _with_program(web: WebContext, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A listing row with its manifest (items, decisions), its audio URLs, and what changed since."""
    manifest = program_of(web.config, web.config.playout.dir / row["folder"]) if row["folder"] else None
    key = BroadcastKey(date.fromisoformat(row["date"]), row["slot"], row["zone"])
    changes: list[str] = []
    if row["status"] == Status.READY and row["kind"] == "slot":
        with web.store.session() as session:
            built = session.get(Broadcast, row["id"])
            inputs = built.inputs if built else None
        changes = web.station.app.studio.changes(key, inputs, now)
    return {
        **row,
        "manifest": manifest,
        "dropped": [d for d in (manifest or {}).get("decisions", []) if d.get("action") == "dropped"],
        "changes": changes,
        "audio": audio_url(key.day, key.slot, key.zone) if manifest else None,
        "playlist": audio_url(key.day, key.slot, key.zone, "playlist.m3u8") if manifest else None,
        "unaired": row["status"] in UNAIRED,
    }


@router.get("/programs/{day}/{slot}/{zone}/{name}")
def program_audio(
    request: Request, principal: Staff, day: str, slot: str, zone: str, name: str
) -> FileResponse:
    return program_file(WebContext.of(request).config, day, slot, zone, name)


def _back(request: Request, action: str) -> RedirectResponse:
    day = day_from(request.query_params.get("date"), date.min)
    back = f"&date={day.isoformat()}" if day != date.min else ""
    return RedirectResponse(f"/today?done={action}{back}", status_code=303)


def _act(action: Callable[[], object]) -> None:
    try:
        action()
    except NotFound:
        raise HTTPException(404) from None
    except StateConflict as exc:
        raise HTTPException(409, str(exc)) from None


@router.post("/today/{broadcast_id}/aired")
def confirm_aired(request: Request, principal: Operator, broadcast_id: RowId) -> RedirectResponse:
    web = WebContext.of(request)
    _act(
        lambda: confirming.confirm(
            web.config, web.store, broadcast_id, Status.AIRED, web.now(), actor=principal.name
        )
    )
    return _back(request, "aired")


@router.post("/today/{broadcast_id}/failed")
def confirm_failed(
    request: Request, principal: Operator, broadcast_id: RowId, reason: Reason = ""
) -> RedirectResponse:
    web = WebContext.of(request)
    _act(
        lambda: confirming.confirm(
            web.config, web.store, broadcast_id, Status.FAILED, web.now(), actor=principal.name, reason=reason
        )
    )
    return _back(request, "failed")


@router.post("/today/{broadcast_id}/replay")
def replay(request: Request, principal: Operator, broadcast_id: RowId, note: Reason = "") -> RedirectResponse:
    web = WebContext.of(request)
    _act(
        lambda: confirming.record_replay(web.store, broadcast_id, web.now(), actor=principal.name, note=note)
    )
    return _back(request, "replay")
