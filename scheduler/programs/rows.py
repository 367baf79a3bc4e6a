"""The broadcast rows: one per scheduled occurrence (day, slot, zone), created ahead for the horizon (and
after a restart for the occurrences it did not see), and the recent history the rotation rule reads. The
unique constraint, not a lock, settles two processes creating the same row."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.config import Config
from scheduler.db.models import UNAIRED, Broadcast, Status
from scheduler.programs.planner import ROTATION_WINDOW, occurrences


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
            Broadcast.status.in_([Status.READY, Status.AIRING, Status.PUBLISHED, Status.AIRED]),
        )
        .order_by(Broadcast.airtime.desc())
        .limit(ROTATION_WINDOW)
    ).all()
    return [{item.script_id for item in row.items} for row in rows]


def plan_rows(session: Session, config: Config, start: datetime, end: datetime, now: datetime) -> list[str]:
    """Every occurrence with airtime in [start, end) gets its row (`planned`), so that each one ends in a
    recorded outcome; future rows not yet aired that the schedule no longer has (a slot or zone removed
    from the config) are deleted. Returns the folders of deleted programs, for the caller to remove."""
    wanted = {
        (o.day, o.slot.id, zone_id): o.airtime
        for o in occurrences(config, start, end)
        for zone_id in config.slot_zones(o.slot)
    }
    existing = {
        (row.day, row.slot_id, row.zone_id): row
        for row in session.scalars(
            select(Broadcast).where(
                Broadcast.kind == "slot", Broadcast.airtime >= start, Broadcast.airtime < end
            )
        )
    }
    for key, airtime in sorted(wanted.items()):
        row = existing.get(key)
        if row is None:
            day, slot_id, zone_id = key
            ensure_broadcast(
                session, day=day, slot_id=slot_id, zone_id=zone_id, airtime=airtime, kind="slot", now=now
            )
        elif row.airtime != airtime and row.status in UNAIRED:  # the slot's time was changed in the config
            row.airtime, row.updated_at = airtime, now
    removed = []
    for key, row in existing.items():
        if key not in wanted and row.status in UNAIRED and row.airtime > now:
            if row.folder:
                removed.append(row.folder)
            session.delete(row)
    return removed


def remove_folders(root: Path, folders: list[str]) -> None:
    for folder in folders:
        shutil.rmtree(root / folder, ignore_errors=True)
