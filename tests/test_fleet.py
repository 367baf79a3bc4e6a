"""`loa serve` on PostgreSQL as a fleet of real processes (service/fleet.py): every broadcast airs exactly
once, or is missed with its reason, while processes are SIGKILLed at seeded random moments; `--role` splits
the work. Each test has its own database, created and dropped here (the shared one is left alone)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import POSTGRES_URL, write_commune
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="LOA_TEST_POSTGRES_URL not set")

START = "2026-11-30T09:59:40+07:00"  # 20 s before the first slot
SLOTS = ("10:00", "10:01")
ZONES = ("trung-tam", "phia-bac")


@pytest.fixture
def fleet_db() -> Iterator[str]:
    assert POSTGRES_URL
    name = f"loa_fleet_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def commune(root: Path, url: str) -> Path:
    config = write_commune(root, url)
    body = config.read_text(encoding="utf-8")
    slot_lines = "".join(
        f'  - {{id: s{t.replace(":", "")}, time: "{t}", days: daily, max_duration: 2m, zones: all}}\n'
        for t in SLOTS
    )
    start = body.index("slots:\n") + len("slots:\n")
    end = body.index("scripts:")
    body = body[:start] + slot_lines + body[end:]
    body += "reminders: {quiet_hours: '', evaluate_at: '00:00'}\n"
    config.write_text(body, encoding="utf-8")
    return config


class Process:
    def __init__(self, root: Path, config: Path, name: str, role: str = "all") -> None:
        self.log = root / f"{name}.log"
        argv = ["--config", str(config), "serve", "--role", role, "--port", str(free_port())]
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "loa114.scheduler.cli", *argv],
                cwd=root,
                env={**os.environ, "LOA_NOW": START, "LOA_LOG_LEVEL": "INFO"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()


def outcomes(url: str) -> dict[tuple[str, str], tuple[str, str | None, int]]:
    """(slot, zone) -> (status, reason, as-run rows) for the broadcasts of the test day."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT b.slot_id, b.zone_id, b.status, b.reason,"
                    " (SELECT count(*) FROM as_run r WHERE r.broadcast_id = b.id)"
                    " FROM broadcasts b WHERE b.day = '2026-11-30' AND b.kind = 'slot'"
                )
            ).all()
    finally:
        engine.dispose()
    return {(r[0], r[1]): (r[2], r[3], int(r[4])) for r in rows}


def wait_for_outcomes(url: str, seconds: float) -> dict[tuple[str, str], tuple[str, str | None, int]]:
    deadline = time.monotonic() + seconds
    found: dict[tuple[str, str], tuple[str, str | None, int]] = {}
    while time.monotonic() < deadline:
        try:
            found = outcomes(url)
        except Exception:  # the schema is not there yet
            found = {}
        final = [v for v in found.values() if v[0] in ("published", "aired", "missed", "failed")]
        if len(found) == len(SLOTS) * len(ZONES) and len(final) == len(found):
            return found
        time.sleep(0.5)
    return found


MOMENTS = ["ready", "airing", "published-first", "ready-second"]


def wait_until(url: str, moment: str, seconds: float) -> bool:
    """Poll the rows until the fleet reaches `moment` (the kill points are events, not times)."""
    first, second = (f"s{t.replace(':', '')}" for t in SLOTS)
    wanted = {
        "ready": lambda o: any(s == "ready" for (slot, _), (s, _, _) in o.items() if slot == first),
        "airing": lambda o: any(
            s in ("airing", "published") for (slot, _), (s, _, _) in o.items() if slot == first
        ),
        "published-first": lambda o: (
            all(s == "published" for (slot, _), (s, _, _) in o.items() if slot == first)
            and any(slot == first for slot, _ in o)
        ),
        "ready-second": lambda o: any(s == "ready" for (slot, _), (s, _, _) in o.items() if slot == second),
    }[moment]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if wanted(outcomes(url)):
                return True
        except Exception:  # the schema is not there yet
            pass
        time.sleep(0.2)
    return False


def logs(processes: list[Process]) -> str:
    return "\n".join(p.log.read_text(encoding="utf-8")[-2500:] for p in processes)


def test_three_processes_with_seeded_kills_air_each_broadcast_once(tmp_path: Path, fleet_db: str) -> None:
    config = commune(tmp_path, fleet_db)
    rng = random.Random(114)
    moments = rng.sample(["ready", "airing", "published-first", "ready-second"], 2)  # when to kill
    processes = [Process(tmp_path, config, f"p{i}") for i in range(3)]  # started together: no migration race
    try:
        for number, moment in enumerate(sorted(moments, key=MOMENTS.index)):
            assert wait_until(fleet_db, moment, 90), (moment, logs(processes))
            rng.choice([p for p in processes if p.popen.poll() is None]).kill()
            processes.append(Process(tmp_path, config, f"restart{number}"))  # as systemd would
        found = wait_for_outcomes(fleet_db, 150)
    finally:
        for process in processes:
            process.stop()
    assert len(found) == len(SLOTS) * len(ZONES), logs(processes)
    for key, (status, reason, as_run) in found.items():
        assert status in ("published", "missed", "failed"), (key, status, logs(processes))
        if status == "published":
            assert as_run == 1, (key, as_run)  # aired exactly once
        else:
            assert reason, (key, status)  # never without its reason
    assert sum(s == "published" for s, _, _ in found.values()) >= len(ZONES)  # a kill costs one slot at most
    assert "Traceback" not in logs(processes)


def test_roles_split_the_work_and_sqlite_refuses_them(tmp_path: Path, fleet_db: str) -> None:
    config = commune(tmp_path, fleet_db)
    scheduler = Process(tmp_path, config, "scheduler", role="scheduler")
    worker = Process(tmp_path, config, "worker", role="worker")
    try:
        found = wait_for_outcomes(fleet_db, 150)
    finally:
        scheduler.stop()
        worker.stop()
    assert {v[0] for v in found.values()} == {"published"}, logs([scheduler, worker])
    assert all(v[2] == 1 for v in found.values())
    lite = write_commune(tmp_path / "lite", f"sqlite:///{tmp_path / 'lite.db'}")
    refused = subprocess.run(
        [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(lite), "serve", "--role", "worker"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "PostgreSQL" in refused.stderr and "Traceback" not in refused.stderr
