"""Read-only views of the broadcast log for the CLI (and later the web UI). Stable JSON shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from scheduler.app import App
from scheduler.db.models import AsRun, Broadcast


def broadcasts_on(app: App, day: date) -> list[dict[str, Any]]:
    """Every broadcast of `day` (commune-local date), in airtime order."""
    tz = app.config.tz
    with app.db.session() as session:
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
                "kind": b.kind,
                "airtime": b.airtime.astimezone(tz).isoformat(timespec="seconds"),
                "status": b.status,
                "items": len(b.items),
                "duration_s": None if b.duration_s is None else round(b.duration_s, 1),
                "offline_items": b.offline_items,
                "folder": str(app.config.playout.dir / b.folder) if b.folder else None,
                "aired_at": b.aired_at.astimezone(tz).isoformat(timespec="seconds") if b.aired_at else None,
                "lateness_s": None if run is None or run.lateness_s is None else round(run.lateness_s, 3),
                "error": b.error,
            }
            for b, run in rows
        ]
