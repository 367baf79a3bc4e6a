"""Several real processes migrating one fresh database at the same moment (a province starting its
`loa serve` processes together): every one exits 0 and the schema is at head once.

PostgreSQL runs in a database of its own (`fresh_postgres` in conftest: created and dropped around the test),
so the shared test database is never disturbed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_commune
from sqlalchemy import create_engine, inspect, text

from loa114.scheduler.db.engine import head_revision


def upgrade_together(tmp_path: Path, url: str, processes: int) -> list[tuple[int, str]]:
    config = write_commune(tmp_path, url)
    command = [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(config), "db", "upgrade"]
    started = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    results = []
    for process in started:
        _out, err = process.communicate(timeout=120)
        results.append((process.returncode, err))
    return results


def assert_at_head_once(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            assert versions == [head_revision()]
            assert {"broadcasts", "service_runs", "deliveries"} <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_three_processes_migrate_a_fresh_postgres_database(tmp_path: Path, fresh_postgres: str) -> None:
    results = upgrade_together(tmp_path, fresh_postgres, 3)
    assert [code for code, _ in results] == [0, 0, 0], [err for _, err in results]
    assert_at_head_once(fresh_postgres)
    # and again, on a database at head: nothing to do, nothing fails
    assert [code for code, _ in upgrade_together(tmp_path, fresh_postgres, 2)] == [0, 0]
    assert_at_head_once(fresh_postgres)


def test_processes_migrate_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'loa.db'}"
    results = upgrade_together(tmp_path, url, 5)
    assert [code for code, _ in results] == [0] * 5, [err for _, err in results]
    assert_at_head_once(url)
