"""The attention chime played before each announcement: three soft bell tones, made with numpy.

Rising major triad (C5–E5–G5) with a few inharmonic partials and exponential decay, ~1.5 s, all
energy well inside the 200–7000 Hz band horn loudspeakers reproduce.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from loa114.audio.limiter import normalise

_NOTES_HZ = (523.25, 659.25, 783.99)
_NOTE_STEP_S = 0.32
_DECAY_S = 0.35
_LENGTH_S = 1.5
_PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))  # (ratio, amplitude): bell-like


@cache
def _raw_chime(rate: int) -> np.ndarray:
    n = int(_LENGTH_S * rate)
    t = np.arange(n) / rate
    out = np.zeros(n)
    for i, freq in enumerate(_NOTES_HZ):
        start = i * _NOTE_STEP_S
        local = t - start
        on = local >= 0
        envelope = np.where(on, np.exp(-np.clip(local, 0, None) / _DECAY_S), 0.0)
        attack = np.clip(local / 0.008, 0.0, 1.0)  # 8 ms attack: no click
        tone = sum(amp * np.sin(2 * np.pi * freq * ratio * local) for ratio, amp in _PARTIALS)
        out += envelope * attack * tone
    tail = int(0.05 * rate)
    out[-tail:] *= np.linspace(1.0, 0.0, tail)
    chime: np.ndarray = (out / np.max(np.abs(out)) * 0.5).astype(np.float32)
    return chime


@cache
def chime(rate: int, loudness_lufs: float, ceiling_dbtp: float) -> np.ndarray:
    """The chime at `loudness_lufs` (read-only array; callers concatenate, never modify)."""
    samples = normalise(_raw_chime(rate), rate, loudness_lufs, ceiling_dbtp)
    samples.setflags(write=False)
    return samples
