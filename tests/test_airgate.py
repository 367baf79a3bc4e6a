"""Airtime first (service/airgate.py): a fleet process's heavy steps wait between communes from a few seconds
before an airtime until its airing jobs are done, and never longer than the gate's limit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from loa114.scheduler.service import airgate
from loa114.scheduler.service.airgate import AirGate

AIRTIME = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 05:30 in Lạng Sơn


def gate_at(now: list[datetime], airtimes: list[datetime]) -> AirGate:
    """A gate on a clock the test moves (`now[0]`), the communes airing at `airtimes`."""
    return AirGate(lambda: now[0], lambda t: min((a for a in airtimes if a >= t), default=None))


@pytest.mark.parametrize(
    ("offset_s", "near"),
    [(-60, False), (-3.5, False), (-3, True), (-1, True), (0, True), (2, True), (2.5, False), (600, False)],
)
def test_an_airtime_is_near_from_three_seconds_before_to_two_after(offset_s: float, near: bool) -> None:
    now = [AIRTIME + timedelta(seconds=offset_s)]
    assert gate_at(now, [AIRTIME, AIRTIME + timedelta(days=1)]).near(now[0]) is near


def test_the_gate_follows_the_clock_past_an_airtime_to_the_next() -> None:
    now = [AIRTIME - timedelta(minutes=1)]
    later = AIRTIME + timedelta(hours=11, minutes=30)  # 17:00
    gate = gate_at(now, [AIRTIME, later])
    assert not gate.near(now[0])
    now[0] = AIRTIME + timedelta(seconds=1)
    assert gate.near(now[0])
    now[0] = later - timedelta(seconds=1)
    assert gate.near(now[0])  # the 05:30 it had looked up is past: it found 17:00


def test_a_step_far_from_airtime_is_not_held() -> None:
    now = [AIRTIME - timedelta(minutes=10)]
    assert gate_at(now, [AIRTIME]).wait_clear() == pytest.approx(0, abs=0.05)


def test_a_step_waits_for_the_airing_in_progress_then_goes_on() -> None:
    now = [AIRTIME + timedelta(minutes=1)]  # the airtime is past: only the airing job holds the step
    gate = gate_at(now, [AIRTIME])
    entered, release, held = threading.Event(), threading.Event(), []

    def airing_job() -> None:
        with gate.airing():
            entered.set()
            release.wait(10)

    job = threading.Thread(target=airing_job)
    job.start()
    entered.wait(10)
    step = threading.Thread(target=lambda: held.append(gate.wait_clear()))
    step.start()
    step.join(0.3)
    assert step.is_alive()  # held while the airing job publishes
    release.set()
    step.join(10)
    job.join(10)
    assert not step.is_alive() and held and held[0] < airgate.HOLD_MAX_S


def test_a_stopping_process_is_not_held() -> None:
    now = [AIRTIME]
    assert gate_at(now, [AIRTIME]).wait_clear(lambda: True) == pytest.approx(0, abs=0.05)
