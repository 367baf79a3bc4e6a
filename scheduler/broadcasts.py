"""The broadcast rows the builder works on: created once per (day, slot, zone), and the recent history
the rotation rule reads. The unique constraint, not a lock, settles two processes creating the same row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.db.models import Broadcast, Status
from scheduler.planner import ROTATION_WINDOW


def ensure_broadcast(
    session: Session, *, day: date, slot_id: str, zone_id: str, airtime: datetime, kind: str, now: datetime
) -> Broadcast:
    """The row for (day, slot, zone), created if missing; the unique constraint settles races."""
    query = select(Broadcast).where(
        Broadcast.day == day, Broadcast.slot_id == slot_id, Broadcast.zone_id == zone_id
    )
    existing = session.scalar(query)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = Broadcast(
                day=day,
                slot_id=slot_id,
                zone_id=zone_id,
                kind=kind,
                airtime=airtime,
                status=Status.PLANNED,
                updated_at=now,
            )
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query).one()


def recent_programs(session: Session, slot_id: str, zone_id: str, before: datetime) -> list[set[str]]:
    """Script ids of the last programs of this slot and zone that were (or will be) heard, newest first."""
    rows = session.scalars(
        select(Broadcast)
        .where(
            Broadcast.slot_id == slot_id,
            Broadcast.zone_id == zone_id,
            Broadcast.airtime < before,
            Broadcast.status.in_([Status.READY, Status.AIRED]),
        )
        .order_by(Broadcast.airtime.desc())
        .limit(ROTATION_WINDOW)
    ).all()
    return [{item.script_id for item in row.items} for row in rows]
