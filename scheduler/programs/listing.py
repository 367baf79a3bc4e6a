"""Read-only views of the broadcast log for the CLI and the web. Stable JSON shapes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import UNAIRED, AsRun, Broadcast
from loa114.scheduler.playout.manifest import read_manifest


def broadcasts_on(config: Config, db: Database, day: date, now: datetime) -> list[dict[str, Any]]:
    """Every broadcast of `day` (commune-local date), in airtime order.

    `overdue` is derived as of `now`, from the rows alone: a program still planned or ready whose airtime
    passed by more than the grace did not air — even when no service is running to mark it missed."""
    tz = config.tz
    zones = {z.id: z.name for z in config.zones}
    deadline = now - config.schedule.misfire_grace
    with db.session() as session:
        rows = session.execute(
            select(Broadcast, AsRun)
            .outerjoin(AsRun, AsRun.broadcast_id == Broadcast.id)
            .where(Broadcast.day == day)
            .order_by(Broadcast.airtime, Broadcast.slot_id, Broadcast.zone_id)
        ).all()
        return [
            {
                "id": b.id,
                "date": b.day.isoformat(),
                "slot": b.slot_id,
                "zone": b.zone_id,
                "zone_name": zones.get(b.zone_id, b.zone_id),
                "kind": b.kind,
                "airtime": b.airtime.astimezone(tz).isoformat(timespec="seconds"),
                "status": b.status,
                "overdue": b.status in UNAIRED and b.airtime < deadline,
                "reason": b.reason,
                "items": len(b.items),
                "duration_s": None if b.duration_s is None else round(b.duration_s, 1),
                "offline_items": b.offline_items,
                "folder": str(config.playout.dir / b.folder) if b.folder else None,
                "aired_at": b.aired_at.astimezone(tz).isoformat(timespec="seconds") if b.aired_at else None,
                "lateness_s": None if run is None or run.lateness_s is None else round(run.lateness_s, 3),
                "error": b.error,
                "confirmed_by": b.confirmed_by,
                "confirmed_at": (
                    b.confirmed_at.astimezone(tz).isoformat(timespec="seconds") if b.confirmed_at else None
                ),
            }
            for b, run in rows
        ]


def program_of(config: Config, folder: Path) -> dict[str, Any] | None:
    """The manifest of a built program (its items and the planner's decisions), or None."""
    return read_manifest(folder) if folder.is_relative_to(config.playout.dir) else None
