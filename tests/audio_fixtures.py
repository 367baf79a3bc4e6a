"""Shared helpers for the audio tests: settings, real audio made with espeak/ffmpeg/numpy, Google's answer."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

import numpy as np
import requests
import responses

from audio import dsp, ffmpeg
from audio.engines.offline import OfflineEngine
from audio.settings import AudioSettings

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
    """Injected `monotonic` and `sleep`: sleeping advances the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
