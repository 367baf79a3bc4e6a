"""The playout contract: `manifest.json` beside `program.mp3` (README "Tìm âm thanh hôm nay" lists its fields)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from loa114.scheduler.files import leave_spare, write_json_atomic

if TYPE_CHECKING:  # the audio stack is heavy to import; readers of manifests do not need it
    from loa114.audio.model import BuiltProgram


@dataclass(frozen=True)
class ItemText:
    """The words behind one item file: what the script said and what the voice was given."""

    script: str
    title: str
    text: str
    spoken_text: str
    villages: tuple[str, ...] = ()  # the lagging villages a village script speaks about


def folder_for(root: Path, day: date, slot_id: str, zone_id: str) -> Path:
    return root / day.isoformat() / slot_id / zone_id


def manifest_data(
    *,
    day: date,
    slot_id: str,
    zone_id: str,
    airtime: datetime,
    tz: ZoneInfo,
    kind: str,
    built: BuiltProgram,
    texts: list[ItemText],
    decisions: list[dict[str, str]],
    generated_at: datetime,
) -> dict[str, Any]:
    items = []
    for text, item in zip(texts, built.items, strict=True):
        items.append(
            {
                "script": item.script_id,
                "title": item.title,
                "villages": list(text.villages),
                "text": text.text,
                "spoken_text": text.spoken_text,
                "engine": item.engine,
                "offline": item.offline,
                "duration_s": round(item.duration_s, 3),
                "file": item.file,
                "sha256": item.sha256,
            }
        )
    return {
        "date": day.isoformat(),
        "slot": slot_id,
        "zone": zone_id,
        "kind": kind,
        "airtime": airtime.astimezone(tz).isoformat(timespec="seconds"),
        "status": "ready",
        "generated_at": generated_at.astimezone(tz).isoformat(timespec="seconds"),
        "duration_s": round(built.duration_s, 3),
        "loudness_lufs": round(built.loudness_lufs, 2),
        "true_peak_dbtp": round(built.true_peak_dbtp, 2),
        "file": built.file,
        "items": items,
        "decisions": decisions,
    }


def write_manifest(folder: Path, data: dict[str, Any]) -> None:
    """The manifest, and a spare file for its next version: the stamp at airtime creates no file."""
    write_json_atomic(folder / "manifest.json", data)
    leave_spare(folder / "manifest.json")


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of `folder`, or None when there is no readable one."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_status(folder: Path) -> str | None:
    """The status a manifest says, or None when there is no readable manifest."""
    data = read_manifest(folder)
    status = data.get("status") if data is not None else None
    return status if isinstance(status, str) else None


def mark_manifest(folder: Path, status: str, *, error: str | None = None, **stamps: datetime) -> bool:
    """Set `status` (and e.g. `aired_at`, an `error`) in an existing manifest; False when there is none.

    Replaced atomically but not synced to disk: the row in the database is the record (committed durably),
    the stamp tells the player and survives a crash of the process; only a power cut could lose it, and then
    the restart finds nothing published and airs the program again within the grace. Syncing each stamp
    made a province's 05:30 (650 manifests) wait seconds on the disk."""
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    data["status"] = status
    for key, moment in stamps.items():
        data[key] = moment.isoformat(timespec="seconds")
    if error is not None:
        data["error"] = error
    write_json_atomic(path, data, durable=False)
    return True
