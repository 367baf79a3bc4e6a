"""Airtime: claim a ready program, run the playout adapters, record what happened; account for misses.

- Claim: one conditional update `ready → airing` within the grace, with the as-run start written in the
  same transaction. Exactly one process (and one job) gets the row; no lock is needed, so nothing else the
  service does can hold airing up.
- Publish: the adapters run in order, the folder first. The manifest is written before the row: `aired`
  when an adapter played it, `published` when only the folder received it, `failed` with the error.
- Missed: a planned or ready program whose airtime passed by more than the grace is `missed`, never aired
  late, with the true reason (`outcomes`): the service was down, the program was not ready, its build
  failed, or it was ready while the service ran and still did not air.
- Interrupted: a row left `airing` by a process that died is resolved from its manifest — finished if the
  manifest says so, aired again if nothing could have started playing and the grace allows, else `failed`
  with reason `interrupted`. It is never silently `aired`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from scheduler.db.models import FINAL, UNAIRED, AsRun, Broadcast, Status
from scheduler.errors import PlayoutError
from scheduler.events import (
    BroadcastAired,
    BroadcastFailed,
    BroadcastMissed,
    BroadcastPublished,
    BroadcastRequeued,
    about,
)
from scheduler.playout import Airing
from scheduler.playout.manifest import mark_manifest, read_status
from scheduler.programs import outcomes
from scheduler.service.app import App
from scheduler.service.runs import SLACK, alive_runs, was_up

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AirResult:
    broadcast_id: int
    status: str
    detail: str = ""
    lateness_s: float | None = None


def due_for_air(app: App, now: datetime) -> list[Broadcast]:
    """Broadcasts whose airtime has come and is still within the grace, not yet claimed."""
    earliest = now - app.config.schedule.misfire_grace
    with app.db.session() as session:
        return list(
            session.scalars(
                select(Broadcast)
                .where(Broadcast.status.in_(UNAIRED), Broadcast.airtime <= now, Broadcast.airtime >= earliest)
                .order_by(Broadcast.airtime, Broadcast.zone_id)
            ).all()
        )


def claim(app: App, broadcast_id: int, now: datetime, run_id: int | None) -> Broadcast | None:
    """`ready → airing` if it still is ready and within the grace; None when another process got it."""
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
            .values(status=Status.AIRING, aired_at=now, claimed_by=run_id, updated_at=now)
        ).rowcount
        if not claimed:
            return None
        row = session.get(Broadcast, broadcast_id)
        assert row is not None
        _as_run(session, row, started_at=now, outcome=Status.AIRING, detail=None)
    return row


def publish(app: App, row: Broadcast, now: datetime) -> AirResult:
    """Run the playout adapters for a claimed broadcast and record the outcome (manifest, then row)."""
    airing = Airing(
        folder=app.config.playout.dir / (row.folder or ""),
        day=row.day,
        slot=row.slot_id,
        zone=row.zone_id,
        airtime=row.airtime,
        aired_at=now.astimezone(app.config.tz),
    )
    details, error, played = [], None, False
    for adapter in app.adapters:
        try:
            details.append(f"{adapter.name}: {adapter.publish(airing) or 'ok'}")
            played |= adapter.plays
        except PlayoutError as exc:
            error = str(exc)
            log.error(
                "playout failed broadcast=%s zone=%s slot=%s adapter=%s exit_status=%s error=%s",
                row.id, row.zone_id, row.slot_id, exc.adapter, exc.exit_status, exc.message,
            )  # fmt: skip
            break
        except Exception as exc:  # the row is claimed: any failure must end as `failed`, not lost
            error = f"{adapter.name}: lỗi không lường trước khi phát: {exc}"
            log.exception(
                "playout crashed broadcast=%s zone=%s adapter=%s", row.id, row.zone_id, adapter.name
            )
            break
    status = Status.FAILED if error else Status.AIRED if played else Status.PUBLISHED
    if status != Status.PUBLISHED:  # the folder adapter already wrote `published`
        _mark(airing.folder, status, error=error, aired_at=airing.aired_at)
    detail = error or "; ".join(details)
    finished = _finish(
        app, row, status, now, reason=outcomes.PLAYOUT_FAILED if error else None, detail=detail
    )
    lateness = (now - row.airtime).total_seconds()
    return AirResult(row.id, status if finished else Status.FAILED, detail, round(lateness, 3))


def _finish(app: App, row: Broadcast, status: str, now: datetime, *, reason: str | None, detail: str) -> bool:
    """airing → `status`, with its as-run outcome and event; False if the row was resolved meanwhile."""
    with app.db.session() as session:
        error = detail if status == Status.FAILED else None
        done = session.execute(
            update(Broadcast)
            .where(Broadcast.id == row.id, Broadcast.status == Status.AIRING)
            .values(status=status, reason=reason, error=error, updated_at=now)
        ).rowcount
        if not done:
            log.warning("broadcast %s was resolved by another process while airing", row.id)
            return False
        _as_run(session, row, started_at=row.aired_at or now, outcome=status, detail=detail)
        app.events.record(session, _outcome_event(app, row, status, now, reason, detail))
    return True


def _outcome_event(
    app: App, row: Broadcast, status: str, now: datetime, reason: str | None, detail: str
) -> BroadcastAired | BroadcastPublished | BroadcastFailed:
    lateness = round(((row.aired_at or now) - row.airtime).total_seconds(), 3)
    adapters = tuple(a.name for a in app.adapters)
    if status == Status.AIRED:
        return BroadcastAired(at=now, lateness_s=lateness, adapters=adapters, **about(row))
    if status == Status.PUBLISHED:
        return BroadcastPublished(at=now, lateness_s=lateness, adapters=adapters, **about(row))
    return BroadcastFailed(at=now, error=detail, reason=reason or outcomes.PLAYOUT_FAILED, **about(row))


def _as_run(
    session: Session, row: Broadcast, *, started_at: datetime, outcome: str, detail: str | None
) -> None:
    """The one as-run record of a broadcast: written at claim, completed with the outcome."""
    lateness = (started_at - row.airtime).total_seconds()
    record = session.scalar(select(AsRun).where(AsRun.broadcast_id == row.id))
    if record is None:
        session.add(
            AsRun(
                broadcast_id=row.id,
                scheduled_at=row.airtime,
                started_at=started_at,
                lateness_s=lateness,
                outcome=outcome,
                detail=detail,
            )
        )
    else:
        record.started_at, record.lateness_s = started_at, lateness
        record.outcome, record.detail = outcome, detail


def mark_missed(app: App, now: datetime) -> list[AirResult]:
    """Every planned or ready broadcast whose airtime is more than the grace ago becomes `missed`."""
    deadline = now - app.config.schedule.misfire_grace
    results, folders = [], []
    with app.db.session() as session:
        rows = session.scalars(
            select(Broadcast).where(Broadcast.status.in_(UNAIRED), Broadcast.airtime < deadline)
        ).all()
        for row in rows:
            code = missed_reason(session, row)
            detail = row.error if code == outcomes.RENDER_FAILED else None
            text = outcomes.sentence(code, detail)
            missed = session.execute(
                update(Broadcast)
                .where(Broadcast.id == row.id, Broadcast.status == row.status)
                .values(status=Status.MISSED, reason=code, error=text, updated_at=now)
            ).rowcount
            if not missed:
                continue
            session.add(
                AsRun(broadcast_id=row.id, scheduled_at=row.airtime, outcome=Status.MISSED, detail=text)
            )
            app.events.record(session, BroadcastMissed(at=now, reason=code, detail=text, **about(row)))
            results.append(AirResult(row.id, Status.MISSED, text))
            if row.folder:
                folders.append((app.config.playout.dir / row.folder, text))
    for folder, text in folders:
        _mark(folder, Status.MISSED, error=text)
    return results


def missed_reason(session: Session, row: Broadcast) -> str:
    """Why `row` did not air: the service was down at airtime, or what it lacked while it ran."""
    if not was_up(session, row.airtime):
        return outcomes.SERVICE_DOWN
    if row.status == Status.READY:
        return outcomes.NOT_AIRED
    return outcomes.RENDER_FAILED if row.error else outcomes.NOT_READY


def resolve_interrupted(app: App, now: datetime, run_id: int | None) -> list[AirResult]:
    """Rows left `airing` by a process that is gone: finish them from their manifest, air them again if
    nothing could have started playing and the grace allows, else `failed` with reason `interrupted`."""
    plays = any(adapter.plays for adapter in app.adapters)
    grace = app.config.schedule.misfire_grace
    results = []
    with app.db.session() as session:
        alive = alive_runs(session, now) | ({run_id} if run_id is not None else set())
        rows = session.scalars(
            select(Broadcast).where(
                Broadcast.status == Status.AIRING,
                or_(Broadcast.claimed_by.is_(None), Broadcast.claimed_by.not_in(alive)),
            )
        ).all()
    for row in rows:
        if row.claimed_by is None and row.aired_at is not None and row.aired_at > now - SLACK:
            continue  # claimed by a command without a run moments ago: still in its hands
        folder = app.config.playout.dir / (row.folder or "")
        written = read_status(folder)
        if written in (Status.AIRED, Status.FAILED) or (written == Status.PUBLISHED and not plays):
            status, reason, detail = written, None, "hoàn tất trước khi dịch vụ dừng (theo manifest)"
            if written == Status.FAILED:
                reason, detail = outcomes.PLAYOUT_FAILED, outcomes.sentence(outcomes.PLAYOUT_FAILED)
        elif written != Status.PUBLISHED and row.airtime >= now - grace:
            if _requeue(app, row, now):
                results.append(
                    AirResult(row.id, Status.READY, "phát lại: chưa phát gì trước khi dịch vụ dừng")
                )
            continue
        else:
            status, reason = Status.FAILED, outcomes.INTERRUPTED
            detail = outcomes.sentence(reason)
            _mark(folder, Status.FAILED, error=detail)
        if _finish(app, row, status, now, reason=reason, detail=detail):
            results.append(AirResult(row.id, status, detail))
    return results


def _requeue(app: App, row: Broadcast, now: datetime) -> bool:
    """Nothing was published before the claiming process died: the program is ready to be aired again."""
    with app.db.session() as session:
        done = session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == row.id,
                Broadcast.status == Status.AIRING,
                Broadcast.claimed_by == row.claimed_by,
            )
            .values(status=Status.READY, claimed_by=None, aired_at=None, updated_at=now)
        ).rowcount
        if done:
            app.events.record(session, BroadcastRequeued(at=now, **about(row)))
    return bool(done)


def reconcile_manifests(app: App, since: datetime) -> int:
    """Make manifests agree with rows that reached a final state since `since` (a crash may have come
    between the row's update and the manifest's); returns how many were rewritten."""
    with app.db.session() as session:
        rows = session.execute(
            select(Broadcast.folder, Broadcast.status, Broadcast.error).where(
                Broadcast.status.in_(FINAL), Broadcast.updated_at >= since, Broadcast.folder.is_not(None)
            )
        ).all()
    fixed = 0
    for folder, status, error in rows:
        path = app.config.playout.dir / folder
        written = read_status(path)
        if written is not None and written != status:
            fixed += _mark(path, status, error=error if status in (Status.MISSED, Status.FAILED) else None)
    return fixed


def _mark(folder: Path, status: str, *, error: str | None = None, **stamps: datetime) -> bool:
    """Write the outcome into the manifest; a folder that cannot be written is logged, never raised."""
    try:
        return mark_manifest(folder, status, error=error, **stamps)
    except OSError as exc:
        log.error("manifest not updated folder=%s status=%s error=%s", folder, status, exc)
        return False
