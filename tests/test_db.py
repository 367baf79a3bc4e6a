"""The schema: Alembic migrations build exactly what the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, StatementError

from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Base, Broadcast


def test_migrations_match_models(db_url: str) -> None:
    db = Database(db_url).migrate()
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.migrate()  # a second start applies nothing and fails nothing
    db.dispose()


def test_broadcast_key_is_unique_and_times_come_back_aware_utc(db_url: str) -> None:
    db = Database(db_url).migrate()
    airtime = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
    with db.session() as session:
        session.add(
            Broadcast(
                day=date(2026, 11, 30), slot_id="sang", zone_id="z", airtime=airtime, updated_at=airtime
            )
        )
    with db.session() as session:
        row = session.query(Broadcast).one()
        assert row.airtime == airtime and row.airtime.tzinfo is not None
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(
            Broadcast(
                day=date(2026, 11, 30), slot_id="sang", zone_id="z", airtime=airtime, updated_at=airtime
            )
        )
    with pytest.raises(StatementError, match="naive"), db.session() as session:
        session.add(
            Broadcast(
                day=date(2026, 12, 1),
                slot_id="sang",
                zone_id="z",
                airtime=datetime(2026, 12, 1),
                updated_at=airtime,
            )
        )
        session.flush()
    db.dispose()


def test_an_up_to_date_database_is_recognised_without_alembic(db_url: str) -> None:
    from loa114.scheduler.db.engine import current_revision, head_revision

    db = Database(db_url)
    assert current_revision(db.engine) is None  # fresh
    db.migrate()
    from alembic.script import ScriptDirectory

    from loa114.scheduler.db.engine import MIGRATIONS

    alembic_head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert current_revision(db.engine) == head_revision() == alembic_head
    db.dispose()
