"""Domain events belong to their transaction: emitted after its commit, dropped on rollback."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Event
from loa114.scheduler.events import DomainEvent, EventLog, ScriptInvalid

AT = datetime(2026, 11, 30, tzinfo=UTC)


def invalid(name: str) -> ScriptInvalid:
    return ScriptInvalid(at=AT, script=name, file=f"{name}.txt", line=1, message="lỗi")


@pytest.fixture
def wired(tmp_path: Path) -> tuple[Database, EventLog, list[DomainEvent]]:
    db = Database(f"sqlite:///{tmp_path / 'events.db'}").migrate()
    events = EventLog()
    seen: list[DomainEvent] = []
    events.subscribe(seen.append)
    events.watch(db.sessions)
    return db, events, seen


def test_an_event_is_emitted_only_after_its_transaction_commits(wired) -> None:
    db, events, seen = wired
    with db.session() as session:
        events.record(session, invalid("a"))
        session.flush()
        assert seen == []  # recorded, not yet committed
    assert [e.script for e in seen] == ["a"]  # type: ignore[attr-defined]


def test_a_rolled_back_transaction_emits_nothing_and_writes_no_audit_row(wired) -> None:
    db, events, seen = wired
    with pytest.raises(RuntimeError), db.session() as session:
        events.record(session, invalid("lost"))
        raise RuntimeError("the change failed")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert seen == []


def test_one_threads_commit_never_emits_another_threads_pending_event(wired) -> None:
    db, events, seen = wired
    recorded, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with pytest.raises(RuntimeError), db.session() as session:
            events.record(session, invalid("uncommitted"))
            recorded.set()
            release.wait(5)
            raise RuntimeError("rolled back later")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    recorded.wait(5)
    with db.session() as session:
        events.record(session, invalid("committed"))
    release.set()
    thread.join(5)
    assert [e.script for e in seen] == ["committed"]  # type: ignore[attr-defined]


def test_a_failing_subscriber_does_not_hide_the_commit(wired, caplog: pytest.LogCaptureFixture) -> None:
    db, events, seen = wired

    def broken(_event: DomainEvent) -> None:
        raise ValueError("subscriber bug")

    events.subscribers.insert(0, broken)
    with db.session() as session:
        events.record(session, invalid("b"))
    assert [e.script for e in seen] == ["b"]  # type: ignore[attr-defined]
    assert "event subscriber failed" in caplog.text
