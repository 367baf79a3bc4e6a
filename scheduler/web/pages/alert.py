"""`/alert` "Phát khẩn cấp" (police, admin): type the alert, hear it spoken by the offline voice, confirm,
choose the zones — published at once (`Station.alert`), recorded with who sent it."""

from __future__ import annotations

import re
import secrets
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.errors import InputError
from loa114.scheduler.programs.airing import AirResult
from loa114.scheduler.programs.outcomes import status_word
from loa114.scheduler.programs.preview import alert_preview
from loa114.scheduler.web.auth import Police, require
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import render

router = APIRouter(include_in_schema=False)
page("/alert", "Phát khẩn cấp", Role.POLICE)
Message = Annotated[str, Form(max_length=1000)]
Zones = Annotated[list[str] | None, Form(max_length=50)]
PREVIEW = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP_PREVIEWS = 20
AlertDesk = Annotated[
    Principal, Depends(require(Role.POLICE, province_reads=False))
]  # a form that only sends


def _previews(request: Request) -> Path:
    """A private temporary folder for this process's previews (the newest few are kept)."""
    folder: Path | None = getattr(request.app.state, "alert_previews", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="loa114-alert-previews-"))
        request.app.state.alert_previews = folder
    old = sorted(folder.glob("*.mp3"), key=lambda p: p.stat().st_mtime)[:-KEEP_PREVIEWS]
    for path in old:
        path.unlink(missing_ok=True)
    return folder


def _chosen(request: Request, zones: list[str] | None) -> list[str]:
    config = WebContext.of(request).config
    known = [z.id for z in config.zones]
    zones = zones or []
    unknown = [z for z in zones if z not in known]
    if unknown:
        raise InputError(f"cụm loa: không có cụm loa {', '.join(unknown)[:100]}")
    if not zones:
        raise InputError("cụm loa: chọn ít nhất một cụm loa")
    return [z for z in known if z in zones]


@router.get("/alert", response_class=HTMLResponse)
def alert_form(request: Request, principal: AlertDesk) -> HTMLResponse:
    config = WebContext.of(request).config
    return render(
        request, "alert.html", principal, zones=config.zones, chosen=[z.id for z in config.zones], message="",
        example_village=config.villages[0].name,
    )  # fmt: skip


@router.post("/alert/preview", response_class=HTMLResponse)
def preview(request: Request, principal: Police, message: Message, zones: Zones = None) -> HTMLResponse:
    web = WebContext.of(request)
    chosen = _chosen(request, zones)
    token = secrets.token_urlsafe(24)
    names = tuple(web.config.zone(z).name for z in chosen)
    seconds = alert_preview(
        web.station.app.studio, message, names, _previews(request) / f"{token}.mp3", web.now()
    )
    return render(
        request, "alert.html", principal, zones=web.config.zones, chosen=chosen, message=message,
        preview=f"/alert/preview/{token}.mp3", seconds=seconds, example_village=web.config.villages[0].name,
    )  # fmt: skip


@router.get("/alert/preview/{token}.mp3")
def preview_audio(request: Request, principal: Police, token: str) -> FileResponse:
    if not PREVIEW.fullmatch(token):
        raise HTTPException(404)
    path = _previews(request) / f"{token}.mp3"
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type="audio/mpeg")


@router.post("/alert/send", response_class=HTMLResponse)
def send(
    request: Request,
    principal: Police,
    message: Message,
    zones: Zones = None,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    web = WebContext.of(request)
    chosen = _chosen(request, zones)
    if confirm != "yes":
        raise InputError("xác nhận: đánh dấu ô “Tôi đã nghe thử và muốn phát ngay” rồi bấm Phát ngay")
    outcomes = web.station.alert(message, chosen, web.now(), actor=principal.name)
    results = [
        (o.broadcast_id, status_word(o.status), o.detail) for o in outcomes if isinstance(o, AirResult)
    ] + [
        (o.broadcast_id, "không dựng được", o.error or "")
        for o in outcomes
        if not isinstance(o, AirResult) and not o.built
    ]
    return render(request, "alert_sent.html", principal, message=message, results=results)
