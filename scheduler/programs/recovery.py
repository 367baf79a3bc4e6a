"""After a crash: what a dead process left `airing` is resolved, and manifests agree with their rows.

A row left `airing` by a process that is gone is finished from its manifest when the manifest says so,
aired again when nothing had been published and the grace allows, and otherwise `failed` with reason
`interrupted` — never silently `aired`. So is a row a living process left `airing` when no player plays it
and its claim is older than any publication takes (`STALLED`): the commit of its outcome failed (the database
lost for a moment), and nothing else would ever finish it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update

from loa114.scheduler.db.models import FINAL, Broadcast, Status
from loa114.scheduler.db.rows import update_rows
from loa114.scheduler.events import BroadcastRequeued, about
from loa114.scheduler.playout.manifest import read_status
from loa114.scheduler.programs import outcomes
from loa114.scheduler.programs.airing import AirResult, OnAir, mark_safely
from loa114.scheduler.programs.runs import SLACK, alive_runs

STALLED = timedelta(minutes=2)  # a publication with no player (the folder's stamp) takes under a second


def resolve_interrupted(on_air: OnAir, now: datetime, run_id: int | None) -> list[AirResult]:
    """Resolve the rows left `airing` by processes that are no longer alive (not by `run_id`, ours), and
    those whose publication stalled (`STALLED`, any process's)."""
    results = []
    for row in _orphans(on_air, now, run_id):
        folder = on_air.config.playout.dir / (row.folder or "")
        written = read_status(folder)
        if written is not None and (
            written in (Status.AIRED, Status.FAILED) or (written == Status.PUBLISHED and not on_air.plays)
        ):
            status, reason, detail = written, None, "đã hoàn tất nhưng chưa kịp ghi kết quả (theo manifest)"
            if written == Status.FAILED:
                reason, detail = outcomes.PLAYOUT_FAILED, outcomes.sentence(outcomes.PLAYOUT_FAILED)
        elif written != Status.PUBLISHED and row.airtime >= now - on_air.config.schedule.misfire_grace:
            if _requeue(on_air, row, now):
                results.append(
                    AirResult(row.id, Status.READY, "phát lại: chưa phát gì trước khi dịch vụ dừng")
                )
            continue
        else:
            status, reason = Status.FAILED, outcomes.INTERRUPTED
            detail = outcomes.sentence(reason)
            mark_safely(folder, Status.FAILED, error=detail)
        if on_air.finish(row, status, now, reason=reason, detail=detail):
            results.append(AirResult(row.id, status, detail))
    return results


def _orphans(on_air: OnAir, now: datetime, run_id: int | None) -> list[Broadcast]:
    with on_air.store.session() as session:
        alive = alive_runs(session, now) | ({run_id} if run_id is not None else set())
        left: list[ColumnElement[bool]] = [Broadcast.claimed_by.is_(None), Broadcast.claimed_by.not_in(alive)]
        if not on_air.plays:  # a player's program may play for minutes: only its process's death ends it
            left.append(Broadcast.aired_at < now - STALLED)
        rows = session.scalars(select(Broadcast).where(Broadcast.status == Status.AIRING, or_(*left))).all()
    # a row claimed by a command without a run is its own for a moment
    return [r for r in rows if not (r.claimed_by is None and r.aired_at and r.aired_at > now - SLACK)]


def _requeue(on_air: OnAir, row: Broadcast, now: datetime) -> bool:
    """Nothing was published before the claiming process died: the program is ready to be aired again."""
    with on_air.store.session() as session:
        done = update_rows(
            session,
            update(Broadcast)
            .where(
                Broadcast.id == row.id,
                Broadcast.status == Status.AIRING,
                Broadcast.claimed_by == row.claimed_by,
            )
            .values(status=Status.READY, claimed_by=None, aired_at=None, updated_at=now),
        )
        if done:
            on_air.store.record(session, BroadcastRequeued(at=now, **about(row)))
    return bool(done)


def reconcile_manifests(on_air: OnAir, since: datetime) -> int:
    """Make manifests agree with rows that reached a final state since `since` (a crash may have come
    between the row's update and the manifest's); returns how many were rewritten."""
    with on_air.store.session() as session:
        rows = session.execute(
            select(Broadcast.folder, Broadcast.status, Broadcast.error).where(
                Broadcast.status.in_(FINAL), Broadcast.updated_at >= since, Broadcast.folder.is_not(None)
            )
        ).all()
    fixed = 0
    for folder, status, error in rows:
        path = on_air.config.playout.dir / str(folder)  # never None: the query asks for a folder
        written = read_status(path)
        if written is not None and written != status:
            fixed += mark_safely(
                path,
                status,
                error=error if status in (Status.MISSED, Status.FAILED, Status.CANCELLED) else None,
            )
    return fixed
