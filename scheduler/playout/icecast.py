"""Streams each program to an Icecast 2 mount the zone's IP loudspeakers listen to (`playout.icecast`).

At airtime the zone's `program.mp3` (already loudness-normalised) is sent, at real-time pace and
unchanged (`-c copy`), as the source of `<mount_prefix>/<commune.id>/<zone>`. The adapter `plays`:
success means the whole program went out — ffmpeg read it to the end and the server took every byte.
The as-run detail names the mount and the stream's start and end in the commune's time, e.g.
"icecast /loi-bac/trung-tam 05:30:00–05:39:12".

Between programs the mount carries nothing (receivers find no stream), or with `between: silence` a
silent stream (`silence`), so receivers stay connected.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from loa114.scheduler.config import Icecast
from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout.base import Airing, PlayoutAdapter
from loa114.scheduler.playout.silence import SilenceKeeper, silence_args
from loa114.scheduler.playout.source import NAME, Feed, MountBusy, Server, open_source

log = logging.getLogger(__name__)
SLOWEST_KBPS = 32  # audio.bitrate_kbps is at least this: the file size bounds the program's duration
MARGIN_S = 30.0  # beyond that bound (and the connection), a stream is stopped as hung
BUSY_POLL_S = 0.2  # while a stopped silence source releases the mount


def ffmpeg_binary() -> str:
    """The wheel's ffmpeg, found the way the audio package finds it (imported late: it is heavy)."""
    from loa114.audio.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def program_args(path: str) -> list[str]:
    """ffmpeg arguments that read `path` at real-time pace and write its MP3 frames unchanged to stdout."""
    return [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-i", path, "-vn",
        "-c:a", "copy", "-write_xing", "0", "-id3v2_version", "0",
        "-flush_packets", "1", "-f", "mp3", "pipe:1",
    ]  # fmt: skip


class IcecastPlayout(PlayoutAdapter):
    name = NAME
    plays = True

    def __init__(self, settings: Icecast, commune_id: str, zones: list[str]):
        self.settings = settings
        self.commune_id = commune_id
        self.keeper: SilenceKeeper | None = None
        if settings.between == "silence":
            self.keeper = SilenceKeeper(
                {zone: self.mount(zone) for zone in zones},
                self._connect_silence,
                lambda: [ffmpeg_binary(), *silence_args()],
            )
        self._feeds: set[Feed] = set()
        self._lock = threading.Lock()

    def mount(self, zone: str) -> str:
        return f"{self.settings.mount_prefix}/{self.commune_id}/{zone}"

    def start(self) -> None:
        if self.keeper is not None:
            self.keeper.start()

    def close(self) -> None:
        """Stop the silence sources and any program still streaming (it ends `failed`)."""
        if self.keeper is not None:
            self.keeper.close()
        with self._lock:
            feeds = list(self._feeds)
        for feed in feeds:
            feed.stop()

    def publish(self, airing: Airing) -> str | None:
        program = airing.program
        if not program.is_file():
            raise PlayoutError(self.name, f"thiếu tệp chương trình {program}")
        server = Server.from_config(self.settings)
        mount = self.mount(airing.zone)
        limit = program.stat().st_size * 8 / (SLOWEST_KBPS * 1000) + server.connect_timeout + MARGIN_S
        began = time.monotonic()
        paused = self.keeper.paused(airing.zone) if self.keeper is not None else nullcontext()
        with paused:
            sock = self._connect(server, mount, patient=self.keeper is not None)
            with self._streaming(Feed([ffmpeg_binary(), *program_args(str(program))], sock)) as feed:
                status, error = feed.run(limit)
        elapsed = time.monotonic() - began
        if feed.stopped:
            raise PlayoutError(self.name, f"dịch vụ dừng khi đang phát lên {mount}")
        if feed.timed_out:
            raise PlayoutError(self.name, f"phát lên {mount} quá {limit:.0f} giây, đã dừng")
        if status != 0:
            raise PlayoutError(
                self.name,
                f"ffmpeg dừng với mã lỗi {status} khi phát lên {mount}: {error}",
                exit_status=status,
            )
        if feed.sent == 0:
            raise PlayoutError(self.name, f"tệp {program} không có âm thanh để phát")
        start = airing.aired_at
        end = start + timedelta(seconds=elapsed)
        log.info("icecast streamed mount=%s bytes=%d seconds=%.1f", mount, feed.sent, elapsed)
        return f"icecast {mount} {start:%H:%M:%S}–{end:%H:%M:%S}"

    def _connect(self, server: Server, mount: str, *, patient: bool) -> socket.socket:
        """Connect as the mount's source; `patient`: a silence source just stopped may still hold it."""
        deadline = time.monotonic() + server.connect_timeout
        while True:
            try:
                return open_source(server, mount, title=f"Loa 114 {self.commune_id}")
            except MountBusy:
                if not patient or time.monotonic() >= deadline:
                    raise
            threading.Event().wait(BUSY_POLL_S)

    def _connect_silence(self, mount: str) -> socket.socket:
        return open_source(Server.from_config(self.settings), mount, title=f"Loa 114 {self.commune_id}")

    @contextmanager
    def _streaming(self, feed: Feed) -> Iterator[Feed]:
        with self._lock:
            self._feeds.add(feed)
        try:
            yield feed
        finally:
            feed.sock.close()
            with self._lock:
                self._feeds.discard(feed)
