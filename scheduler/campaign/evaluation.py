"""Evaluate every village on a date: record its state, announce changes, queue reminders and escalations.

Idempotent: a state is one row per (village, date), a notice one per (village, date, kind); evaluating the
same date twice changes nothing and queues nothing new. The database is read in a handful of set queries
(not per village), and a notice is only composed when it does not exist yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loa114.content.context import VillageCoverage
from loa114.scheduler.campaign.compose import compose
from loa114.scheduler.campaign.queue import NoticeDraft, queue_notice
from loa114.scheduler.campaign.rules import evaluate
from loa114.scheduler.campaign.store import latest_as_of
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Notice, VillageState
from loa114.scheduler.events import VillageLagging, VillageRecovered
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    day: date
    villages: list[VillageCoverage]
    started_lagging: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    reminders: list[int] = field(default_factory=list)
    escalations: list[int] = field(default_factory=list)

    @property
    def changed(self) -> list[str]:
        """Villages that started or stopped lagging: their zones' programs must be re-rendered."""
        return self.started_lagging + self.recovered


def evaluate_all(config: Config, store: Store, day: date, now: datetime) -> Evaluation:
    """Evaluate every village on `day`: states, changes, reminders and escalations, in one transaction."""
    with store.session() as session:
        latest = latest_as_of(session, day)
        villages = [evaluate(v, latest.get(v.id), config.campaign, day) for v in config.villages]
        result = Evaluation(day, villages)
        _record_states(store, session, result, now)
        lagging = [v for v in villages if v.lagging]
        queued = set(session.execute(select(Notice.village_id, Notice.kind).where(Notice.day == day)))
        for coverage in lagging:
            if (coverage.id, "reminder") not in queued:
                _queue(config, store, session, coverage, result, now=now)
        unescalated = [v for v in lagging if (v.id, "escalation") not in queued]
        _escalate(config, store, session, unescalated, result, now=now)
    log.info(
        "coverage evaluated day=%s villages=%d lagging=%d started_lagging=%s recovered=%s reminders=%d escalations=%d",
        day,
        len(villages),
        len(lagging),
        ",".join(result.started_lagging) or "-",
        ",".join(result.recovered) or "-",
        len(result.reminders),
        len(result.escalations),
    )
    return result


def _record_states(store: Store, session: Session, result: Evaluation, now: datetime) -> None:
    """Each village's state of `result.day`, and a lagging/recovered event where it changed since before."""
    day = result.day
    today = {s.village_id: s for s in session.scalars(select(VillageState).where(VillageState.day == day))}
    before = (
        select(VillageState.village_id, func.max(VillageState.day).label("day"))
        .where(VillageState.day < day)
        .group_by(VillageState.village_id)
        .subquery()
    )
    previous = dict(
        session.execute(
            select(VillageState.village_id, VillageState.lagging).join(
                before, and_(VillageState.village_id == before.c.village_id, VillageState.day == before.c.day)
            )
        ).all()
    )
    for coverage in result.villages:
        values = {
            "lagging": coverage.lagging,
            "reasons": list(coverage.reasons),
            "household_rate": coverage.household_rate,
            "install_rate": coverage.install_rate,
            "expected_rate": coverage.expected_rate,
        }
        state = today.get(coverage.id)
        if state is None:
            session.add(VillageState(village_id=coverage.id, day=day, evaluated_at=now, **values))
            was_lagging = previous.get(coverage.id, False)
        else:
            was_lagging = state.lagging
            if any(getattr(state, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(state, key, value)
                state.evaluated_at = now
        if coverage.lagging and not was_lagging:
            result.started_lagging.append(coverage.id)
            store.record(
                session,
                VillageLagging(at=now, village=coverage.id, day=day, reasons=coverage.reasons),
            )
        elif was_lagging and not coverage.lagging:
            result.recovered.append(coverage.id)
            store.record(session, VillageRecovered(at=now, village=coverage.id, day=day))
    session.flush()


def _queue(
    config: Config,
    store: Store,
    session: Session,
    coverage: VillageCoverage,
    result: Evaluation,
    *,
    now: datetime,
    kind: str = "reminder",
    reminder_count: int = 0,
    first_reminder: date | None = None,
) -> None:
    text, targets = compose(
        config, kind, coverage, result.day, reminder_count=reminder_count, first_reminder=first_reminder
    )
    draft = NoticeDraft(coverage.id, result.day, kind, coverage.reasons, text, targets)
    notice_id = queue_notice(store, session, draft, now)
    if notice_id is not None:
        (result.reminders if kind == "reminder" else result.escalations).append(notice_id)


def _escalate(
    config: Config,
    store: Store,
    session: Session,
    lagging: list[VillageCoverage],
    result: Evaluation,
    *,
    now: datetime,
) -> None:
    """After `escalate_after` reminders on different days with neither rate improving since the first of them."""
    needed = config.reminders.escalate_after
    due = _first_reminders(session, lagging, result.day, needed)
    if not due:
        return
    then = {
        (s.village_id, s.day): s
        for s in session.scalars(
            select(VillageState).where(
                VillageState.village_id.in_(due), VillageState.day.in_(set(due.values()))
            )
        )
    }
    for coverage in lagging:
        first = due.get(coverage.id)
        state = then.get((coverage.id, first)) if first else None
        if state is None:
            continue
        if coverage.household_rate > state.household_rate or coverage.install_rate > state.install_rate:
            continue  # progress since the first reminder: no escalation
        _queue(
            config,
            store,
            session,
            coverage,
            result,
            now=now,
            kind="escalation",
            reminder_count=needed,
            first_reminder=first,
        )


def _first_reminders(
    session: Session, lagging: list[VillageCoverage], day: date, needed: int
) -> dict[str, date]:
    """For each village with at least `needed` reminders, the day of the first of its last `needed`.

    Only reminders of the village's current lagging spell count: not those sent before it was last on
    track, and not cancelled ones (the village had caught up before they went out)."""
    if not lagging:
        return {}
    on_track = (
        select(VillageState.village_id, func.max(VillageState.day).label("day"))
        .where(VillageState.lagging.is_(False), VillageState.day < day)
        .group_by(VillageState.village_id)
        .subquery()
    )
    ranked = (
        select(
            Notice.village_id,
            Notice.day,
            func.row_number().over(partition_by=Notice.village_id, order_by=Notice.day.desc()).label("rank"),
        )
        .outerjoin(on_track, on_track.c.village_id == Notice.village_id)
        .where(
            Notice.kind == "reminder",
            Notice.day <= day,
            Notice.cancelled_at.is_(None),
            Notice.village_id.in_([v.id for v in lagging]),
            or_(on_track.c.day.is_(None), Notice.day > on_track.c.day),
        )
        .subquery()
    )
    recent: dict[str, list[date]] = {}
    rows = session.execute(
        select(ranked.c.village_id, ranked.c.day).where(ranked.c.rank <= needed).order_by(ranked.c.day.desc())
    )
    for village_id, reminder_day in cast("Iterable[tuple[str, date]]", rows):
        recent.setdefault(village_id, []).append(reminder_day)
    return {village_id: days[-1] for village_id, days in recent.items() if len(days) >= needed}


def evaluate_if_due(config: Config, store: Store, now: datetime) -> Evaluation | None:
    """The daily evaluation (staleness moves with the calendar): once a day from `reminders.evaluate_at`."""
    local = now.astimezone(config.tz)
    if local.time() < config.reminders.evaluate_at:
        return None
    with store.session() as session:
        done = session.scalar(select(VillageState.id).where(VillageState.day == local.date()).limit(1))
    if done is not None:
        return None
    try:
        return evaluate_all(config, store, local.date(), now)
    except IntegrityError:  # another process (an import, `loa coverage evaluate`) evaluated it just now
        return None
