"""Two `loa serve` processes on one machine and one database, each on its own `--port`: both start
together (migrating a fresh database once), both answer `/healthz` with their own pid and run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import write_commune
from test_migrate_processes import assert_at_head_once
from test_serve_process import free_port


def health(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as exc:  # 503 while degraded: still a JSON answer
        return dict(json.load(exc))
    except OSError:
        return None


def serve_two(tmp_path: Path, url: str) -> None:
    config = write_commune(tmp_path, url)
    ports = [free_port(), free_port()]
    env = {**os.environ, "LOA_LOG_LEVEL": "INFO"}
    logs = [tmp_path / f"serve-{port}.log" for port in ports]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "loa114.scheduler.cli",
                "--config",
                str(config),
                "serve",
                "--port",
                str(port),
            ],
            cwd=tmp_path,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        answers: list[dict[str, Any] | None] = [None, None]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            answers = [health(port) for port in ports]
            if all(a is not None and a["status"] == "ok" and a["queue"] is not None for a in answers):
                break
            assert all(p.poll() is None for p in processes), [log.read_text()[-2000:] for log in logs]
            time.sleep(0.5)
        assert all(a is not None and a["status"] == "ok" for a in answers), (answers, logs[0].read_text())
        first, second = answers
        assert first is not None and second is not None
        assert {first["pid"], second["pid"]} == {p.pid for p in processes}
        assert first["run"] != second["run"] and first["role"] == second["role"] == "all"
        assert set(first["queue"]) == {"build", "air", "deliver"} and first["last_beat_at"] is not None
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    for log in logs:
        assert "Traceback" not in log.read_text(encoding="utf-8")
    assert_at_head_once(url)


def test_two_services_share_a_sqlite_database_on_their_own_ports(tmp_path: Path) -> None:
    serve_two(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")


@pytest.mark.postgres
def test_two_services_start_together_on_a_fresh_postgres_database(
    tmp_path: Path, fresh_postgres: str
) -> None:
    serve_two(tmp_path, fresh_postgres)
