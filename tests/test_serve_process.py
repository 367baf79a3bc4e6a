"""`loa serve` as a real process, with a notification gateway that accepts connections and never answers:
the slot due in the same minute still airs. (Its lateness goes to bench/airtime.py, not into an assert.)"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_commune

AIRTIME = "2026-11-30T10:00:00+07:00"
START = "2026-11-30T09:59:45+07:00"  # 15 s before the slot: rendered, then aired, while reminders hang


@pytest.fixture
def hanging_gateway() -> Iterator[tuple[int, list[socket.socket]]]:
    """A TCP server that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    done.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_slot_airs_while_the_notification_gateway_hangs(
    tmp_path: Path, hanging_gateway: tuple[int, list[socket.socket]]
) -> None:
    gateway_port, accepted = hanging_gateway
    config = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    text = config.read_text(encoding="utf-8")
    text = text.replace('time: "05:30"', 'time: "10:00"').replace(
        "zone: trung-tam}",
        f"zone: trung-tam, contacts: [{{name: Hoàng Văn Tuấn, notify: ['json://127.0.0.1:{gateway_port}/?rto=300']}}]}}",
    )
    text += f"reminders: {{quiet_hours: '', evaluate_at: '00:00'}}\nweb: {{host: 127.0.0.1, port: {free_port()}}}\n"
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "LOA_NOW": START, "LOA_LOG_LEVEL": "INFO"}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "loa114.scheduler.cli", "--config", str(config), "serve"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            folders = [tmp_path / "playout/2026-11-30/sang" / zone for zone in ("trung-tam", "phia-bac")]
            deadline = time.monotonic() + 90
            statuses: list[str | None] = []
            while time.monotonic() < deadline:
                statuses = [_status(folder) for folder in folders]
                if all(s == "published" for s in statuses):
                    break
                time.sleep(0.5)
            assert statuses == ["published", "published"], log_path.read_text(encoding="utf-8")[-3000:]
            assert accepted, "the reminder never reached the hanging gateway"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
    output = log_path.read_text(encoding="utf-8")
    assert "event=BroadcastPublished" in output and "BroadcastMissed" not in output
    assert "Traceback" not in output
    lateness = [
        json.loads((f / "manifest.json").read_text(encoding="utf-8"))["published_at"] for f in folders
    ]
    print(f"published at {lateness} for airtime {AIRTIME}")


def _status(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["status"])
    except (OSError, ValueError, KeyError):
        return None
