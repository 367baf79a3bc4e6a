"""What did not air: a planned or ready program whose airtime passed by more than the grace is `missed`
— never aired late — with its true reason (`outcomes`): the service was down at airtime, or it ran and the
program was not ready, its build had failed, or it was ready and still not claimed within the grace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loa114.scheduler.config import Config
from loa114.scheduler.db.models import UNAIRED, Broadcast, Status
from loa114.scheduler.db.rows import update_rows
from loa114.scheduler.events import BroadcastMissed, about
from loa114.scheduler.programs import outcomes
from loa114.scheduler.programs.airing import AirResult, mark_safely, record_as_run
from loa114.scheduler.programs.runs import was_up
from loa114.scheduler.store import Store


def mark_missed(config: Config, store: Store, now: datetime) -> list[AirResult]:
    """Every planned or ready broadcast whose airtime is more than the grace ago becomes `missed`."""
    deadline = now - config.schedule.misfire_grace
    results, folders = [], []
    with store.session() as session:
        rows = session.scalars(
            select(Broadcast).where(Broadcast.status.in_(UNAIRED), Broadcast.airtime < deadline)
        ).all()
        for row in rows:
            code = missed_reason(session, row)
            text = outcomes.sentence(code, row.error if code == outcomes.RENDER_FAILED else None)
            missed = update_rows(
                session,
                update(Broadcast)
                .where(Broadcast.id == row.id, Broadcast.status == row.status)
                .values(status=Status.MISSED, reason=code, error=text, updated_at=now),
            )
            if not missed:
                continue  # another process settled it a moment ago
            record_as_run(session, row, started_at=None, outcome=Status.MISSED, detail=text)
            store.record(session, BroadcastMissed(at=now, reason=code, detail=text, **about(row)))
            results.append(AirResult(row.id, Status.MISSED, text))
            if row.folder:
                folders.append((config.playout.dir / row.folder, text))
    for folder, text in folders:
        mark_safely(folder, Status.MISSED, error=text)
    return results


def missed_reason(session: Session, row: Broadcast) -> str:
    """Why `row` did not air: the service was down at airtime, or what it lacked while it ran."""
    if not was_up(session, row.airtime):
        return outcomes.SERVICE_DOWN
    if row.status == Status.READY:
        return outcomes.NOT_AIRED
    return outcomes.RENDER_FAILED if row.error else outcomes.NOT_READY
