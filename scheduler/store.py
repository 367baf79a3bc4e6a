"""The database and its audit trail together: what every room that changes state is given.

`with store.session() as session:` is one transaction; `store.record(session, event)` adds the event's
audit row to it, and the event reaches its subscribers (the log) only once that transaction commits.

A fleet process keeps many communes' stores on one pool; `joint(engine)` is one transaction for several of
them (`store.session(joint)` switches it to that store's schema): at 05:30 a shard of a province's communes
is claimed with one commit, not one per commune.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
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
    def session(self, joint: Joint | None = None) -> Iterator[Session]:
        """One transaction of this store's own, or (`joint`) this store's part of a joint one."""
        if joint is not None:
            yield joint.enter(self)
            return
        with self.db.session() as session:
            yield session

    def record(self, session: Session, event: DomainEvent, *, actor: str | None = None) -> None:
        """Audit `event` in this transaction; `actor`: the user or token that caused it (None: the service)."""
        self.events.record(session, event, actor=actor)

    def record_many(self, session: Session, events: Sequence[DomainEvent]) -> None:
        """Audit the service's `events` in this transaction, together."""
        self.events.record_many(session, events)


@dataclass
class Joint:
    """A transaction shared by the stores of several communes on one pool (see `joint`)."""

    session: Session
    stores: list[Store] = field(default_factory=list)

    def enter(self, store: Store) -> Session:
        """The shared session, its following statements in `store`'s schema."""
        store.db.switch_to(self.session.connection())
        if store not in self.stores:
            self.stores.append(store)
        return self.session


@contextmanager
def joint(engine: Engine) -> Iterator[Joint]:
    """One transaction for several stores whose databases share `engine`'s pool: all of it commits or none
    does; after the commit each store's events reach its own subscribers and each store's write count moves
    (its pages drawn before are stale)."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            shared = Joint(session)
            yield shared
        EventLog.committed(session)
        for store in shared.stores:
            store.db.writes.bump()
