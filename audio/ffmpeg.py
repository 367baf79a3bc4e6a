"""The one seam that runs ffmpeg (the binary shipped in the imageio-ffmpeg wheel).

There is no ffprobe and no system ffmpeg on the target machines, so every decode and encode goes
through here, as raw PCM over pipes: pydub paths that probe files are never used.
"""

from __future__ import annotations

import logging
import struct
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO

import imageio_ffmpeg
import numpy as np
import pydub

from loa114.audio.errors import AssemblyError

log = logging.getLogger(__name__)


@cache
def ffmpeg_exe() -> str:
    """Path of the wheel's ffmpeg; also makes pydub use it instead of looking on PATH."""
    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    pydub.AudioSegment.converter = exe
    return exe


def run(args: list[str], *, data: bytes | None = None, path: Path | None = None) -> bytes:
    """Run ffmpeg with `args`, feeding `data` on stdin; return stdout or raise AssemblyError."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit code {proc.returncode}"
        log.debug("ffmpeg %s failed: %s", args, reason)
        raise AssemblyError(f"ffmpeg failed ({reason})", path)
    return proc.stdout


def decode(source: Path | bytes, rate: int) -> np.ndarray:
    """Decode any file ffmpeg reads (MP3, WAV…) to mono int16 samples at `rate`."""
    if isinstance(source, Path):
        path, src, data = source, str(source), None
    else:
        path, src, data = None, "pipe:0", bytes(source)
    raw = run(
        ["-i", src, "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"],
        data=data,
        path=path,
    )
    if not raw:
        raise AssemblyError("no audio decoded", path)
    return np.frombuffer(raw, dtype="<i2")


def encode_mp3(samples: np.ndarray, rate: int, bitrate_kbps: int) -> bytes:
    """Encode mono int16 samples to a bare CBR MP3 frame stream.

    No ID3 tag and no Xing/LAME header, so streams encoded with the same rate and bitrate can be
    joined byte-wise into one valid stream (each starts with an empty bit reservoir).
    """
    pcm = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    return run(
        [
            "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
            "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
            "-write_xing", "0", "-id3v2_version", "0", "-write_id3v1", "0",
            "-f", "mp3", "pipe:1",
        ],
        data=pcm,
    )  # fmt: skip


@contextmanager
def stream_decode(path: Path, block_s: float = 10.0) -> Iterator[tuple[int, int, Iterator[np.ndarray]]]:
    """Decode `path` at its own rate and channel count, as float blocks (frames × channels).

    Streaming keeps memory flat for a 15-minute program; the rate and channel count come from the
    WAV header ffmpeg writes on the pipe (there is no ffprobe to ask).
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path), "-vn"]
    cmd += ["-acodec", "pcm_s16le", "-f", "wav", "pipe:1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        rate, channels = _read_wav_header(proc.stdout, path)
        block_bytes = int(rate * block_s) * channels * 2

        def blocks() -> Iterator[np.ndarray]:
            assert proc.stdout is not None
            while chunk := proc.stdout.read(block_bytes):
                usable = len(chunk) - len(chunk) % (2 * channels)
                data = np.frombuffer(chunk[:usable], dtype="<i2").astype(np.float32) / 32768.0
                yield data.reshape(-1, channels)

        yield rate, channels, blocks()
    finally:
        proc.stdout.close()
        err = proc.stderr.read() if proc.stderr else b""
        if proc.stderr:
            proc.stderr.close()
        if proc.wait() != 0 and err:
            log.debug("ffmpeg decode of %s: %s", path, err.decode("utf-8", "replace").strip())


def _read_wav_header(stream: IO[bytes], path: Path) -> tuple[int, int]:
    """Read RIFF chunks up to 'data'; return (sample rate, channels)."""
    read = stream.read
    head = read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise AssemblyError("ffmpeg could not decode the file", path)
    rate = channels = 0
    while True:
        chunk = read(8)
        if len(chunk) < 8:
            raise AssemblyError("no audio data in the file", path)
        cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if cid == b"data":
            if not rate:
                raise AssemblyError("no format header in the decoded stream", path)
            return rate, channels
        body = read(size + (size & 1))
        if cid == b"fmt ":
            channels, rate = struct.unpack("<HI", body[2:8])
