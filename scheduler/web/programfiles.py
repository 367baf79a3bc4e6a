"""The broadcast pages' and API's shared HTTP glue: reading a date a person typed, finding a program's
folder from ids in a URL without ever leaving `playout.dir`, and serving its audio."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import HTTPException
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from loa114.content.dates import parse_date_text
from loa114.scheduler.config import Config
from loa114.scheduler.errors import InputError
from loa114.scheduler.playout.manifest import folder_for

IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
RowId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]  # a database integer, never an overflow
FILES = {"program.mp3": "audio/mpeg", "playlist.m3u8": "audio/x-mpegurl"}


def day_from(text: str | None, default: date, *, field: str = "ngày") -> date:
    """`2026-12-31` or `31/12/2026` (as the commune writes dates); a clear message otherwise."""
    if text is None or not text.strip():
        return default
    day = parse_date_text(text)
    if day is None:
        raise InputError(f"{field}: ngày không hợp lệ {text[:40]!r}; dùng dạng 31/12/2026 hoặc 2026-12-31")
    return day


def program_folder(config: Config, day_text: str, slot: str, zone: str) -> tuple[date, Path]:
    """The folder of (date, slot, zone) from URL text; 404 for anything that is not such a folder."""
    day = parse_date_text(day_text) if len(day_text) <= 10 else None
    if day is None or not IDENT.fullmatch(slot) or not IDENT.fullmatch(zone):
        raise HTTPException(404)
    root = config.playout.dir.resolve()
    folder = folder_for(root, day, slot, zone).resolve()
    if not folder.is_relative_to(root) or not folder.is_dir():
        raise HTTPException(404)
    return day, folder


def program_file(config: Config, day_text: str, slot: str, zone: str, name: str) -> FileResponse:
    """program.mp3 or playlist.m3u8 of one program, as a download or for the page's player."""
    if name not in FILES:
        raise HTTPException(404)
    day, folder = program_folder(config, day_text, slot, zone)
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise HTTPException(404)
    download = f"loa114-{day.isoformat()}-{slot}-{zone}-{name}"
    return FileResponse(path, media_type=FILES[name], filename=download, content_disposition_type="inline")


def audio_url(day: date, slot: str, zone: str, name: str = "program.mp3") -> str:
    return f"/programs/{day.isoformat()}/{slot}/{zone}/{name}"
