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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from loa114.scheduler.config import Config
from loa114.scheduler.db.models import UNAIRED, AsRun, Broadcast, Status
from loa114.scheduler.db.rows import update_rows
from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.events import BroadcastAired, BroadcastFailed, BroadcastPublished, about
from loa114.scheduler.playout import Airing, PlayoutAdapter
from loa114.scheduler.playout.manifest import mark_manifest
from loa114.scheduler.programs import outcomes
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)


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

    def due(self, now: datetime) -> list[Broadcast]:
        """Broadcasts whose airtime has come and is still within the grace, not yet claimed."""
        earliest = now - self.config.schedule.misfire_grace
        with self.store.session() as session:
            query = (
                select(Broadcast)
                .where(Broadcast.status.in_(UNAIRED), Broadcast.airtime <= now, Broadcast.airtime >= earliest)
                .order_by(Broadcast.airtime, Broadcast.zone_id)
            )
            return list(session.scalars(query).all())

    def claim(self, broadcast_id: int, now: datetime, run_id: int | None) -> Broadcast | None:
        """`ready → airing` if it still is ready and within the grace; None when another process got it."""
        claimed = self.claim_many([broadcast_id], now, run_id)
        return claimed[0] if claimed else None

    def claim_many(self, ids: Sequence[int], now: datetime, run_id: int | None) -> list[Broadcast]:
        """`ready → airing` for each of `ids` still ready and within the grace, by one conditional
        `UPDATE … RETURNING` and one commit (at 05:30 a commune's zones are claimed together, not one commit
        each); the rows another process got meanwhile are left out. In airtime and zone order."""
        if not ids:
            return []
        earliest = now - self.config.schedule.misfire_grace
        with self.store.session() as session:
            won = session.scalars(
                update(Broadcast)
                .where(
                    Broadcast.id.in_(ids),
                    Broadcast.status == Status.READY,
                    Broadcast.airtime >= earliest,
                    Broadcast.airtime <= now,
                )
                .values(status=Status.AIRING, aired_at=now, claimed_by=run_id, updated_at=now)
                .returning(Broadcast.id)
                .execution_options(synchronize_session=False)
            ).all()
            if not won:
                return []
            rows = session.scalars(
                select(Broadcast).where(Broadcast.id.in_(won)).order_by(Broadcast.airtime, Broadcast.zone_id)
            ).all()
            record_as_runs(session, rows, started_at=now, outcome=Status.AIRING, detail=None)
        return list(rows)

    def publish(self, row: Broadcast, now: datetime) -> AirResult:
        """Run the playout adapters for a claimed broadcast and record the outcome (manifest, then row)."""
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
        detail = error or "; ".join(details)
        reason = outcomes.PLAYOUT_FAILED if error else None
        finished = self.finish(row, status, now, reason=reason, detail=detail)
        lateness = round((now - row.airtime).total_seconds(), 3)
        return AirResult(row.id, status if finished else Status.FAILED, detail, lateness)

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
        with self.store.session() as session:
            error = detail if status == Status.FAILED else None
            done = update_rows(
                session,
                update(Broadcast)
                .where(Broadcast.id == row.id, Broadcast.status == Status.AIRING)
                .values(status=status, reason=reason, error=error, updated_at=now),
            )
            if not done:
                log.warning("broadcast %s was resolved by another process while airing", row.id)
                return False
            record_as_run(session, row, started_at=row.aired_at or now, outcome=status, detail=detail)
            self.store.record(session, self._event(row, status, now, reason, detail))
        return True

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


def record_as_run(
    session: Session, row: Broadcast, *, started_at: datetime | None, outcome: str, detail: str | None
) -> None:
    """The one as-run record of a broadcast: written at claim (or when it is missed), completed after."""
    record_as_runs(session, [row], started_at=started_at, outcome=outcome, detail=detail)


def record_as_runs(
    session: Session,
    rows: Sequence[Broadcast],
    *,
    started_at: datetime | None,
    outcome: str,
    detail: str | None,
) -> None:
    """`record_as_run` for many rows: one read of the existing records, the new ones inserted together."""
    existing = {
        r.broadcast_id: r
        for r in session.scalars(select(AsRun).where(AsRun.broadcast_id.in_([row.id for row in rows])))
    }
    for row in rows:
        lateness = None if started_at is None else (started_at - row.airtime).total_seconds()
        record = existing.get(row.id)
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


def mark_safely(folder: Path, status: str, *, error: str | None = None, **stamps: datetime) -> bool:
    """Write the outcome into the manifest; a folder that cannot be written is logged, never raised."""
    try:
        return mark_manifest(folder, status, error=error, **stamps)
    except OSError as exc:
        log.error("manifest not updated folder=%s status=%s error=%s", folder, status, exc)
        return False
