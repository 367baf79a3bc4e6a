"""The playout contract: `manifest.json` beside `program.mp3` (see DESIGN.md "Playout folder")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from audio.program import BuiltProgram
from scheduler.files import write_json_atomic
from scheduler.planner import Decision


@dataclass(frozen=True)
class ItemText:
    """The words behind one item file: what the script said and what the voice was given."""

    script: str
    title: str
    text: str
    spoken_text: str
    village: str | None = None


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
    decisions: list[Decision],
    generated_at: datetime,
) -> dict[str, Any]:
    items = []
    for text, item in zip(texts, built.items, strict=True):
        items.append(
            {
                "script": item.script_id,
                "title": item.title,
                "village": text.village,
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
        "decisions": [d.as_dict() for d in decisions],
    }


def write_manifest(folder: Path, data: dict[str, Any]) -> None:
    write_json_atomic(folder / "manifest.json", data)


def mark_manifest(folder: Path, status: str, **stamps: datetime) -> bool:
    """Set `status` (and e.g. `aired_at`) in an existing manifest; False when there is none."""
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    data["status"] = status
    for key, moment in stamps.items():
        data[key] = moment.isoformat(timespec="seconds")
    write_json_atomic(path, data)
    return True
