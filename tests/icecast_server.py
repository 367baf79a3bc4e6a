"""A real Icecast 2 server for the tests: Debian's `icecast2`, on a free loopback port, with a minimal XML
config in tmp_path (no system service, no root-owned paths). Without the binary the tests skip, unless
REQUIRE_ICECAST=1 (CI sets it), when they fail instead.

icecast2 refuses to run as root unless <security><changeowner> names a user; as root (CI, the dev
machines) it drops to nobody:nogroup. Its logs go to stderr ("-"), which the fixture writes to a file it
opened itself, so nobody needs a writable log folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ICECAST = shutil.which("icecast2") or "/usr/bin/icecast2"
START_TIMEOUT = 10.0  # seconds a server may take to accept, polled, never slept
SOURCE_PASSWORD = "nguon-bi-mat-114"
CONFIG = """\
<icecast>
  <limits><sources>16</sources><clients>32</clients><source-timeout>10</source-timeout></limits>
  <authentication>
    <source-password>{password}</source-password>
    <admin-user>admin</admin-user><admin-password>{password}-admin</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><basedir>{root}</basedir><logdir>{root}</logdir><webroot>{root}</webroot><adminroot>{root}</adminroot></paths>
  <logging><accesslog>-</accesslog><errorlog>-</errorlog><loglevel>3</loglevel></logging>
  <security><chroot>0</chroot>{owner}</security>
</icecast>
"""
OWNER = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"


def require_icecast() -> None:
    """Skip (or fail under REQUIRE_ICECAST=1) when Debian's icecast2 is not installed."""
    if os.access(ICECAST, os.X_OK):
        return
    reason = f"{ICECAST} is missing: install Debian's icecast2 (apt-get install icecast2)"
    if os.environ.get("REQUIRE_ICECAST") == "1":
        pytest.fail(f"REQUIRE_ICECAST=1 but the Icecast tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"Icecast tests skipped: {reason} (set REQUIRE_ICECAST=1 to fail instead)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: object, what: str, timeout: float = START_TIMEOUT) -> None:
    """Poll `check()` until it is true, within `timeout` seconds (a bounded wait for a real process)."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        threading.Event().wait(0.05)


def accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


@dataclass
class IcecastServer:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def listen_url(self, mount: str) -> str:
        return f"{self.url}{mount}"

    def is_live(self, mount: str) -> bool:
        """Whether `mount` has a source now (a listener is let in: 200, not 404)."""
        try:
            with urllib.request.urlopen(self.listen_url(mount), timeout=2) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False


@contextlib.contextmanager
def icecast_server(root: Path) -> Iterator[IcecastServer]:
    require_icecast()
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    owner = OWNER if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    config = root / "icecast.xml"
    config.write_text(
        CONFIG.format(password=SOURCE_PASSWORD, port=port, root=root, owner=owner), encoding="utf-8"
    )
    config.chmod(0o644)
    log = root / "icecast.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([ICECAST, "-c", str(config)], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: accepts(port) or proc.poll() is not None, "icecast2 accepting")
        if proc.poll() is not None:
            raise AssertionError(f"icecast2 exited {proc.returncode}: {log.read_text(errors='replace')}")
        yield IcecastServer(port, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def hanging_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers; yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


class Recorder:
    """Records what a listener of `url` hears, from when the mount goes live until its source ends."""

    def __init__(self, url: str, out: Path, timeout: float = START_TIMEOUT):
        self.url = url
        self.out = out
        self.timeout = timeout
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(60)

    def _run(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                answer = urllib.request.urlopen(self.url, timeout=5)
                break
            except (urllib.error.URLError, OSError) as exc:
                if time.monotonic() > deadline:
                    self.error = exc
                    return
                threading.Event().wait(0.02)
        with answer, self.out.open("wb") as out:
            try:
                while chunk := answer.read(4096):
                    out.write(chunk)
            except OSError as exc:  # the source ended mid-read
                self.error = exc
