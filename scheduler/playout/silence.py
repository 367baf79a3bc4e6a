"""`playout.icecast.between: silence`: each zone's mount carries silence between programs.

One thread per zone keeps a source connected, fed by an ffmpeg making silence (`anullsrc`, MP3 mono
22.05 kHz at 16 kb/s: about 2 KB a second and almost no CPU). Before a program streams, the zone's
silence is stopped (the mount must be free for the program's source) and it starts again afterwards.
A keeper that cannot connect (server down, wrong password) logs it and tries again every `retry_s`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout.source import Feed, MountBusy

log = logging.getLogger(__name__)
RELEASE_S = 5.0  # after a program, the server may take this long to free the mount for the silence
BUSY_POLL_S = 0.1


def silence_args() -> list[str]:
    """ffmpeg arguments (after the binary) for an endless, real-time paced stream of silent MP3 frames."""
    return [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "anullsrc=r=22050:cl=mono",
        "-c:a", "libmp3lame", "-b:a", "16k", "-write_xing", "0", "-id3v2_version", "0",
        "-flush_packets", "1", "-f", "mp3", "pipe:1",
    ]  # fmt: skip


class _Keeper:
    """The silence of one mount: connect, feed, and after any failure try again until stopped."""

    def __init__(self, mount: str, connect: Callable[[str], socket.socket], argv: list[str], retry_s: float):
        self.mount = mount
        self.connect = connect
        self.argv = argv
        self.retry_s = retry_s
        self.stopping = threading.Event()
        self.feed: Feed | None = None
        self.thread = threading.Thread(target=self._run, name=f"silence {mount}", daemon=True)

    def _run(self) -> None:
        released_by = time.monotonic() + RELEASE_S
        while not self.stopping.is_set():
            try:
                sock = self.connect(self.mount)
            except MountBusy:
                if time.monotonic() < released_by:  # the program's source is just letting go of the mount
                    self.stopping.wait(BUSY_POLL_S)
                    continue
                log.warning("silence source waiting: another source holds mount=%s", self.mount)
                self.stopping.wait(self.retry_s)
                continue
            except PlayoutError as exc:
                log.warning("silence source not connected mount=%s error=%s", self.mount, exc.message)
                self.stopping.wait(self.retry_s)
                continue
            feed = self.feed = Feed(list(self.argv), sock)
            if self.stopping.is_set():
                feed.stop()
            try:
                status, error = feed.run()
                if not feed.stopped:
                    log.warning("silence source ended mount=%s status=%s error=%s", self.mount, status, error)
            except PlayoutError as exc:
                log.warning("silence source lost mount=%s error=%s", self.mount, exc.message)
            finally:
                sock.close()
            self.stopping.wait(self.retry_s)

    def stop(self, timeout: float) -> None:
        self.stopping.set()
        if self.feed is not None:
            self.feed.stop()
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning("silence source did not stop in %.0f s mount=%s", timeout, self.mount)


class SilenceKeeper:
    """Silence on every zone's mount while `start()`ed; `paused(zone)` frees one mount for a program."""

    def __init__(
        self,
        mounts: dict[str, str],
        connect: Callable[[str], socket.socket],
        argv: Callable[[], list[str]],
        *,
        retry_s: float = 5.0,
        stop_timeout_s: float = 15.0,
    ):
        self.mounts = mounts
        self.connect = connect
        self.argv = argv
        self.retry_s = retry_s
        self.stop_timeout_s = stop_timeout_s
        self.active = False
        self._keepers: dict[str, _Keeper] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            self.active = True
            for zone in self.mounts:
                self._start(zone)

    def _start(self, zone: str) -> None:
        if zone in self._keepers or zone not in self.mounts:
            return
        keeper = _Keeper(self.mounts[zone], self.connect, self.argv(), self.retry_s)
        self._keepers[zone] = keeper
        keeper.thread.start()
        log.info("silence source started mount=%s", keeper.mount)

    def _stop(self, zone: str) -> None:
        keeper = self._keepers.pop(zone, None)
        if keeper is not None:
            keeper.stop(self.stop_timeout_s)

    def running(self, zone: str) -> bool:
        keeper = self._keepers.get(zone)
        return keeper is not None and keeper.feed is not None and keeper.feed.sent > 0

    @contextmanager
    def paused(self, zone: str) -> Iterator[None]:
        """Stop the zone's silence for the block; start it again after, if the keeper is still active."""
        with self._lock:
            self._stop(zone)
        try:
            yield
        finally:
            with self._lock:
                if self.active:
                    self._start(zone)

    def close(self) -> None:
        with self._lock:
            self.active = False
            for zone in list(self._keepers):
                self._stop(zone)
