"""Broadcasts for systems: the day's list (the shape of `loa broadcasts list --json`), one program's
manifest and audio, the as-run outcome an IP radio platform reports, and urgent alerts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.db.models import Status
from loa114.scheduler.errors import NotFound, StateConflict
from loa114.scheduler.playout.manifest import read_manifest
from loa114.scheduler.programs import confirming
from loa114.scheduler.programs.airing import AirResult
from loa114.scheduler.programs.listing import broadcasts_on
from loa114.scheduler.web.auth import Operator, Police, SignedIn, require
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.programfiles import RowId, audio_url, day_from, program_folder

router = APIRouter(tags=["buổi phát"])
Staff = Annotated[Principal, Depends(require(Role.OFFICE, Role.OPERATOR, Role.POLICE))]
Web = Annotated[WebContext, Depends(WebContext.of)]


class BroadcastOut(BaseModel):
    id: int
    date: str
    slot: str
    zone: str
    zone_name: str
    kind: str
    airtime: str
    status: str
    overdue: bool
    reason: str | None
    items: int
    duration_s: float | None
    offline_items: int
    folder: str | None
    aired_at: str | None
    lateness_s: float | None
    error: str | None
    confirmed_by: str | None
    confirmed_at: str | None


class ProgramOut(BaseModel):
    date: str
    slot: str
    zone: str
    audio_url: str
    playlist_url: str
    manifest: dict[str, Any]


class OutcomeIn(BaseModel):
    reason: str = Field("", max_length=500, description="Vì sao không phát được (bắt buộc khi báo lỗi).")


class ChangeOut(BaseModel):
    broadcast_id: RowId
    status: str
    changed: bool = Field(description="False: it already was so (a repeated request changes nothing).")


class AlertIn(BaseModel):
    message: str = Field(min_length=1, max_length=1000)
    zones: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)


class AlertZoneOut(BaseModel):
    broadcast_id: RowId
    status: str
    detail: str


@router.get("/broadcasts", response_model=list[BroadcastOut], summary="Các buổi phát của một ngày")
def list_broadcasts(
    web: Web, principal: SignedIn, date: Annotated[str | None, Query(max_length=20)] = None
) -> list[dict[str, Any]]:
    now = web.now()
    day = day_from(date, now.astimezone(web.config.tz).date(), field="date")
    return broadcasts_on(web.config, web.store.db, day, now)


@router.get(
    "/programs/{day}/{slot}/{zone}", response_model=ProgramOut, summary="Chương trình đã dựng và âm thanh"
)
def program(web: Web, principal: Staff, day: str, slot: str, zone: str) -> ProgramOut:
    found, folder = program_folder(web.config, day, slot, zone)
    manifest = read_manifest(folder)
    if manifest is None:
        raise HTTPException(404)
    return ProgramOut(
        date=found.isoformat(),
        slot=slot,
        zone=zone,
        audio_url=audio_url(found, slot, zone),
        playlist_url=audio_url(found, slot, zone, "playlist.m3u8"),
        manifest=manifest,
    )


def changed(action: Callable[[], confirming.Change]) -> ChangeOut:
    """Run a change; a missing broadcast is 404, one in the wrong state 409 (with the state in words)."""
    try:
        change = action()
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except StateConflict as exc:
        raise HTTPException(409, str(exc)) from None
    return ChangeOut(broadcast_id=change.broadcast_id, status=change.status, changed=change.changed)


@router.post(
    "/broadcasts/{broadcast_id}/aired",
    response_model=ChangeOut,
    summary="Xác nhận đã phát (chương trình đang chờ xác nhận)",
    responses={404: {}, 409: {}},
)
def aired(web: Web, principal: Operator, broadcast_id: RowId, body: OutcomeIn | None = None) -> ChangeOut:
    return changed(
        lambda: confirming.confirm(
            web.config, web.store, broadcast_id, Status.AIRED, web.now(), actor=principal.name
        )
    )


@router.post(
    "/broadcasts/{broadcast_id}/failed",
    response_model=ChangeOut,
    summary="Báo không phát được, kèm lý do",
    responses={404: {}, 409: {}},
)
def failed(web: Web, principal: Operator, broadcast_id: RowId, body: OutcomeIn) -> ChangeOut:
    return changed(
        lambda: confirming.confirm(
            web.config, web.store, broadcast_id, Status.FAILED, web.now(), actor=principal.name,
            reason=body.reason,
        )
    )  # fmt: skip


@router.post("/alerts", response_model=list[AlertZoneOut], summary="Phát ngay thông báo khẩn")
def alert(web: Web, principal: Police, body: AlertIn) -> list[AlertZoneOut]:
    outcomes = web.station.alert(body.message, body.zones, web.now(), actor=principal.name)
    return [
        AlertZoneOut(broadcast_id=o.broadcast_id, status=o.status, detail=o.detail)
        if isinstance(o, AirResult)
        else AlertZoneOut(broadcast_id=o.broadcast_id, status=o.status, detail=o.error or "")
        for o in outcomes
        if isinstance(o, AirResult) or not o.built
    ]
