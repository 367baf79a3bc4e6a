"""Airtime: claim a ready program, run the playout adapters, record what happened.

- Claim: one conditional update `ready → airing` within the grace, with the as-run start written in the
  same transaction. Exactly one process (and one job) gets the row; no lock is needed, so nothing else the
  service does can hold airing up.
- Publish: the adapters run in order, the folder first. The manifest is written before the row: `aired`
  when an adapter played it, `published` when only the folder received it, `failed` with the error.

What did not air is in `missed`; what a dead process left airing, in `recovery`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.orm import Session

from loa114.scheduler.config import Config
from loa114.scheduler.db.models import AsRun, Broadcast, Status
from loa114.scheduler.db.rows import upsert
from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.events import BroadcastAired, BroadcastFailed, BroadcastPublished, about
from loa114.scheduler.playout import Airing, PlayoutAdapter
from loa114.scheduler.playout.manifest import mark_manifest
from loa114.scheduler.programs import outcomes
from loa114.scheduler.store import Joint, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the adapters made of one claimed broadcast, before its row records it."""

    row: Broadcast
    status: str
    detail: str
    reason: str | None


@dataclass(frozen=True)
class AirResult:
    broadcast_id: int
    status: str
    detail: str = ""
    lateness_s: float | None = None


class OnAir:
    """Airtime for one commune: what is due, claiming it, publishing it through the adapters."""

    def __init__(self, config: Config, store: Store, adapters: list[PlayoutAdapter]) -> None:
        self.config = config
        self.store = store
        self.adapters = adapters

    @property
    def plays(self) -> bool:
        """Some adapter plays programs itself (a player command), not only publishes them."""
        return any(adapter.plays for adapter in self.adapters)

    def unready(self, now: datetime) -> list[Broadcast]:
        """Broadcasts whose airtime has come (within the grace) and whose program is not built yet."""
        earliest = now - self.config.schedule.misfire_grace
        with self.store.session() as session:
            query = (
                select(Broadcast)
                .where(
                    Broadcast.status == Status.PLANNED,
                    Broadcast.airtime <= now,
                    Broadcast.airtime >= earliest,
                )
                .order_by(Broadcast.airtime, Broadcast.zone_id)
            )
            return list(session.scalars(query).all())

    def claim(self, broadcast_id: int, now: datetime, run_id: int | None) -> Broadcast | None:
        """`ready → airing` if it still is ready and within the grace; None when another process got it."""
        claimed = self._claim(now, run_id, Broadcast.id == broadcast_id)
        return claimed[0] if claimed else None

    def claim_due(self, now: datetime, run_id: int | None, *, joint: Joint | None = None) -> list[Broadcast]:
        """Every ready broadcast whose airtime has come, within the grace, `ready → airing` by one
        conditional `UPDATE … RETURNING` and one commit (at 05:30 a commune's zones are claimed together;
        in a `joint` transaction, a shard of communes' are); the rows another process got first are not
        returned. In airtime and zone order."""
        return self._claim(now, run_id, joint=joint)

    def _claim(
        self, now: datetime, run_id: int | None, *only: ColumnElement[bool], joint: Joint | None = None
    ) -> list[Broadcast]:
        earliest = now - self.config.schedule.misfire_grace
        with self.store.session(joint) as session:
            rows = session.scalars(
                update(Broadcast)
                .where(
                    Broadcast.status == Status.READY,
                    Broadcast.airtime >= earliest,
                    Broadcast.airtime <= now,
                    *only,
                )
                .values(status=Status.AIRING, aired_at=now, claimed_by=run_id, updated_at=now)
                .returning(Broadcast)
                .execution_options(synchronize_session=False)
            ).all()
            record_as_runs(session, [AsRunEntry(row, now, Status.AIRING, None) for row in rows])
        return sorted(rows, key=lambda row: (row.airtime, row.zone_id))

    def publish_many(self, rows: Sequence[Broadcast], now: datetime) -> list[AirResult]:
        """Run the playout adapters for claimed broadcasts, each in turn (`play`: manifest first), then
        record every outcome in one commit: a commune's 05:30 costs one transaction, not one per zone."""
        return self.record([self.play(row, now) for row in rows], now)

    def play(self, row: Broadcast, now: datetime) -> Outcome:
        """Run the adapters and write the outcome into the manifest; the row is not touched yet."""
        airing = Airing(
            folder=self.config.playout.dir / (row.folder or ""),
            day=row.day,
            slot=row.slot_id,
            zone=row.zone_id,
            airtime=row.airtime,
            aired_at=now.astimezone(self.config.tz),
        )
        details, error, played = self._run_adapters(row, airing)
        status = Status.FAILED if error else Status.AIRED if played else Status.PUBLISHED
        if status != Status.PUBLISHED:  # the folder adapter already wrote `published`
            mark_safely(airing.folder, status, error=error, aired_at=airing.aired_at)
        reason = outcomes.PLAYOUT_FAILED if error else None
        return Outcome(row, status, error or "; ".join(details), reason)

    def record(
        self, played: Sequence[Outcome], now: datetime, *, joint: Joint | None = None
    ) -> list[AirResult]:
        """The outcomes into their rows, as-run records and events, in one commit (or in `joint`'s)."""
        finished = self.finish_many(played, now, joint=joint)
        return [
            AirResult(
                o.row.id,
                o.status if o.row.id in finished else Status.FAILED,
                o.detail,
                round((now - o.row.airtime).total_seconds(), 3),
            )
            for o in played
        ]

    def _run_adapters(self, row: Broadcast, airing: Airing) -> tuple[list[str], str | None, bool]:
        """(details, the first error, whether a player played it); the adapters after an error do not run."""
        details, played = [], False
        for adapter in self.adapters:
            try:
                details.append(f"{adapter.name}: {adapter.publish(airing) or 'ok'}")
                played |= adapter.plays
            except PlayoutError as exc:
                log.error(
                    "playout failed broadcast=%s zone=%s slot=%s adapter=%s exit_status=%s error=%s",
                    row.id, row.zone_id, row.slot_id, exc.adapter, exc.exit_status, exc.message,
                )  # fmt: skip
                return details, str(exc), played
            except Exception as exc:  # the row is claimed: any failure must end as `failed`, not lost
                log.exception(
                    "playout crashed broadcast=%s zone=%s adapter=%s", row.id, row.zone_id, adapter.name
                )
                return details, f"{adapter.name}: lỗi không lường trước khi phát: {exc}", played
        return details, None, played

    def finish(self, row: Broadcast, status: str, now: datetime, *, reason: str | None, detail: str) -> bool:
        """airing → `status`, with its as-run outcome and event; False if the row was resolved meanwhile."""
        return row.id in self.finish_many([Outcome(row, status, detail, reason)], now)

    def finish_many(
        self, played: Sequence[Outcome], now: datetime, *, joint: Joint | None = None
    ) -> set[int]:
        """`finish` for many rows in one transaction (its own, or `joint`): one guarded UPDATE per kind of
        outcome (at 05:30 all are `published`), the as-run records and the events together. Returns the ids
        finished here."""
        if not played:
            return set()
        groups: dict[tuple[str, str | None, str | None], list[int]] = defaultdict(list)
        for o in played:
            groups[(o.status, o.reason, o.detail if o.status == Status.FAILED else None)].append(o.row.id)
        table = cast("Table", Broadcast.__table__)  # Core: no ORM objects to keep in step
        with self.store.session(joint) as session:
            finished: set[int] = set()
            for (status, reason, error), ids in groups.items():
                finished.update(
                    session.connection()
                    .execute(
                        update(table)
                        .where(table.c.id.in_(ids), table.c.status == Status.AIRING)
                        .values(status=status, reason=reason, error=error, updated_at=now)
                        .returning(table.c.id)
                    )
                    .scalars()
                )
            done = [o for o in played if o.row.id in finished]
            for o in played:
                if o.row.id not in finished:
                    log.warning("broadcast %s was resolved by another process while airing", o.row.id)
            record_as_runs(
                session, [AsRunEntry(o.row, o.row.aired_at or now, o.status, o.detail) for o in done]
            )
            self.store.record_many(
                session, [self._event(o.row, o.status, now, o.reason, o.detail) for o in done]
            )
        return finished

    def _event(
        self, row: Broadcast, status: str, now: datetime, reason: str | None, detail: str
    ) -> BroadcastAired | BroadcastPublished | BroadcastFailed:
        lateness = round(((row.aired_at or now) - row.airtime).total_seconds(), 3)
        adapters = tuple(a.name for a in self.adapters)
        if status == Status.AIRED:
            return BroadcastAired(at=now, lateness_s=lateness, adapters=adapters, **about(row))
        if status == Status.PUBLISHED:
            return BroadcastPublished(at=now, lateness_s=lateness, adapters=adapters, **about(row))
        return BroadcastFailed(at=now, error=detail, reason=reason or outcomes.PLAYOUT_FAILED, **about(row))


@dataclass(frozen=True)
class AsRunEntry:
    row: Broadcast
    started_at: datetime | None
    outcome: str
    detail: str | None


def record_as_run(
    session: Session, row: Broadcast, *, started_at: datetime | None, outcome: str, detail: str | None
) -> None:
    """The one as-run record of a broadcast: written at claim (or when it is missed), completed after."""
    record_as_runs(session, [AsRunEntry(row, started_at, outcome, detail)])


def record_as_runs(session: Session, entries: Sequence[AsRunEntry]) -> None:
    """`record_as_run` for many rows, in one statement: a broadcast aired again (after a restart) has its
    record rewritten, not a second one."""
    values = [
        {
            "broadcast_id": e.row.id,
            "scheduled_at": e.row.airtime,
            "started_at": e.started_at,
            "lateness_s": None if e.started_at is None else (e.started_at - e.row.airtime).total_seconds(),
            "outcome": e.outcome,
            "detail": e.detail,
        }
        for e in entries
    ]
    upsert(session, AsRun, values, keys=["broadcast_id"])


def mark_safely(folder: Path, status: str, *, error: str | None = None, **stamps: datetime) -> bool:
    """Write the outcome into the manifest; a folder that cannot be written is logged, never raised."""
    try:
        return mark_manifest(folder, status, error=error, **stamps)
    except OSError as exc:
        log.error("manifest not updated folder=%s status=%s error=%s", folder, status, exc)
        return False
