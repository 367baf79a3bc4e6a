"""Shared helpers for the audio tests: settings, real audio (espeak, ffmpeg, numpy), Google's answer, and
local servers standing in for Google (one that answers, one that hangs)."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import urllib.parse
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import requests
import responses
from requests.adapters import HTTPAdapter

from loa114.audio import dsp, ffmpeg
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.settings import AudioSettings

GOOGLE_URL = "https://translate.google.com.vn/_/TranslateWebserverUi/data/batchexecute"
TEXT = "Khi phát hiện cháy, hãy gọi ngay một một bốn."


def make_settings(tmp_path: Path, **overrides: object) -> AudioSettings:
    values: dict = {"cache_dir": tmp_path / "cache", "engines": ("gtts", "offline")}
    values.update(overrides)
    return AudioSettings(**values)


@cache
def google_mp3() -> bytes:
    """A real short MP3 like Google's (24 kHz mono 32 kb/s), of real Vietnamese speech."""
    speech = OfflineEngine().synthesize("Xin chào bà con")
    samples = dsp.to_pcm16(dsp.to_float(speech, 24000))
    return ffmpeg.encode_mp3(samples, 24000, 32)


def google_body(mp3: bytes) -> str:
    """A well-formed batchexecute answer carrying `mp3`, as gTTS parses it."""
    payload = json.dumps([base64.b64encode(mp3).decode("ascii")])
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 38]], separators=(",", ":")
    )
    return ")]}'\n\n" + str(len(envelope)) + "\n" + envelope + "\n"


def google_ok(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, GOOGLE_URL, body=google_body(google_mp3()), status=200)


def google_down(rsps: responses.RequestsMock) -> None:
    rsps.add(responses.POST, GOOGLE_URL, body=requests.ConnectionError("no route to host"))


def google_calls(rsps: responses.RequestsMock) -> int:
    return sum(1 for call in rsps.calls if call.request.url == GOOGLE_URL)


def tone(seconds: float, rate: int = 22050, freq: float = 440.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)


class FakeClock:
    """Injected `monotonic`, `sleep` and wall `clock`: sleeping advances the clock, nothing waits."""

    EPOCH = 1_790_000_000.0  # the wall clock's reading at monotonic 0 (late 2026)

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeGoogle:
    """Google's batchexecute endpoint on 127.0.0.1 (HTTP/1.1, keep-alive), counting what reaches it.

    Each text is answered with an MP3 of that very text (spoken by espeak), so a chunk put in the
    wrong place would be heard. `hold = n` makes requests wait (on a condition, no sleeping) until
    n are in flight at once, then lets them all go: the test sees the largest concurrency reached.
    """

    def __init__(self) -> None:
        self.requests = 0
        self.connections = 0
        self.active = 0
        self.max_active = 0
        self.texts: list[str] = []
        self.hold = 0
        self.status = 200
        self._released = False
        self._mp3: dict[str, bytes] = {}
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _GoogleHandler)
        self._server.daemon_threads = True
        self._server.google = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def session(self) -> requests.Session:
        """A session whose requests to translate.google.* reach this server instead."""
        return local_session(self.base_url)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let held requests (and all later ones) go."""
        with self._cond:
            self._released = True
            self._cond.notify_all()

    def wait_active(self, n: int) -> None:
        """Block until `n` requests are being held at once (a condition, not a sleep)."""
        with self._cond:
            assert self._cond.wait_for(lambda: self.active >= n, timeout=10), (
                f"{self.active} requests in flight"
            )

    def answer(self, text: str) -> tuple[int, bytes]:
        with self._cond:
            self.requests += 1
            self.texts.append(text)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self._cond.notify_all()
            if self.hold and not self._released:
                self._cond.wait_for(lambda: self.active >= self.hold or self._released, timeout=10)
                self._released = True
                self._cond.notify_all()
        try:
            if self.status != 200:
                return self.status, b"unavailable"
            return 200, google_body(self._speech(text)).encode("utf-8")
        finally:
            with self._cond:
                self.active -= 1

    def _speech(self, text: str) -> bytes:
        with self._cond:
            mp3 = self._mp3.get(text)
        if mp3 is None:
            samples = dsp.to_pcm16(dsp.to_float(OfflineEngine().synthesize(text), 24000))
            mp3 = ffmpeg.encode_mp3(samples, 24000, 32)
            with self._cond:
                self._mp3[text] = mp3
        return mp3

    def opened(self) -> None:
        with self._cond:
            self.connections += 1


class _GoogleHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client decides how many connections it opens

    def setup(self) -> None:
        super().setup()
        self.server.google.opened()  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        form = urllib.parse.parse_qs(body.decode("utf-8"))
        text = json.loads(json.loads(form["f.req"][0])[0][0][1])[0]
        status, payload = self.server.google.answer(text)  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class SilentServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: a network path that hangs."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            self._held.append(conn)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        for conn in self._held:
            conn.close()


class _ToLocal(HTTPAdapter):
    """Sends requests for translate.google.* to `base` (a local server) instead: the transport seam."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:  # type: ignore[override]
        local = request.copy()
        parts = urllib.parse.urlsplit(request.url or "")
        local.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(local, **kwargs)  # type: ignore[arg-type]


def local_session(base: str) -> requests.Session:
    session = requests.Session()
    session.mount("https://translate.google.", _ToLocal(base))
    return session
