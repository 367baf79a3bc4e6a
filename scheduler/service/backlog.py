"""What is waiting, measured at each heartbeat with three small counts (indexed columns), so `/healthz`
and `/metrics` answer from memory.

- `build`: broadcasts still `planned` whose airtime is within the schedule's horizon (or its grace, late);
- `air`: broadcasts `ready` within the same window, waiting for their airtime;
- `deliver`: deliveries of the outbox not yet sent whose next attempt is due now (held by quiet hours or
  waiting for the deliver lane; a delivery waiting for its backoff is not due yet);
- `by_state`: every broadcast row by state (for `loa114_broadcasts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loa114.scheduler.campaign.queue import PENDING
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Broadcast, Delivery, Status


@dataclass(frozen=True)
class Backlog:
    at: datetime
    build: int = 0
    air: int = 0
    deliver: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    def queues(self) -> dict[str, int]:
        return {"build": self.build, "air": self.air, "deliver": self.deliver}


def measure(session: Session, config: Config, now: datetime) -> Backlog:
    schedule = config.schedule
    ahead = (
        select(Broadcast.status, func.count())
        .where(
            Broadcast.status.in_((Status.PLANNED, Status.READY)),
            Broadcast.airtime >= now - schedule.misfire_grace,
            Broadcast.airtime <= now + timedelta(days=schedule.horizon_days),
        )
        .group_by(Broadcast.status)
    )
    waiting = {str(status): int(count) for status, count in session.execute(ahead).all()}
    due = select(func.count()).select_from(Delivery)
    due = due.where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
    by_state = select(Broadcast.status, func.count()).group_by(Broadcast.status)
    return Backlog(
        at=now,
        build=waiting.get(Status.PLANNED, 0),
        air=waiting.get(Status.READY, 0),
        deliver=int(session.scalar(due) or 0),
        by_state={str(status): int(count) for status, count in session.execute(by_state).all()},
    )
