"""The APScheduler runtime: job ids and run times from explicit datetimes, clean shutdown, health."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import write_commune
from fastapi.testclient import TestClient

from scheduler.app import App
from scheduler.clock import Clock
from scheduler.config import load_config
from scheduler.runtime import Runtime
from scheduler.station import Station
from scheduler.web import create_web

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=HCM).astimezone(UTC)


@pytest.fixture
def station(tmp_path: Path) -> Station:
    config = load_config(write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}"))
    return Station(App.create(config))


def test_job_plan_from_explicit_now(station: Station) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 4, 0)))  # Monday 04:00, lead time 2 h
    plan = {job_id: (run_at, grace) for job_id, run_at, _kind, grace in runtime.job_plan(local(30, 4, 0))}
    # 05:30 render time (03:30) has passed: no render job, the tick renders late; its air job remains
    assert "render:2026-11-30:sang" not in plan
    assert plan["air:2026-11-30:sang"] == (local(30, 5, 30), 300)
    assert plan["render:2026-11-30:chieu"] == (local(30, 15, 0), None)  # late renders always run
    assert plan["air:2026-11-30:chieu"] == (local(30, 17, 0), 300)
    assert plan["air:2026-12-01:sang"][0] == datetime(2026, 12, 1, 5, 30, tzinfo=HCM).astimezone(UTC)
    assert all(run_at > local(30, 4, 0) for run_at, _ in plan.values())


def test_jobs_are_registered_with_ids_and_replaced(station: Station) -> None:
    virtual_now = local(30, 4, 0)
    clock = Clock.starting_at(virtual_now)  # rehearsal: acts as Monday 04:00 whatever the wall clock says
    runtime = Runtime(station, clock)
    runtime.scheduler.start(paused=True)
    try:
        runtime.schedule_jobs(virtual_now)
        runtime.schedule_jobs(virtual_now)  # replace_existing: no duplicates
        jobs = {job.id: job for job in runtime.scheduler.get_jobs()}
        assert len(jobs) == len(runtime.job_plan(virtual_now))
        air = jobs["air:2026-11-30:chieu"]
        assert air.next_run_time == clock.to_real(local(30, 17, 0))
        assert air.misfire_grace_time == 300
        assert jobs["render:2026-11-30:chieu"].misfire_grace_time is None
    finally:
        runtime.scheduler.shutdown(wait=False)


def test_sigterm_stops_cleanly(station: Station) -> None:
    runtime = Runtime(station, Clock.starting_at(local(29, 12, 0)))
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        runtime.install_signal_handlers()
        runtime.start()
        assert runtime.running
        os.kill(os.getpid(), signal.SIGTERM)
        runtime.wait()  # returns because the handler set the stop event
        runtime.stop()
        assert not runtime.running
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])


def test_step_failure_is_logged_not_fatal(station: Station, caplog: pytest.LogCaptureFixture) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 4, 0)))

    def boom(now: datetime) -> None:
        raise RuntimeError("disk full")

    station.render_due = boom  # type: ignore[method-assign,assignment]
    runtime.render()
    assert "step failed kind=render" in caplog.text


def test_healthz(station: Station) -> None:
    runtime = Runtime(station, Clock.starting_at(local(30, 4, 0)))
    client = TestClient(create_web(runtime))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "scheduler": "stopped",
        "next_airtime": "2026-11-30T05:30:00+07:00",
        "db": "ok",
    }
    runtime.scheduler.start(paused=True)
    try:
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["scheduler"] == "running"
    finally:
        runtime.scheduler.shutdown(wait=False)


def test_tick_step_renders_as_of_the_clock(station: Station, tmp_path: Path) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 3, 45)))
    runtime.tick()
    assert (tmp_path / "playout/2026-11-30/sang/trung-tam/program.mp3").is_file()
    assert runtime.scheduler.get_jobs()  # the tick also (re)scheduled the precise jobs
