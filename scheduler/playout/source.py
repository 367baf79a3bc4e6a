"""The Icecast 2 source side: ffmpeg paces the audio, this module hands it to the server.

ffmpeg (the imageio-ffmpeg wheel's, found by `audio.ffmpeg.ffmpeg_exe`) reads the file or makes silence
at real-time pace (`-re`) and writes MP3 frames to a pipe; one socket speaks Icecast's source protocol
(HTTP PUT with Basic authentication, `Content-Type: audio/mpeg`) and sends them. ffmpeg's own
`icecast://` output would do the same, but it puts the password on the command line (any local user
reads it with `ps`) and its open has no timeout (a server that accepts and never answers holds it for
ever); here every step has a deadline and every refusal its own Vietnamese message.

    PlayoutError                     (scheduler.errors) any failure, message for the operator
    └── MountBusy                    the server says another source holds the mount (HTTP 403)
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from loa114.scheduler.config import Icecast
from loa114.scheduler.errors import PlayoutError

log = logging.getLogger(__name__)
NAME = "icecast"
CHUNK = 16384
EXIT_WAIT_S = 10.0  # ffmpeg closed its output: it exits at once, or is killed after this


class MountBusy(PlayoutError):
    """HTTP 403 on a source request: the mount is still held (e.g. by a source that is just stopping)."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    password: str = field(repr=False)
    connect_timeout: float = 10.0
    stall_timeout: float = 20.0

    @classmethod
    def from_config(cls, icecast: Icecast) -> Server:
        parts = urlsplit(icecast.url)
        try:
            password = icecast.password()
        except OSError as exc:
            raise PlayoutError(
                NAME, f"không đọc được tệp mật khẩu {icecast.source_password_file}: {exc.strerror or exc}"
            ) from None
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 8000,
            password=password,
            connect_timeout=icecast.connect_timeout.total_seconds(),
            stall_timeout=icecast.stall_timeout.total_seconds(),
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def open_source(server: Server, mount: str, *, title: str) -> socket.socket:
    """Connect as the source of `mount`; return the socket once the server said yes (100 or 200)."""
    try:
        sock = socket.create_connection((server.host, server.port), timeout=server.connect_timeout)
    except ConnectionRefusedError:
        raise PlayoutError(
            NAME, f"máy chủ Icecast {server.where} không nhận kết nối (chưa chạy hoặc sai cổng)"
        ) from None
    except TimeoutError:
        raise PlayoutError(
            NAME, f"không kết nối được máy chủ Icecast {server.where} sau {server.connect_timeout:g} giây"
        ) from None
    except OSError as exc:
        raise PlayoutError(
            NAME, f"không kết nối được máy chủ Icecast {server.where}: {exc.strerror or exc}"
        ) from None
    try:
        status, body = _handshake(sock, server, mount, title)
    except BaseException:
        sock.close()
        raise
    if status in (100, 200):
        sock.settimeout(server.stall_timeout)
        return sock
    sock.close()
    if status == 401:
        raise PlayoutError(NAME, f"máy chủ Icecast {server.where} từ chối mật khẩu nguồn (source_password)")
    if status == 403:
        raise MountBusy(NAME, f"điểm phát {mount} đang có nguồn khác phát ({body or 'HTTP 403'})")
    raise PlayoutError(NAME, f"máy chủ Icecast {server.where} trả lời HTTP {status} {body}".rstrip())


def _handshake(sock: socket.socket, server: Server, mount: str, title: str) -> tuple[int, str]:
    token = base64.b64encode(f"source:{server.password}".encode()).decode("ascii")
    request = (
        f"PUT {mount} HTTP/1.1\r\nHost: {server.where}\r\nAuthorization: Basic {token}\r\n"
        f"User-Agent: loa114\r\nContent-Type: audio/mpeg\r\nIce-Public: 0\r\n"
        f"Ice-Name: {title.encode('ascii', 'replace').decode('ascii')}\r\nExpect: 100-continue\r\n\r\n"
    )
    deadline = time.monotonic() + server.connect_timeout
    answer = b""
    try:
        sock.sendall(request.encode("ascii"))
        while b"\r\n\r\n" not in answer:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
            if len(answer) > 65536:
                break
    except TimeoutError:
        raise PlayoutError(
            NAME, f"máy chủ Icecast {server.where} không trả lời sau {server.connect_timeout:g} giây"
        ) from None
    except OSError as exc:
        raise PlayoutError(
            NAME, f"máy chủ Icecast {server.where} ngắt kết nối: {exc.strerror or exc}"
        ) from None
    head, _, rest = answer.partition(b"\r\n\r\n")
    words = head.split(b"\r\n", 1)[0].split()
    if len(words) < 2 or not words[0].startswith((b"HTTP/", b"ICY")) or not words[1].isdigit():
        raise PlayoutError(NAME, f"máy chủ {server.where} không trả lời như một máy chủ Icecast")
    return int(words[1]), rest.decode("utf-8", "replace").strip()[:100]


@dataclass(eq=False)  # identity: the adapter keeps a set of the feeds in flight
class Feed:
    """One running ffmpeg whose stdout is pumped into one source socket; `stop()` ends it from any thread."""

    argv: list[str]
    sock: socket.socket
    timed_out: bool = False
    stopped: bool = False
    sent: int = 0
    _proc: subprocess.Popen[bytes] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self, limit_s: float | None = None, on_chunk: Callable[[int], None] | None = None
    ) -> tuple[int, str]:
        """Pump until ffmpeg's output ends; (ffmpeg's exit status, its last error line).

        Raises PlayoutError when the server stops taking audio for `stall_timeout` or drops the connection.
        """
        with self._lock:
            if self.stopped:
                return -1, "stopped"
            self._proc = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        proc = self._proc
        assert proc.stdout is not None and proc.stderr is not None
        timer = threading.Timer(limit_s, self._expire) if limit_s else None
        if timer:
            timer.daemon = True
            timer.start()
        finished = False
        try:
            fd = proc.stdout.fileno()
            while chunk := os.read(fd, CHUNK):
                try:
                    self.sock.sendall(chunk)
                except TimeoutError:
                    raise PlayoutError(
                        NAME, "máy chủ Icecast ngừng nhận âm thanh (quá thời gian chờ)"
                    ) from None
                except OSError as exc:
                    if self.stopped:
                        break
                    raise PlayoutError(
                        NAME, f"máy chủ Icecast ngắt kết nối khi đang phát: {exc.strerror or exc}"
                    ) from None
                self.sent += len(chunk)
                if on_chunk:
                    on_chunk(self.sent)
            finished = True
        finally:
            if timer:
                timer.cancel()
            if not finished:
                self.stop_process()
            try:
                status = proc.wait(timeout=EXIT_WAIT_S)
            except subprocess.TimeoutExpired:
                self.stop_process()
                status = proc.wait()
            err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            proc.stdout.close()
            proc.stderr.close()
        return status, (err[-1] if err else "")

    def _expire(self) -> None:
        self.timed_out = True
        self.stop_process()

    def stop_process(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()

    def stop(self) -> None:
        """End the feed: no more audio, the source connection closes (the mount is released)."""
        self.stopped = True
        self.stop_process()
        with contextlib.suppress(OSError):  # already closed by the other side
            self.sock.shutdown(socket.SHUT_RDWR)
