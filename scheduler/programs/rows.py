"""The broadcast rows: one per scheduled occurrence (day, slot, zone), created ahead for the horizon (and
after a restart for the occurrences it did not see), and the recent history the rotation rule reads. The
unique constraint, not a lock, settles two processes creating the same row."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.scheduler.config import Config
from loa114.scheduler.db.models import UNAIRED, Broadcast, Status
from loa114.scheduler.db.rows import get_or_insert, insert_missing
from loa114.scheduler.playout.manifest import folder_for
from loa114.scheduler.programs.planner import ROTATION_WINDOW, occurrences


@dataclass(frozen=True, order=True)
class BroadcastKey:
    """What makes a broadcast unique: its day (commune-local), its slot (or alert id) and its zone."""

    day: date
    slot: str
    zone: str

    def folder(self, root: Path) -> Path:
        """Its playout folder: `<root>/<date>/<slot>/<zone>`."""
        return folder_for(root, self.day, self.slot, self.zone)

    @classmethod
    def of(cls, row: Broadcast) -> BroadcastKey:
        return cls(row.day, row.slot_id, row.zone_id)


def ensure_broadcast(
    session: Session, key: BroadcastKey, *, airtime: datetime, kind: str, now: datetime
) -> Broadcast:
    """The row for `key`, created `planned` if missing."""
    query = select(Broadcast).where(
        Broadcast.day == key.day, Broadcast.slot_id == key.slot, Broadcast.zone_id == key.zone
    )

    def new() -> Broadcast:
        return Broadcast(
            day=key.day,
            slot_id=key.slot,
            zone_id=key.zone,
            kind=kind,
            airtime=airtime,
            status=Status.PLANNED,
            updated_at=now,
        )

    row, _ = get_or_insert(session, query, new)
    return row


def recent_programs(session: Session, key: BroadcastKey, before: datetime) -> list[set[str]]:
    """Script ids of the last programs of this slot and zone that were (or will be) heard, newest first."""
    rows = session.scalars(
        select(Broadcast)
        .where(
            Broadcast.slot_id == key.slot,
            Broadcast.zone_id == key.zone,
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
        BroadcastKey(o.day, o.slot.id, zone_id): o.airtime
        for o in occurrences(config, start, end)
        for zone_id in config.slot_zones(o.slot)
    }
    existing = {
        BroadcastKey.of(row): row
        for row in session.scalars(
            select(Broadcast).where(
                Broadcast.kind == "slot", Broadcast.airtime >= start, Broadcast.airtime < end
            )
        )
    }
    missing = [
        {"day": key.day, "slot_id": key.slot, "zone_id": key.zone, "kind": "slot", "airtime": airtime,
         "status": Status.PLANNED, "updated_at": now}
        for key, airtime in sorted(wanted.items())
        if key not in existing
    ]  # fmt: skip
    insert_missing(session, Broadcast, missing, ("day", "slot_id", "zone_id"))  # one statement
    for key, airtime in wanted.items():
        row = existing.get(key)
        if row is not None and row.airtime != airtime and row.status in UNAIRED:  # the slot's time changed
            row.airtime, row.updated_at = airtime, now
    removed = []
    for key, row in existing.items():
        if key not in wanted and row.status in UNAIRED and row.airtime > now:
            if row.folder:
                removed.append(row.folder)
            session.delete(row)
    return removed


def remove_folders(root: Path, folders: list[str]) -> None:
    """The playout folders of programs the schedule dropped (never aired, never to air)."""
    for folder in folders:
        shutil.rmtree(root / folder, ignore_errors=True)
