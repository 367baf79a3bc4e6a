"""Read-only views of the broadcast log for the CLI and the web. Stable JSON shapes.

Read through SQLAlchemy Core, not the ORM: `loa broadcasts list` is typed by people at a terminal, and
mapping the models would double its start-up (bench/normalize.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Row, bindparam, text

from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.status import UNAIRED
from loa114.scheduler.db.types import UTCDateTime
from loa114.scheduler.playout.manifest import read_manifest

_ROWS = """
        SELECT b.id, b.day, b.slot_id, b.zone_id, b.kind, b.airtime, b.status, b.reason, b.duration_s,
               b.offline_items, b.folder, b.aired_at, b.error, b.confirmed_by, b.confirmed_at,
               r.lateness_s,
               (SELECT count(*) FROM broadcast_items i WHERE i.broadcast_id = b.id) AS items
        FROM broadcasts b LEFT JOIN as_run r ON r.broadcast_id = b.id
"""

_DAY_QUERY = (
    text(_ROWS + "WHERE b.day = :day ORDER BY b.airtime, b.slot_id, b.zone_id")
    .bindparams(bindparam("day", type_=Date))
    .columns(day=Date, airtime=UTCDateTime, aired_at=UTCDateTime, confirmed_at=UTCDateTime)
)


_SPAN_QUERY = (
    text(
        _ROWS + "WHERE b.day BETWEEN :first AND :last AND b.status IN :statuses"
        " ORDER BY b.airtime DESC, b.slot_id, b.zone_id"
    )
    .bindparams(
        bindparam("first", type_=Date), bindparam("last", type_=Date), bindparam("statuses", expanding=True)
    )
    .columns(day=Date, airtime=UTCDateTime, aired_at=UTCDateTime, confirmed_at=UTCDateTime)
)


def broadcasts_on(config: Config, db: Database, day: date, now: datetime) -> list[dict[str, Any]]:
    """Every broadcast of `day` (commune-local date), in airtime order.

    `overdue` is derived as of `now`, from the rows alone: a program still planned or ready whose airtime
    passed by more than the grace did not air — even when no service is running to mark it missed."""
    with db.engine.connect() as connection:
        rows = connection.execute(_DAY_QUERY, {"day": day}).all()
    return [_listed(config, b, now) for b in rows]


def broadcasts_in(
    config: Config, db: Database, first: date, last: date, statuses: Sequence[str], now: datetime
) -> list[dict[str, Any]]:
    """The broadcasts of days `first`..`last` in one of `statuses`, latest first (the province's list of
    what did not air): one query, the same shape as `broadcasts_on`."""
    if not statuses:
        return []
    with db.engine.connect() as connection:
        params = {"first": first, "last": last, "statuses": list(statuses)}
        rows = connection.execute(_SPAN_QUERY, params).all()
    return [_listed(config, b, now) for b in rows]


def _listed(config: Config, b: Row[Any], now: datetime) -> dict[str, Any]:
    tz = config.tz
    deadline = now - config.schedule.misfire_grace
    return {
        "id": b.id,
        "commune": config.commune.id,
        "date": b.day.isoformat(),
        "slot": b.slot_id,
        "zone": b.zone_id,
        "zone_name": next((z.name for z in config.zones if z.id == b.zone_id), b.zone_id),
        "kind": b.kind,
        "airtime": b.airtime.astimezone(tz).isoformat(timespec="seconds"),
        "status": b.status,
        "overdue": b.status in UNAIRED and b.airtime < deadline,
        "reason": b.reason,
        "items": b.items,
        "duration_s": None if b.duration_s is None else round(b.duration_s, 1),
        "offline_items": b.offline_items,
        "folder": str(config.playout.dir / b.folder) if b.folder else None,
        "aired_at": b.aired_at.astimezone(tz).isoformat(timespec="seconds") if b.aired_at else None,
        "lateness_s": None if b.lateness_s is None else round(b.lateness_s, 3),
        "error": b.error,
        "confirmed_by": b.confirmed_by,
        "confirmed_at": (
            b.confirmed_at.astimezone(tz).isoformat(timespec="seconds") if b.confirmed_at else None
        ),
    }


def program_of(config: Config, folder: Path) -> dict[str, Any] | None:
    """The manifest of a built program (its items and the planner's decisions), or None."""
    return read_manifest(folder) if folder.is_relative_to(config.playout.dir) else None
