"""`/schedule` "Lịch phát" (office, police, admin): a week per slot and zone with the planned items, why
each was chosen or dropped (the planner's decisions in the manifest), pins, cancelling and rebuilding."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from loa114.content.library import Library
from loa114.scheduler.accounts import Role
from loa114.scheduler.db.models import UNAIRED
from loa114.scheduler.errors import InputError, NotFound, StateConflict
from loa114.scheduler.programs import confirming, pins
from loa114.scheduler.programs.listing import broadcasts_on, program_of
from loa114.scheduler.programs.outcomes import status_word
from loa114.scheduler.programs.planner import airtime_of
from loa114.scheduler.programs.rows import BroadcastKey
from loa114.scheduler.web.auth import Office, OfficeOrPolice
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.programfiles import IDENT, RowId, day_from
from loa114.scheduler.web.rendering import render

router = APIRouter(include_in_schema=False)
page("/schedule", "Lịch phát", Role.OFFICE, Role.POLICE, Role.PROVINCE)  # province: read only
Text = Annotated[str, Form(max_length=500)]
Ident = Annotated[str, Form(max_length=64)]
ALL_ZONES = "all"
DAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@router.get("/schedule", response_class=HTMLResponse)
def schedule(request: Request, principal: OfficeOrPolice, week: str | None = None) -> HTMLResponse:
    web = WebContext.of(request)
    now = web.now()
    today = now.astimezone(web.config.tz).date()
    monday = day_from(week, today, field="tuần")
    monday -= timedelta(days=monday.weekday())
    library = web.station.app.studio.library(now)
    with web.store.session() as session:
        pinned = pins.pins_between(session, monday, monday + timedelta(days=6))
        pin_rows = [(p.id, p.day, p.slot_id, p.zone_id, p.script_id, p.created_by) for p in pinned]
    days = [_day(web, monday + timedelta(days=n), library, pin_rows) for n in range(7)]
    return render(
        request, "schedule.html", principal, monday=monday, days=days, pins=pin_rows, word=status_word,
        scripts=library.regular(), slots=web.config.slots, zones=web.config.zones, today=today,
        previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
        can_pin=principal.may(Role.OFFICE), done=request.query_params.get("done"),
    )  # fmt: skip


def _day(web: WebContext, day: date, library: Library, pin_rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """One day of the week: every occurrence (slot × zone) with its row, items and decisions."""
    now = web.now()
    rows = {(r["slot"], r["zone"]): r for r in broadcasts_on(web.config, web.store.db, day, now)}
    cells = []
    for slot in web.config.slots:
        if not slot.runs_on(day):
            continue
        ahead = airtime_of(day, slot, web.config.tz) > now
        for zone_id in web.config.slot_zones(slot):
            row = rows.pop((slot.id, zone_id), None)
            wanted = {p[4] for p in pin_rows if p[1] == day and p[2] == slot.id and p[3] in (None, zone_id)}
            cell = _cell(web, slot.id, zone_id, row, library, wanted)
            cell["time"] = slot.time.strftime("%H:%M")
            cell["buildable"] = ahead and (row is None or row["status"] in UNAIRED)
            cells.append(cell)
    for (slot_id, zone_id), row in rows.items():  # urgent alerts, slots no longer in the config
        cells.append({**_cell(web, slot_id, zone_id, row, library, set()), "time": row["airtime"][11:16]})
    return {"day": day, "name": DAY_NAMES[day.weekday()], "cells": cells}


def _cell(
    web: WebContext,
    slot_id: str,
    zone_id: str,
    row: dict[str, Any] | None,
    library: Library,
    wanted: set[str],
) -> dict[str, Any]:
    manifest = (
        program_of(web.config, web.config.playout.dir / row["folder"]) if row and row["folder"] else None
    )
    items = []
    for item in (manifest or {}).get("items", []):
        script = library.scripts.get(item.get("script", ""))
        if item.get("script") in wanted:
            why = "được ghim vào buổi này"
        elif script is not None and script.pinned:
            why = "bài luôn phát (pinned)"
        else:
            why = f"ưu tiên {script.priority}" if script else "bài không còn trong thư viện"
        items.append({"title": item.get("title", ""), "why": why})
    return {
        "slot": slot_id,
        "zone": zone_id,
        "zone_name": next((z.name for z in web.config.zones if z.id == zone_id), zone_id),
        "row": row,
        "chosen": items,
        "decisions": (manifest or {}).get("decisions", []),
        "pinned": sorted(wanted),
        "cancellable": row is not None and row["status"] in UNAIRED,
        "buildable": False,
    }


def _back(day: date, done: str) -> RedirectResponse:
    return RedirectResponse(f"/schedule?week={day.isoformat()}&done={done}", status_code=303)


@router.post("/schedule/pins")
def add_pin(
    request: Request, principal: Office, day: Annotated[str, Form(max_length=20)], slot: Ident, zone: Ident,
    script: Ident,
) -> RedirectResponse:  # fmt: skip
    web = WebContext.of(request)
    now = web.now()
    when = day_from(day, now.astimezone(web.config.tz).date())
    target = (when, slot, None if zone == ALL_ZONES else zone)
    library = web.station.app.studio.library(now)
    pins.pin(web.config, web.store, library, target, script, actor=principal.name, now=now)
    return _back(when, "pinned")


@router.post("/schedule/pins/{pin_id}/delete")
def remove_pin(request: Request, principal: Office, pin_id: RowId) -> RedirectResponse:
    web = WebContext.of(request)
    if not pins.unpin(web.store, pin_id, actor=principal.name, now=web.now()):
        raise HTTPException(404)
    return RedirectResponse("/schedule?done=unpinned", status_code=303)


@router.post("/schedule/broadcasts/{broadcast_id}/cancel")
def cancel(
    request: Request, principal: OfficeOrPolice, broadcast_id: RowId, reason: Text = ""
) -> RedirectResponse:
    web = WebContext.of(request)
    try:
        confirming.cancel(web.config, web.store, broadcast_id, web.now(), actor=principal.name, reason=reason)
    except NotFound:
        raise HTTPException(404) from None
    except StateConflict as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse("/schedule?done=cancelled", status_code=303)


@router.post("/schedule/rebuild")
def rebuild(
    request: Request, principal: Office, day: Annotated[str, Form(max_length=20)], slot: Ident, zone: Ident
) -> RedirectResponse:
    web = WebContext.of(request)
    now = web.now()
    when = day_from(day, now.astimezone(web.config.tz).date())
    if not IDENT.fullmatch(slot) or slot not in {s.id for s in web.config.slots}:
        raise InputError(f"khung giờ: không có khung giờ {slot[:64]!r}")
    chosen = web.config.slot(slot)
    if zone not in web.config.slot_zones(chosen):
        raise InputError(f"cụm loa: khung giờ {slot} không phát trên cụm loa {zone[:64]!r}")
    if not chosen.runs_on(when) or airtime_of(when, chosen, web.config.tz) < now:
        raise InputError(f"ngày: khung giờ {slot} ngày {when:%d/%m/%Y} không còn buổi phát nào để dựng")
    result = web.station.renders.build(
        BroadcastKey(when, slot, zone), now, rebuild=f"dựng lại theo yêu cầu của {principal.name}"
    )
    if result.error:
        raise InputError(f"không dựng lại được: {result.error}")
    return _back(when, "rebuilt" if result.built else "unchanged")
