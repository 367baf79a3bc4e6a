"""The APScheduler runtime: job ids and run times from explicit datetimes, lanes that never hold up
airing, clean shutdown, health."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import write_commune
from fastapi.testclient import TestClient
from sqlalchemy import select

from loa114.scheduler.clock import Clock
from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import Broadcast
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=HCM).astimezone(UTC)


@pytest.fixture
def station(tmp_path: Path) -> Station:
    config = load_config(write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}"))
    return Station(App.create(config))


def statuses(station: Station) -> dict[tuple[str, str], str]:
    with station.app.db.session() as session:
        rows = session.scalars(select(Broadcast).where(Broadcast.airtime == local(30, 5, 30))).all()
        return {(b.slot_id, b.zone_id): b.status for b in rows}


def test_job_plan_from_explicit_now(station: Station) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 4, 0)))  # Monday 04:00, lead time 2 h
    plan = {job_id: (run_at, grace) for job_id, run_at, _kind, grace in runtime.job_plan(local(30, 4, 0))}
    # 05:30 render time (03:30) has passed: no render job, the render lane renders late; its air job remains
    assert "render:2026-11-30:sang" not in plan
    assert plan["air:2026-11-30:sang"] == (local(30, 5, 30), 300)
    assert plan["render:2026-11-30:chieu"] == (local(30, 15, 0), None)  # late renders always run
    assert plan["air:2026-11-30:chieu"] == (local(30, 17, 0), 300)
    assert plan["air:2026-12-01:sang"][0] == datetime(2026, 12, 1, 5, 30, tzinfo=HCM).astimezone(UTC)
    assert all(run_at > local(30, 4, 0) for run_at, _ in plan.values())


def test_jobs_are_registered_with_ids_on_their_lanes(station: Station) -> None:
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
        assert air.misfire_grace_time == 300 and air.executor == "air"
        assert jobs["render:2026-11-30:chieu"].executor == "default"
        assert jobs["render:2026-11-30:chieu"].misfire_grace_time is None
    finally:
        runtime.scheduler.shutdown(wait=False)


def test_sigterm_stops_cleanly_and_records_the_stop(station: Station) -> None:
    runtime = Runtime(station, Clock.starting_at(local(29, 12, 0)))
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        runtime.install_signal_handlers()
        runtime.start()
        assert runtime.running and station.run_id is not None
        os.kill(os.getpid(), signal.SIGTERM)
        runtime.wait()  # returns because the handler set the stop event
        runtime.stop()
        assert not runtime.running
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    from loa114.scheduler.db.models import ServiceRun

    with station.app.db.session() as session:
        assert session.get(ServiceRun, station.run_id).stopped_at is not None  # type: ignore[union-attr]


def test_step_failure_is_logged_not_fatal(station: Station, caplog: pytest.LogCaptureFixture) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 4, 0)))

    def boom(now: datetime) -> None:
        raise RuntimeError("disk full")

    station.render_due = boom  # type: ignore[method-assign,assignment]
    runtime.render()
    assert "step failed kind=render" in caplog.text


def test_airing_does_not_wait_for_a_hanging_render_or_delivery(station: Station) -> None:
    """A render and a delivery that never finish are running; the slot still airs at its airtime."""
    station.tick(local(30, 4, 0))  # programs ready, the run registered
    stuck, release = threading.Event(), threading.Event()

    def hang(now: datetime) -> list[object]:
        stuck.set()
        release.wait(30)
        return []

    station.render_due = hang  # type: ignore[method-assign,assignment]
    runtime = Runtime(station, Clock.fixed(local(30, 5, 30, 1)))
    render = threading.Thread(target=runtime.render)
    render.start()
    assert stuck.wait(10)
    station.app.outbox.deliver_due = hang  # type: ignore[method-assign,assignment]
    try:
        stuck.clear()
        deliver = threading.Thread(target=runtime.deliver)
        deliver.start()
        assert stuck.wait(10)
        runtime.air()  # the air job at 05:30:01, while both lanes are stuck
        station._playout.shutdown(wait=True)  # wait for the publish threads it started
        assert statuses(station) == {("sang", "trung-tam"): "published", ("sang", "phia-bac"): "published"}
        assert station.vitals.last_air_lateness_s == 1.0
    finally:
        release.set()
        render.join(10)
        deliver.join(10)


def test_a_program_not_ready_at_airtime_goes_to_the_render_lane(station: Station) -> None:
    station.tick(local(30, 3, 0))  # rows exist, nothing built yet (lead time starts 03:30)
    runtime = Runtime(station, Clock.fixed(local(30, 5, 30, 5)))
    asked = []
    station.on_unready = asked.append  # the runtime would move the render job to now
    assert runtime.station.air_due(local(30, 5, 30, 5)) == []  # nothing ready: the air lane renders nothing
    assert sorted(b.zone_id for b in asked) == ["phia-bac", "trung-tam"]
    runtime.render()  # the render lane builds and then airs, within the grace
    station._playout.shutdown(wait=True)
    assert set(statuses(station).values()) == {"published"}


def test_healthz_reports_tick_age_and_air_lateness(station: Station) -> None:
    clock = Clock.fixed(local(30, 4, 0))
    runtime = Runtime(station, clock)
    client = TestClient(create_web(runtime))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["scheduler"] == "stopped" and body["last_tick_age_s"] is None
    assert body["next_airtime"] == "2026-11-30T05:30:00+07:00" and body["db"] == "error"  # not yet seen
    runtime.scheduler.start(paused=True)
    try:
        station.start_run(clock.now())
        runtime.tick()
        body = client.get("/healthz").json()
        assert body["status"] == "ok" and body["scheduler"] == "running" and body["last_tick_age_s"] == 0.0
        assert body["last_air_lateness_s"] is None
    finally:
        runtime.scheduler.shutdown(wait=False)


def test_tick_step_plans_rows_and_render_step_renders_as_of_the_clock(
    station: Station, tmp_path: Path
) -> None:
    runtime = Runtime(station, Clock.fixed(local(30, 3, 45)))
    station.start_run(local(30, 3, 45))
    runtime.tick()
    assert set(statuses(station).values()) == {"planned"}
    assert runtime.scheduler.get_jobs()  # the tick also (re)scheduled the precise jobs
    runtime.render()
    assert (tmp_path / "playout/2026-11-30/sang/trung-tam/program.mp3").is_file()


def test_every_lane_is_scheduled_none_paused(station: Station) -> None:
    runtime = Runtime(station, Clock.starting_at(local(30, 4, 0)))
    runtime.start()
    try:
        jobs = {job.id: job for job in runtime.scheduler.get_jobs()}
        lanes = {"beat", "air-poll", "tick", "render", "evaluate", "deliver", "probe", "cleanup"}
        assert lanes <= set(jobs)
        assert all(jobs[lane].next_run_time is not None for lane in lanes), [
            lane for lane in lanes if jobs[lane].next_run_time is None
        ]
        assert {jobs[lane].executor for lane in ("beat", "air-poll")} == {"air"}
    finally:
        runtime.stop()
