"""`GET /metrics` (Prometheus text) and the queue depths of `/healthz`, after real builds, airings and
deliveries of the station (SQLite and PostgreSQL): the values are checked against the database and the
step results, not only their presence."""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from test_coverage_flow import DAY, FAILING, _reset_gateway, at, open_flow, write_csv  # noqa: F401 (fixture)

from loa114.scheduler.clock import Clock
from loa114.scheduler.db.models import Broadcast, Delivery
from loa114.scheduler.service.metrics import Metrics
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web


def scrape(client: TestClient, token: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """{sample name: {sorted labels: value}} of one scrape."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def web_of(station: Station, now_at: object) -> TestClient:
    runtime = Runtime(station, Clock.fixed(now_at))  # type: ignore[arg-type]
    return TestClient(create_web(runtime, secret="test-secret"), base_url="http://loa.test")


def count_rows(station: Station, *criteria: object) -> int:
    with station.app.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Broadcast).where(*criteria)) or 0)  # type: ignore[arg-type]


def test_metrics_after_builds_airings_and_deliveries(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    token = station.app.tokens.create("prometheus", "police", at(DAY, 4))
    station.tick(at(DAY, 4))  # the 05:30 programs of both zones are built (lead time 2 h)
    built = count_rows(station, Broadcast.status == "ready")
    assert built == 2

    airtime = at(DAY, 5, 30)
    aired = station.tick(airtime + timedelta(seconds=2)).aired  # published 2 s late
    assert [a.lateness_s for a in aired] == [2.0, 2.0]

    # a lagging village gets a reminder: its head's gateway refuses once (retry), then accepts (sent)
    station.import_reports(write_csv(tmp_path / "bao-cao.csv", ["2026-11-30,Nà Pàn,60,200"]), at(DAY, 9))
    FAILING.add("na-pan-head")
    first = station.app.outbox.deliver_due(at(DAY, 9, 1))
    FAILING.clear()
    station.beat(at(DAY, 9, 3))  # the heartbeat counts what waits: the retry is not due before 09:06
    assert station.vitals.backlog is not None and station.vitals.backlog.deliver == 0
    station.beat(at(DAY, 9, 7))
    assert web_of(station, at(DAY, 9, 7)).get("/healthz").json()["queue"]["deliver"] == 1
    second = station.app.outbox.deliver_due(at(DAY, 9, 10))
    outcomes = [r.status for r in first + second]
    assert outcomes.count("pending") == 1 and outcomes.count("sent") >= 1

    now = at(DAY, 9, 11)
    station.beat(now)
    client = web_of(station, now)
    samples = scrape(client, token)

    lateness = (
        samples["loa114_air_lateness_seconds_count"][()],
        samples["loa114_air_lateness_seconds_sum"][()],
    )
    assert lateness == (2.0, 4.0)
    assert samples["loa114_air_lateness_seconds_bucket"][(("le", "1.0"),)] == 0.0
    assert samples["loa114_air_lateness_seconds_bucket"][(("le", "2.0"),)] == 2.0
    assert samples["loa114_render_seconds_count"][()] == float(built)
    assert samples["loa114_render_seconds_sum"][()] > 0
    deliveries = samples["loa114_deliveries_total"]
    assert deliveries[(("outcome", "sent"),)] == outcomes.count("sent")
    assert deliveries[(("outcome", "retry"),)] == 1.0
    assert deliveries[(("outcome", "failed"),)] == 0.0

    by_state = {labels[0][1]: value for labels, value in samples["loa114_broadcasts"].items()}
    for state in ("planned", "ready", "published", "aired", "missed"):
        assert by_state[state] == count_rows(station, Broadcast.status == state), state
    assert by_state["published"] == 2.0

    horizon = (now - timedelta(minutes=5), now + timedelta(days=2))
    window = (Broadcast.airtime >= horizon[0], Broadcast.airtime <= horizon[1])
    queue = {labels[0][1]: value for labels, value in samples["loa114_queue_depth"].items()}
    assert queue["build"] == count_rows(station, Broadcast.status == "planned", *window) > 0
    assert queue["air"] == count_rows(station, Broadcast.status == "ready", *window)
    with station.app.db.session() as session:
        pending = select(func.count()).select_from(Delivery).where(Delivery.status == "pending")
        assert queue["deliver"] == session.scalar(pending) == 0  # the retry went out at 09:10
    assert samples["loa114_last_beat_timestamp_seconds"][()] == now.timestamp()

    health = client.get("/healthz").json()
    assert health["queue"] == {"build": queue["build"], "air": queue["air"], "deliver": 0}
    assert health["role"] == "all" and health["pid"] == os.getpid() and health["host"] == socket.gethostname()
    assert health["last_beat_at"] == "2026-11-30T09:11:00+07:00" and health["last_beat_age_s"] == 0.0
    station.stop_run(now)


def test_metrics_needs_a_police_or_admin_token(tmp_path: Path) -> None:
    station = open_flow(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    client = web_of(station, at(DAY, 8))
    refused = client.get("/metrics", follow_redirects=False)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    operator = station.app.tokens.create("trinh-loa", "operator", at(DAY, 8))
    assert client.get("/metrics", headers={"Authorization": f"Bearer {operator}"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer loa_khong-co"}).status_code == 401
    for role in ("police", "admin"):
        token = station.app.tokens.create(f"prom-{role}", role, at(DAY, 8))
        samples = scrape(client, token)
        assert samples["loa114_deliveries_total"][(("outcome", "sent"),)] == 0.0  # present before any
        assert samples["loa114_air_lateness_seconds_count"][()] == 0.0


def test_each_app_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()  # the global registry would refuse the second set of names
    first.deliveries.labels("sent").inc()
    assert "loa114_deliveries_total" in first.exposition().decode()
    sent = [
        s.value
        for f in text_string_to_metric_families(second.exposition().decode())
        for s in f.samples
        if s.name == "loa114_deliveries_total" and s.labels == {"outcome": "sent"}
    ]
    assert sent == [0.0]


def test_healthz_before_the_first_beat_has_no_queue(tmp_path: Path) -> None:
    station = open_flow(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    body = web_of(station, at(DAY, 8)).get("/healthz").json()
    assert body["queue"] is None and body["last_beat_at"] is None and body["role"] == "all"
