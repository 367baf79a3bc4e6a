"""A fleet's airing job for a shard of communes (service/burst.py): claimed in one joint transaction,
every folder published before any outcome is recorded, recorded in one joint transaction; a commune whose
tables fail sends the shard commune by commune, and keeps no other commune off the air. PostgreSQL only:
the fleet (many communes in one database, one schema each) runs only there."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import write_province
from sqlalchemy import Engine, event, text

from loa114.scheduler.clock import Clock
from loa114.scheduler.config.province import load_province
from loa114.scheduler.db.engine import Engines
from loa114.scheduler.playout import Airing, PlayoutAdapter
from loa114.scheduler.playout.folder import FolderPlayout
from loa114.scheduler.service.app import App
from loa114.scheduler.service.burst import air_shard
from loa114.scheduler.service.fleet import Fleet
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
BUILT_AT = datetime(2026, 11, 30, 3, 30, tzinfo=HCM).astimezone(UTC)  # the lead time before Monday 05:30
AIRTIME = datetime(2026, 11, 30, 5, 30, tzinfo=HCM).astimezone(UTC)


@dataclass
class Watcher(PlayoutAdapter):
    """After the folder, notes what the database says at the moment each zone is published: how many of
    the province's broadcasts have an outcome recorded already."""

    engine: Engine
    schemas: list[str]
    seen: list[tuple[str, int]] = field(default_factory=list)
    name = "watcher"

    def publish(self, airing: Airing) -> str | None:
        with self.engine.connect() as connection:
            recorded = sum(
                connection.scalar(text(f"SELECT count(*) FROM \"{s}\".broadcasts WHERE status = 'published'"))
                for s in self.schemas
            )
        self.seen.append((airing.zone, recorded))
        return None


@pytest.fixture
def fleet(tmp_path: Path, fresh_postgres: str) -> Iterator[tuple[Fleet, Watcher, Engine]]:
    """The two communes of `write_province` in one process, their programs for Monday 05:30 built."""
    province = load_province(write_province(tmp_path, fresh_postgres))
    engines = Engines()
    engine = engines.engine(fresh_postgres)
    watcher = Watcher(engine, [c.database.schema_name or "" for c in province.communes.values()])
    stations = {}
    for key, config in province.communes.items():
        app = App.create(config, engine=engine, adapters=[FolderPlayout(), watcher])
        stations[key] = station = Station(app)
        station.start_run(BUILT_AT)
        station.maintain(BUILT_AT)
        assert len(station.render_due(BUILT_AT)) == 2  # two zones each
    try:
        yield Fleet(stations, Clock.fixed(AIRTIME + timedelta(seconds=1))), watcher, engine
    finally:
        for station in stations.values():
            station.stop_run(AIRTIME)
            station.app.close()
        engines.dispose()


def _statuses(engine: Engine, schema: str) -> list[str]:
    """Of Monday 05:30's broadcasts, by zone."""
    query = text(f'SELECT status FROM "{schema}".broadcasts WHERE airtime = :at ORDER BY zone_id')
    with engine.connect() as connection:
        return list(connection.scalars(query, {"at": AIRTIME}).all())


def _lateness_observed(station: Station) -> float:
    return station.app.metrics.registry.get_sample_value("loa114_air_lateness_seconds_count") or 0.0


def test_a_shard_airs_with_two_commits_and_every_folder_before_any_record(
    fleet: tuple[Fleet, Watcher, Engine],
) -> None:
    fleet_, watcher, engine = fleet
    commits: list[int] = []
    event.listen(engine, "commit", lambda _connection: commits.append(1))
    writes = {key: s.app.db.writes.value for key, s in fleet_.stations.items()}

    aired = air_shard(fleet_, list(fleet_.stations.items()), AIRTIME + timedelta(seconds=1))

    assert (aired.claimed, aired.recorded, aired.joint) == (4, 4, True)
    assert len(commits) == 2  # one for the four claims, one for the four outcomes (not two per commune)
    assert [recorded for _zone, recorded in watcher.seen] == [0, 0, 0, 0]  # no folder waited for a record
    for key, station in fleet_.stations.items():
        schema = station.config.database.schema_name or ""
        assert _statuses(engine, schema) == ["published", "published"]
        for zone in ("phia-bac", "trung-tam"):
            manifest = station.config.playout.dir / "2026-11-30" / "sang" / zone / "manifest.json"
            assert json.loads(manifest.read_text(encoding="utf-8"))["status"] == "published"
        with engine.connect() as connection:
            as_run = connection.execute(
                text(f'SELECT outcome, lateness_s FROM "{schema}".as_run ORDER BY broadcast_id')
            ).all()
            outcomes = "('BroadcastPublished', 'BroadcastAired')"
            kinds = connection.scalars(
                text(f'SELECT kind FROM "{schema}".events WHERE kind IN {outcomes} ORDER BY id')
            ).all()
        assert as_run == [("published", 1.0), ("published", 1.0)]
        assert kinds == ["BroadcastPublished", "BroadcastPublished"]  # each commune's audit, in its schema
        assert _lateness_observed(station) == 2  # each commune's events reached its own subscribers
        assert station.app.db.writes.value > writes[key]  # its pages drawn before are stale


def test_a_commune_whose_tables_fail_keeps_no_other_off_the_air(
    fleet: tuple[Fleet, Watcher, Engine], caplog: pytest.LogCaptureFixture
) -> None:
    fleet_, _watcher, engine = fleet
    broken = fleet_.stations["na-sam"].config.database.schema_name
    with engine.begin() as connection:  # its claim cannot write its as-run records
        connection.execute(text(f'ALTER TABLE "{broken}".as_run RENAME TO as_run_gone'))
    caplog.set_level(logging.INFO)

    aired = air_shard(fleet_, list(fleet_.stations.items()), AIRTIME + timedelta(seconds=1))

    assert not aired.joint and (aired.claimed, aired.recorded) == (2, 2)
    working = fleet_.stations["loi-bac"]
    assert _statuses(engine, working.config.database.schema_name or "") == ["published", "published"]
    assert _lateness_observed(working) == 2  # once each: the rolled-back joint claim emitted nothing
    assert _statuses(engine, broken or "") == ["ready", "ready"]  # untouched: the air poll tries again
    assert _lateness_observed(fleet_.stations["na-sam"]) == 0
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("joint claim failed" in r.getMessage() for r in failures)
    assert any("commune=na-sam" in r.getMessage() and "kind=claim" in r.getMessage() for r in failures)
    assert not any("commune=loi-bac" in r.getMessage() for r in failures)
