"""In-process domain events, each also written to the `events` audit table.

`EventLog.record(session, event)` adds the audit row inside the caller's transaction (so the audit trail and
the state change commit together) and keeps the event on that session. When the session commits, its
events go to the subscribers (the logger, later the web UI); when it rolls back, they are dropped. Events
belong to their transaction, so one thread's commit never emits another thread's uncommitted events.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from loa114.scheduler.db.models import Broadcast, Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    at: datetime

    @property
    def kind(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        data = {}
        for f in dataclasses.fields(self):
            if f.name in ("at",):
                continue
            value = getattr(self, f.name)
            data[f.name] = value.isoformat() if isinstance(value, date | datetime) else value
        return data


@dataclass(frozen=True)
class BroadcastEvent(DomainEvent):
    broadcast_id: int
    day: date
    slot: str
    zone: str
    airtime: datetime


def about(row: Broadcast) -> dict[str, Any]:
    """The fields every broadcast event carries, taken from its row."""
    return {
        "broadcast_id": row.id,
        "day": row.day,
        "slot": row.slot_id,
        "zone": row.zone_id,
        "airtime": row.airtime,
    }


@dataclass(frozen=True)
class BroadcastReady(BroadcastEvent):
    items: int = 0
    duration_s: float = 0.0
    offline_items: int = 0
    rerender: bool = False
    why: tuple[str, ...] = ()  # what changed since the previous build, when rebuilt
    render_s: float | None = None  # how long the build took (texts, speech, assembly, folder)


@dataclass(frozen=True)
class BroadcastAired(BroadcastEvent):
    lateness_s: float = 0.0
    adapters: tuple[str, ...] = ()


@dataclass(frozen=True)
class BroadcastPublished(BroadcastEvent):
    """Only the folder received it (no player ran): due to play, awaiting confirmation."""

    lateness_s: float = 0.0
    adapters: tuple[str, ...] = ()


@dataclass(frozen=True)
class BroadcastRequeued(BroadcastEvent):
    """A process died right after claiming it, before anything played: it will be aired again."""


@dataclass(frozen=True)
class BroadcastMissed(BroadcastEvent):
    reason: str = ""  # outcomes code
    detail: str = ""


@dataclass(frozen=True)
class BroadcastFailed(BroadcastEvent):
    error: str = ""
    reason: str = ""  # outcomes code


@dataclass(frozen=True)
class BuildFailed(BroadcastEvent):
    """Nothing could be built for a broadcast (it stays planned; building is retried)."""

    error: str = ""


@dataclass(frozen=True)
class ScriptInvalid(DomainEvent):
    script: str
    file: str
    line: int | None
    message: str


@dataclass(frozen=True)
class ItemSkipped(DomainEvent):
    broadcast_id: int
    script: str
    reason: str


@dataclass(frozen=True)
class AlertIssued(DomainEvent):
    message: str
    zones: tuple[str, ...] = ()
    broadcasts: tuple[int, ...] = ()


Subscriber = Callable[[DomainEvent], None]
_PENDING = "loa_pending_events"


@dataclass
class EventLog:
    """Audit rows in the caller's transaction; subscribers called after that transaction commits."""

    subscribers: list[Subscriber] = field(default_factory=list)

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.append(subscriber)

    def watch(self, sessions: sessionmaker[Session]) -> None:
        """Emit each session's events after its commit, drop them on rollback."""
        sa_event.listen(sessions, "after_commit", self.committed)
        sa_event.listen(sessions, "after_rollback", self._rolled_back)

    def record(self, session: Session, event: DomainEvent, *, actor: str | None = None) -> None:
        session.add(Event(**_row(event, actor)))
        session.info.setdefault(_PENDING, []).append((self, event))

    def record_many(self, session: Session, events: Sequence[DomainEvent]) -> None:
        """`record` for many events of the service, by one INSERT of their rows (a province's 05:30 records
        650 outcomes: one ORM object each was a third of the time the outcomes took)."""
        if events:
            session.connection().execute(insert(Event), [_row(e, None) for e in events])
            session.info.setdefault(_PENDING, []).extend((self, e) for e in events)

    @staticmethod
    def committed(session: Session) -> None:
        """Hand the events of `session`'s committed transaction to the subscribers of the log that recorded
        each (a joint transaction of several communes carries the events of each commune's log)."""
        for recorded_by, event in session.info.pop(_PENDING, []):
            for subscriber in recorded_by.subscribers:
                try:
                    subscriber(event)
                except Exception:  # a subscriber's bug must not undo or hide a committed change
                    log.exception("event subscriber failed event=%s", event.kind)

    @staticmethod
    def _rolled_back(session: Session) -> None:
        session.info.pop(_PENDING, None)


def _row(event: DomainEvent, actor: str | None) -> dict[str, Any]:
    """An event's audit row."""
    broadcast_id = getattr(event, "broadcast_id", None)
    return {
        "at": event.at,
        "kind": event.kind,
        "broadcast_id": broadcast_id,
        "payload": event.payload(),
        "actor": actor,
    }


def log_event(event: DomainEvent) -> None:
    """One structured line per event, for operators tailing the service log."""
    fields = " ".join(f"{k}={v}" for k, v in event.payload().items() if v not in (None, "", ()))
    level = (
        logging.WARNING
        if event.kind
        in (
            "BroadcastMissed",
            "BroadcastFailed",
            "BuildFailed",
            "ScriptInvalid",
            "ItemSkipped",
            "NoticeFailed",
            "VillageLagging",
        )
        else logging.INFO
    )
    log.log(level, "event=%s at=%s %s", event.kind, event.at.isoformat(timespec="seconds"), fields)


@dataclass(frozen=True)
class CoverageReported(DomainEvent):
    source: str
    rows: int
    inserted: int
    replaced: int
    unchanged: int


@dataclass(frozen=True)
class ReportReplaced(DomainEvent):
    village: str
    day: date
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VillageLagging(DomainEvent):
    village: str
    day: date
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class VillageRecovered(DomainEvent):
    village: str
    day: date


@dataclass(frozen=True)
class NoticeQueued(DomainEvent):
    notice_id: int
    village: str
    day: date
    notice_kind: str
    targets: int = 0


@dataclass(frozen=True)
class NoticeDelivered(DomainEvent):
    notice_id: int
    target: str
    attempts: int


@dataclass(frozen=True)
class NoticeFailed(DomainEvent):
    notice_id: int
    target: str
    attempts: int
    error: str
    final: bool = False


@dataclass(frozen=True)
class NoticeCancelled(DomainEvent):
    """The village caught up before the notice was sent: kept and shown, not sent."""

    notice_id: int
    village: str
    day: date


@dataclass(frozen=True)
class NoticeRetried(DomainEvent):
    """A person asked for a notice's failed deliveries to be sent again."""

    notice_id: int
    village: str
    day: date
    deliveries: int = 0


@dataclass(frozen=True)
class UserAdded(DomainEvent):
    name: str
    role: str
    village: str | None


@dataclass(frozen=True)
class SignInFailed(DomainEvent):
    name: str
    failures: int
    locked: bool


@dataclass(frozen=True)
class TokenCreated(DomainEvent):
    name: str
    role: str
    village: str | None


@dataclass(frozen=True)
class TokenRevoked(DomainEvent):
    name: str


@dataclass(frozen=True)
class BroadcastConfirmed(BroadcastEvent):
    """A person (or the IP radio platform) said whether a published program was heard."""

    outcome: str = ""  # aired | failed
    reason: str = ""  # why it did not play (failed)


@dataclass(frozen=True)
class BroadcastCancelled(BroadcastEvent):
    """A person cancelled a program before airtime: it will never air."""

    reason: str = ""


@dataclass(frozen=True)
class ProgramReplayed(BroadcastEvent):
    """An operator played a program again from the web page (the loudspeakers heard it once more)."""

    note: str = ""


@dataclass(frozen=True)
class ScriptPinned(DomainEvent):
    """A person pinned a script into one slot of one day (one zone, or every zone of the slot)."""

    day: date
    slot: str
    zone: str | None
    script: str
    removed: bool = False


@dataclass(frozen=True)
class UserChanged(DomainEvent):
    name: str
    change: str  # "disabled", "enabled", "password"


@dataclass(frozen=True)
class ReportNotesEdited(DomainEvent):
    period: str
    first: date


@dataclass(frozen=True)
class ScriptSaved(DomainEvent):
    """A script file written through the web interface (a draft until approved); `errors`: `loa check`'s."""

    script: str
    sha256: str
    errors: int = 0


@dataclass(frozen=True)
class ScriptDrafted(DomainEvent):
    """A script content first seen on disk (edited outside the web interface): a draft again."""

    script: str
    sha256: str


@dataclass(frozen=True)
class ScriptApproved(DomainEvent):
    script: str
    sha256: str
