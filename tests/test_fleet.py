"""`loa serve` on PostgreSQL as a fleet of real processes (service/fleet.py): every broadcast airs exactly
once, or is missed with its reason, and every reminder reaches its village head once, while processes are
SIGKILLed at seeded random moments; `--role` splits the work. The fleet gets a database of its own
(`fresh_postgres`): the shared one is left alone."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import write_commune
from sqlalchemy import create_engine, text

START = "2026-11-30T09:59:30+07:00"  # 30 s before the first slot
SLOTS = ("10:00", "10:01", "10:02")
ZONES = ("trung-tam", "phia-bac")
VILLAGES = ("na-pan", "khon-pau")  # one in each zone, as conftest's commune has them
COMMUNES = tuple(f"xa-{n:02d}" for n in range(20))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Gateway:
    """The notification gateway: records every notice posted to it (Apprise's `json://`), by path."""

    def __init__(self) -> None:
        received: Counter[str] = Counter()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received[self.path] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    served = Gateway()
    yield served
    served.server.shutdown()


def province(root: Path, url: str, gateway_port: int) -> Path:
    """A province of `COMMUNES`, each two zones with `SLOTS` a minute apart and a village head per village
    whose reminders go to the gateway at `/<commune>/<village>`."""
    slot_lines = "".join(
        f'  - {{id: s{t.replace(":", "")}, time: "{t}", days: daily, max_duration: 2m, zones: all}}\n'
        for t in SLOTS
    )
    entries = ""
    for key in COMMUNES:
        config = write_commune(root / key, "sqlite:///ignored.db")
        body = config.read_text(encoding="utf-8").replace("Lợi Bác", key.replace("-", " ").title())
        start = body.index("slots:\n") + len("slots:\n")
        body = body[:start] + slot_lines + body[body.index("scripts:") :]
        for village, zone in zip(VILLAGES, ZONES, strict=True):
            url_ = f"json://127.0.0.1:{gateway_port}/{key}/{village}"
            body = body.replace(
                f"zone: {zone}}}", f"zone: {zone}, contacts: [{{name: Trưởng thôn, notify: ['{url_}']}}]}}", 1
            )
        body += "reminders: {quiet_hours: '', evaluate_at: '00:00'}\n"
        config.write_text(body, encoding="utf-8")
        entries += f"  - {{id: {key}, config: {key}/config.yaml}}\n"
    path = root / "province.yaml"
    path.write_text(
        f'province: {{name: Lạng Sơn}}\ndatabase: {{url: "{url}"}}\nplayout: {{dir: playout}}\ncommunes:\n{entries}',
        encoding="utf-8",
    )
    return path


FLEET_STARTED = [0.0]  # the wall clock when the fleet started: every process shares the test's clock


def fleet_now() -> str:
    """The test's clock for a process starting now: START when the fleet starts, as much later after."""
    if not FLEET_STARTED[0]:
        FLEET_STARTED[0] = time.monotonic()
    elapsed = timedelta(seconds=time.monotonic() - FLEET_STARTED[0])
    return (datetime.fromisoformat(START) + elapsed).isoformat()


class Process:
    def __init__(self, root: Path, config: Path, name: str, role: str = "all") -> None:
        self.role = role
        self.log = root / f"{name}.log"
        argv = ["--config", str(config), "serve", "--role", role, "--port", str(free_port())]
        with self.log.open("a") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "loa114.scheduler.cli", *argv],
                cwd=root,
                env={**os.environ, "LOA_NOW": fleet_now(), "LOA_LOG_LEVEL": "INFO"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> float:
        """SIGTERM, as systemd stops a service; returns how long it took to exit (killed after 30 s)."""
        started = time.monotonic()
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                return 30.0
        return time.monotonic() - started


Outcome = tuple[str, str | None, int]


def outcomes(url: str) -> dict[tuple[str, str, str], Outcome]:
    """(commune, slot, zone) -> (status, reason, as-run rows) for the broadcasts of the test day."""
    engine = create_engine(url)
    found: dict[tuple[str, str, str], Outcome] = {}
    try:
        with engine.connect() as connection:
            for key in COMMUNES:
                schema = "c_" + key.replace("-", "_")
                rows = connection.execute(
                    text(
                        f"SELECT b.slot_id, b.zone_id, b.status, b.reason,"
                        f" (SELECT count(*) FROM {schema}.as_run r WHERE r.broadcast_id = b.id)"
                        f" FROM {schema}.broadcasts b WHERE b.day = '2026-11-30' AND b.kind = 'slot'"
                    )
                ).all()
                found.update({(key, r[0], r[1]): (r[2], r[3], int(r[4])) for r in rows})
    finally:
        engine.dispose()
    return found


def wait_for_outcomes(url: str, seconds: float) -> dict[tuple[str, str, str], Outcome]:
    deadline = time.monotonic() + seconds
    found: dict[tuple[str, str, str], Outcome] = {}
    while time.monotonic() < deadline:
        try:
            found = outcomes(url)
        except Exception:  # the schemas are not there yet
            found = {}
        final = [v for v in found.values() if v[0] in ("published", "aired", "missed", "failed")]
        if len(found) == len(COMMUNES) * len(SLOTS) * len(ZONES) and len(final) == len(found):
            return found
        time.sleep(0.5)
    return found


MOMENTS = ["ready", "airing", "published-first", "ready-second"]


def wait_until(url: str, moment: str, seconds: float) -> bool:
    """Poll the rows until the fleet reaches `moment` (the kill points are events, not times)."""
    first, second = (f"s{t.replace(':', '')}" for t in SLOTS[:2])

    def of(o: dict[tuple[str, str, str], Outcome], slot: str) -> list[str]:
        return [status for (_, s, _), (status, _, _) in o.items() if s == slot]

    wanted = {
        "ready": lambda o: "ready" in of(o, first),
        "airing": lambda o: bool({"airing", "published"} & set(of(o, first))),
        "published-first": lambda o: (
            len(of(o, first)) == len(COMMUNES) * len(ZONES) and set(of(o, first)) == {"published"}
        ),
        "ready-second": lambda o: "ready" in of(o, second),
    }[moment]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if wanted(outcomes(url)):
                return True
        except Exception:  # the schemas are not there yet
            pass
        time.sleep(0.2)
    return False


def logs(processes: list[Process]) -> str:
    return "\n".join(p.log.read_text(encoding="utf-8")[-2500:] for p in processes)


def test_a_fleet_with_seeded_kills_airs_each_broadcast_once(
    tmp_path: Path, fresh_postgres: str, gateway: Gateway
) -> None:
    """Three processes on a province of 20 communes, started together on a fresh database (no migration
    race): an `all`, a `scheduler` and a `worker`; two of them SIGKILLed at seeded moments, each restarted."""
    config = province(tmp_path, fresh_postgres, gateway.port)
    FLEET_STARTED[0] = 0.0
    rng = random.Random(114)
    moments = sorted(rng.sample(MOMENTS, 2), key=MOMENTS.index)
    roles = ["all", "scheduler", "worker"]
    processes = [Process(tmp_path, config, f"p{i}-{role}", role) for i, role in enumerate(roles)]
    try:
        for number, moment in enumerate(moments):
            assert wait_until(fresh_postgres, moment, 120), (moment, logs(processes))
            victim = rng.choice([p for p in processes if p.popen.poll() is None])
            victim.kill()
            processes.append(Process(tmp_path, config, f"restart{number}-{victim.role}", victim.role))
        found = wait_for_outcomes(fresh_postgres, 150)
        deadline = time.monotonic() + 60  # the reminders go out at the evaluation and the delivery rounds
        while len(gateway.received) < len(COMMUNES) * len(VILLAGES) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stopped = [process.stop() for process in processes]
    assert len(found) == len(COMMUNES) * len(SLOTS) * len(ZONES), logs(processes)
    assert max(stopped) < 15, stopped  # SIGTERM: running steps get 10 s, the loops over communes stop at once
    for key, (status, reason, as_run) in found.items():
        assert status in ("published", "missed", "failed"), (key, status, logs(processes))
        if status == "published":
            assert as_run == 1, (key, as_run)  # aired exactly once
        else:
            assert reason, (key, status)  # never without its reason
    assert {s for s, _, _ in found.values()} == {"published"}, found  # a killed process's work is taken over
    folders = {p.relative_to(tmp_path / "playout").parts[0] for p in (tmp_path / "playout").glob("*/*/*/*")}
    assert folders == set(COMMUNES)  # <playout.dir>/<commune>/<date>/<slot>/<zone>
    # every village lags (nothing reported): one reminder each, none lost, none sent twice
    assert gateway.received == Counter({f"/{c}/{v}": 1 for c in COMMUNES for v in VILLAGES}), gateway.received
    assert "Traceback" not in logs(processes)


def test_roles_are_refused_on_sqlite(tmp_path: Path) -> None:
    lite = write_commune(tmp_path, f"sqlite:///{tmp_path / 'lite.db'}")
    refused = subprocess.run(
        [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(lite), "serve", "--role", "worker"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "PostgreSQL" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
