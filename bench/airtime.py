"""Benchmark: air lateness of `loa serve` (a real process) while cold renders and a hanging gateway run.

The shipped commune (9 villages, 4 zones, its scripts) gets one slot every 2 minutes. The lead time is
2 minutes, so each slot's airtime is the minute the next slot's cold render starts (each script says its
slot's time, so nothing is in the cache), while every village's reminder goes to a notification gateway
that accepts the connection and never answers. The service runs on a rehearsal clock (`LOA_NOW`) in real
time; lateness is the as-run start minus the airtime, as the service records it. Also polls `/healthz`
all along and reports how long it takes to answer. Target: p99 lateness ≤ 1 s; /healthz ≤ 100 ms.

    .venv/bin/python bench/airtime.py [--slots 6]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIRST = datetime.fromisoformat("2026-11-30T10:00:00+07:00")


class Gateway:
    """Accepts every connection and never answers."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.done = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.done.is_set():
            try:
                self.accepted.append(self.server.accept()[0])
            except OSError:
                continue


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def commune(work: Path, slots: int, gateway: int, web: int) -> Path:
    """The shipped config with a slot every 2 minutes, scripts that change per slot, a hanging gateway."""
    scripts = work / "scripts"
    shutil.copytree(ROOT / "content" / "scripts", scripts)
    for path in scripts.glob("*.txt"):
        head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n")
        if "urgent: true" not in head:
            path.write_text(f"{head}{sep}Buổi phát lúc {{{{ slot.time }}}}.\n{body}", encoding="utf-8")
    data = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    times = [(FIRST + timedelta(minutes=2 * i)).strftime("%H:%M") for i in range(slots)]
    data["slots"] = [{"id": f"s{i}", "time": t, "days": "daily", "zones": "all"} for i, t in enumerate(times)]
    for village in data["villages"]:
        for contact in village.get("contacts", []):
            contact["notify"] = [f"json://127.0.0.1:{gateway}/?rto=600"]
    data.update(
        scripts={"dir": "scripts"},
        playout={"dir": "playout"},
        database={"url": "sqlite:///loa.db"},
        audio={"engines": ["offline"], "cache_dir": "cache"},
        notices={"dir": "notices"},
        schedule={"lead_time": "2m", "misfire_grace": "5m"},
        reminders={"quiet_hours": "", "evaluate_at": "00:00"},
        web={"host": "127.0.0.1", "port": web},
    )
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def health_poller(port: int, stop: threading.Event, times: list[float], codes: list[int]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                response.read()
                codes.append(response.status)
        except urllib.error.HTTPError as exc:  # 503 "degraded" is an answer too
            codes.append(exc.code)
        except OSError:
            stop.wait(0.5)
            continue
        times.append(time.perf_counter() - started)
        stop.wait(0.5)


def percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=6)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="loa-airtime-"))
    gateway = Gateway()
    web = free_port()
    config = commune(work, args.slots, gateway.port, web)
    start = FIRST - timedelta(seconds=100)  # the first slot's program renders from the start (within lead)
    env = {**os.environ, "LOA_NOW": start.isoformat(), "LOA_LOG_LEVEL": "INFO"}
    log = (work / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(config), "serve"],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    stop, health, codes = threading.Event(), [], []
    threading.Thread(target=health_poller, args=(web, stop, health, codes), daemon=True).start()
    last = FIRST + timedelta(minutes=2 * (args.slots - 1))
    wall = (last - start).total_seconds() + 20
    print(f"running {wall:.0f} s: {args.slots} slots × 4 zones, cold renders, hanging gateway (work: {work})")
    time.sleep(wall)
    stop.set()
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    with sqlite3.connect(work / "loa.db") as db:
        lateness = [
            row[0]
            for row in db.execute(
                "SELECT a.lateness_s FROM as_run a JOIN broadcasts b ON b.id = a.broadcast_id "
                "WHERE b.kind = 'slot' AND a.started_at IS NOT NULL"
            )
        ]
        outcomes = dict(db.execute("SELECT status, count(*) FROM broadcasts GROUP BY status").fetchall())
        rendered = db.execute("SELECT count(*) FROM events WHERE kind = 'BroadcastReady'").fetchone()[0]
    lateness.sort()
    p99 = percentile(lateness, 0.99)
    health.sort()
    health_p99 = percentile(health, 0.99)
    result = {
        "airings": len(lateness),
        "outcomes": outcomes,
        "programs_rendered": rendered,
        "lateness_s_median": round(statistics.median(lateness), 3) if lateness else None,
        "lateness_s_p99": round(p99, 3) if p99 is not None else None,
        "lateness_s_max": round(lateness[-1], 3) if lateness else None,
        "gateway_connections_hanging": len(gateway.accepted),
        "healthz_answers": len(health),
        "healthz_not_200": sum(1 for code in codes if code != 200),
        "healthz_ms_median": round(statistics.median(health) * 1000, 1) if health else None,
        "healthz_ms_p99": round(health_p99 * 1000, 1) if health_p99 is not None else None,
        "healthz_ms_max": round(health[-1] * 1000, 1) if health else None,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(
        f"p99 lateness {result['lateness_s_p99']} s (target ≤ 1 s); /healthz max {result['healthz_ms_max']} ms"
    )
    gateway.done.set()


if __name__ == "__main__":
    main()
