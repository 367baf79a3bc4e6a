"""Benchmark: a cold 1-day build of the shipped commune with the online voice, against a local mock of
Google's TTS endpoint, compared with the offline voice.

The mock is a ThreadingHTTPServer on 127.0.0.1 that answers gTTS's batchexecute POST, after a
configurable latency (default 300 ms), with a valid answer carrying a real MP3 of speech (made once
with the offline voice and the wheel's ffmpeg; its length follows the text's, about 14 characters a
second, as Google's does). It counts requests, connections opened and the most requests in flight at
once. The real GTTSEngine reaches it through its session seam: a transport adapter that sends
translate.google.* to the mock. No internet.

Four builds, each with a fresh cache, database and playout folder, through
`Station(App.create(config, engines=[...])).build_days(first, days, now)` as bench/render.py does:
offline; online with the scheduler as it is (items of a program rendered one after another, the
chunks of each item side by side); online with the items of each program rendered side by side by a
small thread pool first (what a scheduler rendering items concurrently would get), then the same
build; online with the speech of every program prefetched on a background thread
(`ProgramBuilder.prefetch_speech`) while the build renders items one after another as it does now.
Each build runs in a fresh process, so its peak RSS (VmHWM) is its own. Target: online <= 2 × offline.

    .venv/bin/python bench/tts_online.py [--latency 0.3] [--days 1] [--item-threads 4]
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loa114.audio import ffmpeg  # noqa: E402
from loa114.audio.engines.base import TTSEngine  # noqa: E402
from loa114.audio.engines.gtts import GTTSEngine  # noqa: E402
from loa114.audio.engines.offline import OfflineEngine  # noqa: E402
from loa114.audio.program import ItemSource, ProgramBuilder  # noqa: E402
from loa114.scheduler.config import Config, load_config  # noqa: E402
from loa114.scheduler.service.app import App  # noqa: E402
from loa114.scheduler.service.station import Station  # noqa: E402

CHARS_PER_SECOND = 14.0
SPEECH = (
    "Kính thưa bà con, hãy cài đặt ứng dụng Báo cháy một một bốn trên điện thoại thông minh, "
    "khi phát hiện cháy hãy gọi ngay một một bốn và báo cho trưởng thôn biết."
)


class MockGoogle:
    """Google's batchexecute endpoint on 127.0.0.1, answering after `latency` seconds, with counters."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.requests = self.connections = self.active = self.max_active = 0
        self._lock = threading.Lock()
        self._mp3 = _speech_mp3s()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.mock = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        with self._lock:
            self.requests = self.connections = self.max_active = 0

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, text: str) -> bytes:
        with self._lock:
            self.requests += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.latency)  # the network and Google's synthesis
            seconds = min(max(len(text) / CHARS_PER_SECOND, 0.8), 8.0)
            return _google_body(self._mp3[round(seconds * 2) / 2])
        finally:
            with self._lock:
                self.active -= 1

    def opened(self) -> None:
        with self._lock:
            self.connections += 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends

    def setup(self) -> None:
        super().setup()
        self.server.mock.opened()  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        form = urllib.parse.parse_qs(body.decode("utf-8"))
        text = json.loads(json.loads(form["f.req"][0])[0][0][1])[0]
        payload = self.server.mock.answer(text)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _speech_mp3s() -> dict[float, bytes]:
    """MP3s (24 kHz mono 32 kb/s, like Google's) of real speech, 0.5 s to 8 s in half-second steps.

    ffmpeg resamples, so that the mock does not import scipy.signal into the measured process.
    """
    speech = OfflineEngine().synthesize(SPEECH)
    pcm = np.frombuffer(speech.raw_data, dtype="<i2")
    pcm = np.tile(pcm, -(-8 * speech.frame_rate // pcm.size))
    mp3s = {}
    for steps in range(1, 17):
        part = pcm[: int(steps / 2 * speech.frame_rate)].tobytes()
        args = ["-f", "s16le", "-ar", str(speech.frame_rate), "-ac", "1", "-i", "pipe:0", "-ar", "24000"]
        args += ["-c:a", "libmp3lame", "-b:a", "32k", "-write_xing", "0", "-f", "mp3", "pipe:1"]
        mp3s[steps / 2] = ffmpeg.run(args, data=part)
    return mp3s


def _google_body(mp3: bytes) -> bytes:
    import base64

    payload = json.dumps([base64.b64encode(mp3).decode("ascii")])
    envelope = json.dumps(
        [["wrb.fr", "jQ1olc", payload, None, None, None, "generic"], ["di", 38]], separators=(",", ":")
    )
    return (")]}'\n\n" + str(len(envelope)) + "\n" + envelope + "\n").encode("utf-8")


class _ToMock(HTTPAdapter):
    """The transport seam: requests for translate.google.* go to the mock instead."""

    def __init__(self, base: str) -> None:
        super().__init__(pool_maxsize=16)
        self.base = base

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:  # type: ignore[override]
        local = request.copy()
        local.url = self.base + urllib.parse.urlsplit(request.url or "").path
        kwargs["proxies"] = {}
        return super().send(local, **kwargs)  # type: ignore[arg-type]


def mock_session(base: str) -> Callable[[], requests.Session]:
    def factory() -> requests.Session:
        session = requests.Session()
        session.mount("https://translate.google.", _ToMock(base))
        return session

    return factory


def station_for(work: Path, engines: list[str], tts: list[TTSEngine]) -> tuple[Station, Config]:
    config = load_config(ROOT / "config.yaml", database_url=f"sqlite:///{work / 'loa.db'}")
    config = config.model_copy(
        update={
            "playout": config.playout.model_copy(update={"dir": work / "playout"}),
            "audio": config.audio.model_copy(update={"engines": engines, "cache_dir": work / "cache"}),
        }
    )
    return Station(App.create(config, engines=tts)), config


def build(
    work: Path,
    engines: list[str],
    tts: list[TTSEngine],
    first: date,
    days: int,
    before: Callable | None = None,
) -> tuple[float, int]:
    """Seconds for `before(station)` (if any) then the build of `days` days; and the programs built."""
    station, config = station_for(work, engines, tts)
    now = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=config.tz).astimezone(UTC)
    started = time.perf_counter()
    if before is not None:
        before(station)
    results = station.build_days(first, days, now)
    elapsed = time.perf_counter() - started
    station.app.close()
    return elapsed, sum(1 for r in results if r.folder)


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def record_sources(programs: list[list[ItemSource]]) -> Callable[[], None]:
    """Record what the scheduler asks ProgramBuilder to render, program by program; returns `stop`."""
    render, write = ProgramBuilder.render_item, ProgramBuilder.write_program
    current: list[ItemSource] = []

    def render_item(self: ProgramBuilder, source: ItemSource, **kwargs: object):  # type: ignore[no-untyped-def]
        current.append(source)
        return render(self, source, **kwargs)  # type: ignore[arg-type]

    def write_program(self: ProgramBuilder, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        programs.append(list(current))
        current.clear()
        return write(self, *args, **kwargs)  # type: ignore[arg-type]

    ProgramBuilder.render_item = render_item  # type: ignore[method-assign]
    ProgramBuilder.write_program = write_program  # type: ignore[method-assign]

    def stop() -> None:
        ProgramBuilder.render_item = render  # type: ignore[method-assign]
        ProgramBuilder.write_program = write  # type: ignore[method-assign]

    return stop


VARIANTS = {
    "offline": "offline voice",
    "online": "online, scheduler as it is (items one after another, chunks side by side)",
    "parallel": "online, items of each program rendered side by side ({threads} threads), then the build",
    "prefetch": "online, speech prefetched on a thread (prefetch_speech) while the build runs as it is",
}


def run_variant(variant: str, work: Path, args: argparse.Namespace) -> dict[str, float]:
    """One build in this (fresh) process: seconds, mock counters and this process's peak RSS."""
    first = date(2026, 12, 7)  # a Monday
    sources = work / "sources.pickle"
    if variant == "offline":
        programs: list[list[ItemSource]] = []
        stop = record_sources(programs)
        try:
            seconds, built = build(work / variant, ["offline"], [OfflineEngine()], first, args.days)
        finally:
            stop()
        sources.write_bytes(pickle.dumps(programs))
        return {"seconds": seconds, "programs": built, "items": sum(map(len, programs)), "rss": peak_rss_mb()}
    programs = pickle.loads(sources.read_bytes())
    mock = MockGoogle(args.latency)
    gtts = GTTSEngine(
        tld=load_config(ROOT / "config.yaml").audio.gtts_tld, session_factory=mock_session(mock.base_url)
    )

    def render_items_side_by_side(station: Station) -> None:
        with ThreadPoolExecutor(args.item_threads, thread_name_prefix="bench-item") as pool:
            for program in programs:
                list(pool.map(station.app.builder.render_item, program))

    def prefetch_in_background(station: Station) -> None:
        builder = station.app.builder
        threading.Thread(target=lambda: [builder.prefetch_speech(p) for p in programs], daemon=True).start()

    before = {"parallel": render_items_side_by_side, "prefetch": prefetch_in_background}.get(variant)
    seconds, built = build(
        work / variant, ["gtts", "offline"], [gtts, OfflineEngine()], first, args.days, before
    )
    mock.close()
    return {
        "seconds": seconds,
        "programs": built,
        "requests": mock.requests,
        "connections": mock.connections,
        "in_flight": mock.max_active,
        "rss": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.3, help="seconds before the mock answers")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--item-threads", type=int, default=4, help="items rendered side by side (3rd build)")
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)  # one build, in a child
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.work, args)))
        return
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in VARIANTS:  # each in a fresh process: its peak RSS is its own
            command = [sys.executable, __file__, "--variant", variant, "--work", tmp]
            command += ["--latency", str(args.latency), "--days", str(args.days)]
            command += ["--item-threads", str(args.item_threads)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures[variant] = json.loads(out.strip().splitlines()[-1])
    offline = figures["offline"]
    print(
        f"cold build of {args.days} day(s): {offline['programs']} programs, {offline['items']} items rendered"
    )
    print(f"mock latency                    {args.latency:.3f} s")
    print(f"offline seconds                 {offline['seconds']:.2f}   (peak RSS {offline['rss']:.0f} MB)")
    for variant, title in list(VARIANTS.items())[1:]:
        f = figures[variant]
        print(f"-- {title.format(threads=args.item_threads)}")
        print(f"requests                        {f['requests']}")
        print(f"connections                     {f['connections']}")
        print(f"max in flight                   {f['in_flight']}")
        print(f"online seconds                  {f['seconds']:.2f}   (peak RSS {f['rss']:.0f} MB)")
        print(f"ratio online/offline            {f['seconds'] / offline['seconds']:.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
