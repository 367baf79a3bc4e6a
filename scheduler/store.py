"""The database and its audit trail together: what every room that changes state is given.

`with store.session() as session:` is one transaction; `store.record(session, event)` adds the event's
audit row to it, and the event reaches its subscribers (the log) only once that transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from loa114.scheduler.db.engine import Database
from loa114.scheduler.events import DomainEvent, EventLog


@dataclass(frozen=True)
class Store:
    db: Database
    events: EventLog

    @classmethod
    def open(cls, db: Database, events: EventLog | None = None) -> Store:
        """A store whose events are emitted after each commit of `db`'s sessions."""
        log = events or EventLog()
        log.watch(db.sessions)
        return cls(db, log)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    def record(self, session: Session, event: DomainEvent, *, actor: str | None = None) -> None:
        """Audit `event` in this transaction; `actor`: the user or token that caused it (None: the service)."""
        self.events.record(session, event, actor=actor)

    def record_many(self, session: Session, events: Sequence[DomainEvent]) -> None:
        """Audit the service's `events` in this transaction, together."""
        self.events.record_many(session, events)
