"""Airtime: publish ready programs, and record those whose time passed as missed.

A broadcast is claimed with one conditional update (`ready` → `aired` WHERE status='ready'): exactly one
process airs it, however many ticks, jobs or restarts look at it. A program whose airtime passed by more
than `schedule.misfire_grace` is marked `missed` and never aired late.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from scheduler.app import App
from scheduler.db.models import AsRun, Broadcast, Status
from scheduler.errors import PlayoutError
from scheduler.events import BroadcastAired, BroadcastFailed, BroadcastMissed, about
from scheduler.manifest import mark_manifest
from scheduler.playout import Airing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AirResult:
    broadcast_id: int
    status: str
    detail: str = ""


def mark_missed(app: App, now: datetime) -> list[AirResult]:
    """Every planned or ready broadcast whose airtime is more than the grace ago becomes `missed`."""
    deadline = now - app.config.schedule.misfire_grace
    results, missed_folders = [], []
    with app.db.session() as session:
        rows = session.scalars(
            select(Broadcast).where(
                Broadcast.status.in_([Status.PLANNED, Status.READY]), Broadcast.airtime < deadline
            )
        ).all()
        for row in rows:
            reason = (
                "chương trình chưa sẵn sàng"
                if row.status == Status.PLANNED
                else "dịch vụ không chạy lúc đến giờ phát"
            )
            claimed = session.execute(
                update(Broadcast)
                .where(Broadcast.id == row.id, Broadcast.status == row.status)
                .values(status=Status.MISSED, error=row.error or reason, updated_at=now)
            ).rowcount
            if not claimed:
                continue
            session.add(
                AsRun(broadcast_id=row.id, scheduled_at=row.airtime, outcome=Status.MISSED, detail=reason)
            )
            app.events.record(session, BroadcastMissed(at=now, reason=reason, **about(row)))  # type: ignore[arg-type]
            results.append(AirResult(row.id, Status.MISSED, reason))
            if row.folder:
                missed_folders.append(app.config.playout.dir / row.folder)
    for folder in missed_folders:
        mark_manifest(folder, Status.MISSED)
    return results


def due_for_air(app: App, now: datetime) -> list[Broadcast]:
    """Broadcasts whose airtime has come and is still within the grace."""
    earliest = now - app.config.schedule.misfire_grace
    with app.db.session() as session:
        return list(
            session.scalars(
                select(Broadcast)
                .where(
                    Broadcast.status.in_([Status.PLANNED, Status.READY]),
                    Broadcast.airtime <= now,
                    Broadcast.airtime >= earliest,
                )
                .order_by(Broadcast.airtime, Broadcast.zone_id)
            ).all()
        )


def claim(app: App, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Mark a ready broadcast aired, if it still is ready and within the grace; None otherwise.

    The conditional update is the lock: exactly one process (and one tick) gets the row.
    """
    earliest = now - app.config.schedule.misfire_grace
    with app.db.session() as session:
        claimed = session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == Status.READY,
                Broadcast.airtime >= earliest,
                Broadcast.airtime <= now,
            )
            .values(status=Status.AIRED, aired_at=now, updated_at=now)
        ).rowcount
        row = session.get(Broadcast, broadcast_id)
    return row if claimed and row is not None else None


def air(app: App, broadcast_id: int, now: datetime) -> AirResult | None:
    """Claim a ready broadcast and run the playout adapters; None if another process got it first."""
    row = claim(app, broadcast_id, now)
    return publish(app, row, now) if row is not None else None


def publish(app: App, row: Broadcast, now: datetime) -> AirResult:
    """Run the playout adapters for a claimed broadcast; any failure makes it `failed`, loudly."""
    broadcast_id = row.id
    lateness = (now - row.airtime).total_seconds()
    airing = Airing(
        folder=app.config.playout.dir / (row.folder or ""),
        day=row.day,
        slot=row.slot_id,
        zone=row.zone_id,
        airtime=row.airtime,
        aired_at=now.astimezone(app.config.tz),
    )
    details, error = [], None
    for adapter in app.adapters:
        try:
            details.append(f"{adapter.name}: {adapter.publish(airing) or 'ok'}")
        except PlayoutError as exc:
            error = str(exc)
            log.error(
                "playout failed broadcast=%s zone=%s slot=%s adapter=%s exit_status=%s error=%s",
                broadcast_id,
                row.zone_id,
                row.slot_id,
                exc.adapter,
                exc.exit_status,
                exc.message,
            )
            break
        except Exception as exc:  # the row is already claimed: any failure must end as `failed`, not lost
            error = f"{adapter.name}: lỗi không lường trước khi phát: {exc}"
            log.exception(
                "playout crashed broadcast=%s zone=%s adapter=%s", broadcast_id, row.zone_id, adapter.name
            )
            break
    with app.db.session() as session:
        session.add(
            AsRun(
                broadcast_id=row.id,
                scheduled_at=row.airtime,
                started_at=now,
                lateness_s=lateness,
                outcome=Status.AIRED if error is None else Status.FAILED,
                detail="; ".join(details) if error is None else error,
            )
        )
        if error is None:
            app.events.record(
                session,
                BroadcastAired(
                    at=now,
                    lateness_s=round(lateness, 3),
                    adapters=tuple(a.name for a in app.adapters),
                    **about(row),
                ),  # type: ignore[arg-type]
            )
            result = AirResult(row.id, Status.AIRED, "; ".join(details))
        else:
            session.execute(
                update(Broadcast)
                .where(Broadcast.id == row.id)
                .values(status=Status.FAILED, error=error, updated_at=now)
            )
            app.events.record(session, BroadcastFailed(at=now, error=error, **about(row)))  # type: ignore[arg-type]
            result = AirResult(row.id, Status.FAILED, error)
    if error is not None:
        mark_manifest(airing.folder, Status.FAILED)
    return result
