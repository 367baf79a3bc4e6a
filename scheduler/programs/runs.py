"""Service runs and their heartbeat: was the service up at a given moment, and is a run still alive?

Each `loa serve` process (and a CLI command that airs, such as `loa alert`) registers a run and beats every
`BEAT_INTERVAL`. A moment is covered when some run had started and had beaten within `SLACK` of it. That is
how a missed slot gets its true reason (the service was down, or it was up and the program not ready), and
how a restart tells a broadcast left `airing` by a dead process from one that another process is airing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from loa114.scheduler.db.models import ServiceRun

BEAT_INTERVAL = timedelta(seconds=4)
SLACK = BEAT_INTERVAL * 2 + timedelta(seconds=2)  # two beats missed: dead (another process takes over)
CATCH_UP = timedelta(days=7)  # how far back a restart accounts for occurrences it did not see


def start_run(session: Session, now: datetime, *, host: str, pid: int, role: str = "all") -> int:
    run = ServiceRun(host=host, pid=pid, role=role, started_at=now, beat_at=now)
    session.add(run)
    session.flush()
    return run.id


def beat(session: Session, run_id: int, now: datetime) -> int:
    """Record that run `run_id` is alive at `now`; returns the run id to use from now on.

    A run silent for longer than `SLACK` (the process was frozen, or a test jumped the clock) was not up
    meanwhile: that run is closed at its last beat and a new one starts, so `was_up` stays true to it."""
    run = session.get(ServiceRun, run_id)
    if run is None or run.beat_at >= now:
        return run_id
    if now - run.beat_at <= SLACK:
        run.beat_at = now
        return run_id
    run.stopped_at = run.beat_at
    return start_run(session, now, host=run.host, pid=run.pid, role=run.role)


def stop_run(session: Session, run_id: int, now: datetime) -> None:
    session.execute(update(ServiceRun).where(ServiceRun.id == run_id).values(stopped_at=now, beat_at=now))


def was_up(session: Session, at: datetime) -> bool:
    """Some run was alive at `at`: started before it, and neither stopped nor silent for long before it."""
    alive = select(ServiceRun.id).where(
        ServiceRun.started_at <= at,
        ServiceRun.beat_at >= at - SLACK,
        or_(ServiceRun.stopped_at.is_(None), ServiceRun.stopped_at >= at),
    )
    return session.scalar(alive.limit(1)) is not None


def alive_runs(session: Session, now: datetime) -> set[int]:
    """Runs that are still running: not stopped, and beaten within `SLACK`."""
    query = select(ServiceRun.id).where(ServiceRun.stopped_at.is_(None), ServiceRun.beat_at >= now - SLACK)
    return set(session.scalars(query))


def last_seen(session: Session, now: datetime, *, other_than: int | None = None) -> datetime | None:
    """The last moment any other run was seen alive (bounded to `CATCH_UP` ago); None on a fresh install."""
    query = select(func.max(ServiceRun.beat_at))
    if other_than is not None:
        query = query.where(ServiceRun.id != other_than)
    seen = session.scalar(query)
    if seen is None:
        return None
    return max(seen, now - CATCH_UP)
