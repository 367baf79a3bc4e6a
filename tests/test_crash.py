"""A crash at every kind of step boundary around an airtime, then a restart: the promises still hold.

A run of the service through one slot (build ahead, airtime, grace) is cut by an injected kill at one of
its step boundaries — before or after any database commit, any folder exchange, any manifest write, any
playout adapter — chosen by seed among all the boundaries the uninterrupted run crosses. A new process
(a new Station on the same database and folders, nothing in memory) comes back 30 s later and runs on.
Afterwards: nothing aired twice, every occurrence aired or missed/failed with a reason, nothing aired
after its grace, no half-written folder visible, and every manifest agrees with its row.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import write_commune
from sqlalchemy import event, select
from sqlalchemy.orm import Session

import loa114.scheduler.playout.manifest as manifest_module
import loa114.scheduler.programs.writing as building
from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import FINAL, AsRun, Broadcast
from loa114.scheduler.playout import Airing, PlayoutAdapter
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 30)
AIRTIME = datetime(2026, 11, 30, 5, 30, tzinfo=HCM).astimezone(UTC)
TIMELINE = [AIRTIME + timedelta(seconds=s) for s in (-7200, -5, 0, 5, 20, 60, 400)]
RESTART_AFTER = timedelta(seconds=30)


class Killed(BaseException):
    """The process dies here (a BaseException: no `except Exception` in the service can swallow it)."""


@dataclass
class Fuse:
    """Counts step boundaries; blows at boundary `at` (never when `at` is None)."""

    at: int | None = None
    crossed: int = 0
    where: list[str] = field(default_factory=list)

    def boundary(self, name: str) -> None:
        self.crossed += 1
        self.where.append(name)
        if self.at is not None and self.crossed == self.at:
            self.at = None  # a process dies once
            raise Killed(name)


class Inline(Executor):
    """Playout on the calling thread, so a kill stops everything at once (as a real kill does)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


class Player(PlayoutAdapter):
    name = "player"
    plays = True

    def __init__(self, fuse: Fuse, log: list[str]) -> None:
        self.fuse, self.log = fuse, log

    def publish(self, airing: Airing) -> str | None:
        self.fuse.boundary("player:before")
        self.log.append(airing.zone)
        self.fuse.boundary("player:after")
        return "played"


@pytest.fixture
def fuse(monkeypatch: pytest.MonkeyPatch) -> Iterator[Fuse]:
    fuse = Fuse()

    def before_commit(_session: Session) -> None:
        fuse.boundary("commit:before")

    def after_commit(_session: Session) -> None:
        fuse.boundary("commit:after")

    event.listen(Session, "before_commit", before_commit)
    event.listen(Session, "after_commit", after_commit)
    real_swap, real_write = building.swap_into_place, manifest_module.write_json_atomic

    def swap(staging: Path, final: Path) -> None:
        fuse.boundary("swap:before")
        real_swap(staging, final)
        fuse.boundary("swap:after")

    def write(path: Path, data: Any, **options: Any) -> None:
        fuse.boundary("manifest:before")
        real_write(path, data, **options)
        fuse.boundary("manifest:after")

    monkeypatch.setattr(building, "swap_into_place", swap)
    monkeypatch.setattr(manifest_module, "write_json_atomic", write)
    yield fuse
    event.remove(Session, "before_commit", before_commit)
    event.remove(Session, "after_commit", after_commit)


def start(root: Path, db_url: str, fuse: Fuse, plays: list[str] | None) -> Station:
    station = Station(App.create(load_config(write_commune(root, db_url))))
    station._playout = Inline()  # type: ignore[assignment]
    if plays is not None:
        station.app.adapters.append(Player(fuse, plays))
    return station


def run_through_the_slot(root: Path, db_url: str, fuse: Fuse, plays: list[str] | None) -> Station:
    station = start(root, db_url, fuse, plays)
    times = list(TIMELINE)
    while times:
        now = times.pop(0)
        try:
            station.tick(now)
        except Killed:
            station.app.close()
            back = now + RESTART_AFTER
            station = start(root, db_url, fuse, plays)  # a new process: the same files, nothing in memory
            times = [back] + [t for t in times if t > back]
    return station


_TOTALS: dict[bool, list[str]] = {}


def boundaries(tmp_path: Path, fuse: Fuse, plays: bool) -> list[str]:
    """The boundaries an uninterrupted run crosses (the same on every store), counted once per variant."""
    if plays not in _TOTALS:
        probe = tmp_path / "probe"
        run_through_the_slot(probe, f"sqlite:///{probe / 'probe.db'}", fuse, [] if plays else None)
        _TOTALS[plays] = list(fuse.where)
    return _TOTALS[plays]


def check_promises(root: Path, station: Station, plays: list[str] | None) -> None:
    grace = station.app.config.schedule.misfire_grace
    with station.app.db.session() as session:
        rows = session.scalars(select(Broadcast).where(Broadcast.airtime == AIRTIME)).all()
        runs = {r.broadcast_id: r for r in session.scalars(select(AsRun))}
    assert sorted(r.zone_id for r in rows) == ["phia-bac", "trung-tam"]  # every occurrence has its row
    for row in rows:
        assert row.status in FINAL, (row.zone_id, row.status)
        if row.status in ("missed", "failed"):
            assert row.reason and row.error, (row.zone_id, row.status)
        else:
            run = runs[row.id]
            assert run.started_at is not None and run.started_at - row.airtime <= grace  # never late
        folder = root / "playout" / "2026-11-30" / "sang" / row.zone_id
        if folder.exists():  # a visible folder is a whole program whose manifest agrees with the row
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            assert (folder / "program.mp3").stat().st_size > 0
            assert data["status"] == row.status, (row.zone_id, data["status"], row.status)
    if plays is not None:
        assert all(plays.count(zone) <= 1 for zone in set(plays)), plays  # nothing aired twice
        for row in rows:
            if row.status == "aired":
                assert plays.count(row.zone_id) == 1


def test_the_uninterrupted_run_airs_both_zones(tmp_path: Path, db_url: str, fuse: Fuse) -> None:
    plays: list[str] = []
    station = run_through_the_slot(tmp_path, db_url, fuse, plays)
    check_promises(tmp_path, station, plays)
    assert sorted(plays) == ["phia-bac", "trung-tam"]
    assert fuse.crossed > 40


SEEDS = range(24)


def kill_points(crossed: list[str], count: int) -> list[int]:
    """`count` boundaries (1-based), seeded: every file and playout boundary kind at least once, commits
    for the rest (they are most of the boundaries, so a plain sample would hardly touch the others)."""
    rng = random.Random(2026)
    by_kind: dict[str, list[int]] = {}
    for number, name in enumerate(crossed, 1):
        by_kind.setdefault(name, []).append(number)
    chosen = {
        rng.choice(numbers) for kind, numbers in sorted(by_kind.items()) if not kind.startswith("commit")
    }
    commits = [n for kind, numbers in by_kind.items() if kind.startswith("commit") for n in numbers]
    chosen |= set(rng.sample(sorted(set(commits)), count - len(chosen)))
    return sorted(chosen)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_kill_at_a_seeded_boundary_keeps_every_promise(
    tmp_path: Path, db_url: str, fuse: Fuse, seed: int
) -> None:
    plays_enabled = seed % 2 == 0  # half with a player on the amplifier, half with the folder only
    crossed = boundaries(tmp_path, fuse, plays_enabled)
    point = kill_points(crossed, len(SEEDS) // 2)[seed // 2]
    fuse.crossed, fuse.where, fuse.at = 0, [], point
    print(f"kill at boundary {point}/{len(crossed)}: {crossed[point - 1]}")
    plays: list[str] | None = [] if plays_enabled else None
    station = run_through_the_slot(tmp_path, db_url, fuse, plays)
    assert fuse.at is None, "the kill did not happen"
    check_promises(tmp_path, station, plays)
