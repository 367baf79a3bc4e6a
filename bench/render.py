"""Benchmark: a week of programs for the shipped config, offline voice, cold cache then warm.

Prints the build times against ffmpeg alone encoding (a) the same total duration as all programs and
(b) the distinct audio (each different item once), and the peak RSS of this Python process over both
builds (read before the ffmpeg-alone runs, which hold their own test signal), with the RSS right after
the imports (what the code itself costs) for comparison. RUSAGE_CHILDREN is not used: on Linux a
child's maxrss includes the parent's pages before exec. ffmpeg's own peak is the VmHWM of one encoder
process, polled from /proc while it encodes 15 minutes. Targets on 2 cores: cold_over_ffmpeg <= 1.5,
warm_over_cold <= 0.05, peak RSS <= 250 MB whatever --days; drive cold_over_ffmpeg_distinct to 1.

    .venv/bin/python bench/render.py [--days 7]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loa114.audio import ffmpeg  # noqa: E402
from loa114.scheduler.config import load_config  # noqa: E402
from loa114.scheduler.service.app import App  # noqa: E402
from loa114.scheduler.service.station import Station  # noqa: E402

PEAK_RSS_TARGET_MB = 250


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), 0 off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def build_week(work: Path, cache: Path, first: date, days: int) -> tuple[float, list[tuple[dict, Path]]]:
    config = load_config(ROOT / "config.yaml", database_url=f"sqlite:///{work / 'loa.db'}")
    config = config.model_copy(
        update={
            "playout": config.playout.model_copy(update={"dir": work / "playout"}),
            "audio": config.audio.model_copy(update={"engines": ["offline"], "cache_dir": cache}),
        }
    )
    station = Station(App.create(config))
    now = datetime.combine(first - timedelta(days=1), datetime.min.time(), tzinfo=config.tz).astimezone(UTC)
    started = time.perf_counter()
    results = station.build_days(first, days, now)
    elapsed = time.perf_counter() - started
    station.app.close()
    manifests = [
        (json.loads((r.folder / "manifest.json").read_text(encoding="utf-8")), r.folder)
        for r in results
        if r.folder
    ]
    return elapsed, manifests


def audio_digest(path: Path) -> str:
    """sha256 of an MP3's frames after its ID3v2 tag."""
    data = path.read_bytes()
    start = 0
    if data[:3] == b"ID3":
        size = data[6:10]
        start = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    return hashlib.sha256(data[start:]).hexdigest()


def ffmpeg_encode_seconds(duration_s: float, rate: int, bitrate: int) -> float:
    """Time ffmpeg alone encoding `duration_s` of speech-like mono audio, in 15-minute pieces."""
    rng = np.random.default_rng(1)
    piece = (rng.standard_normal(rate * 60) * 3000).astype(np.int16)
    remaining, spent = duration_s, 0.0
    while remaining > 0:
        seconds = min(remaining, 900.0)
        samples = np.tile(piece, int(seconds // 60) + 1)[: int(seconds * rate)]
        started = time.perf_counter()
        ffmpeg.encode_mp3(samples, rate, bitrate)
        spent += time.perf_counter() - started
        remaining -= seconds
    return spent


def ffmpeg_peak_rss_mb(rate: int, bitrate: int) -> float:
    """VmHWM of one ffmpeg encoding 15 minutes (after exec: ffmpeg's own pages only); 0 off Linux."""
    pcm = (np.random.default_rng(2).standard_normal(rate * 900) * 3000).astype("<i2").tobytes()
    cmd = [ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    cmd += ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0", "-b:a", f"{bitrate}k", "-f", "mp3"]
    proc = subprocess.Popen([*cmd, "pipe:1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stdin is not None
    feeder = threading.Thread(target=lambda: (proc.stdin.write(pcm), proc.stdin.close()))  # type: ignore[union-attr]
    feeder.start()
    peak = 0.0
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            break
        time.sleep(0.01)
    feeder.join()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    first = date(2026, 12, 7)  # a Monday
    rss_imports = rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cache = tmp_path / "cache"
        cold, manifests = build_week(tmp_path / "cold", cache, first, args.days)
        warm, _ = build_week(tmp_path / "warm", cache, first, args.days)
        rss_builds = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        distinct: dict[str, float] = {}  # by the audio, not the file: tags differ by date and track
        for manifest, folder in manifests:
            for item in manifest["items"]:
                distinct[audio_digest(folder / item["file"])] = item["duration_s"]
    total = sum(m["duration_s"] for m, _ in manifests)
    config = load_config(ROOT / "config.yaml")
    rate, bitrate = 22050, config.audio.bitrate_kbps
    ff_all = ffmpeg_encode_seconds(total, rate, bitrate)
    ff_distinct = ffmpeg_encode_seconds(sum(distinct.values()), rate, bitrate)
    rss_ffmpeg = ffmpeg_peak_rss_mb(rate, bitrate)
    print(f"programs               {len(manifests)} ({args.days} days, {total / 60:.1f} min of audio)")
    print(f"distinct items         {len(distinct)} ({sum(distinct.values()) / 60:.1f} min)")
    print(f"cold build             {cold:.2f} s")
    print(f"warm build             {warm:.2f} s")
    print(f"ffmpeg alone, all      {ff_all:.2f} s")
    print(f"ffmpeg alone, distinct {ff_distinct:.2f} s")
    print(f"cold_over_ffmpeg            {cold / ff_all:.3f}   (target <= 1.5)")
    print(f"cold_over_ffmpeg_distinct   {cold / ff_distinct:.3f}   (drive toward 1)")
    print(f"warm_over_cold              {warm / cold:.4f}  (target <= 0.05)")
    verdict = "ok" if rss_builds <= PEAK_RSS_TARGET_MB else "OVER"
    print(
        f"peak_rss_mb                 {rss_builds:.0f}  (this process over both builds; "
        f"target <= {PEAK_RSS_TARGET_MB}: {verdict})"
    )
    print(f"rss_after_imports_mb        {rss_imports:.0f}  (the code loaded, before any audio)")
    print(f"ffmpeg_peak_rss_mb          {rss_ffmpeg:.0f}  (one encoder process, VmHWM)")


if __name__ == "__main__":
    main()
