"""Signal processing in numpy and `audio.filters` (pydub's effects are pure Python and far too slow).

Audio is handled as mono float32 arrays in [-1, 1] at the settings' sample rate; pydub
AudioSegments appear only at the public edges (`to_float`, `to_segment`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pydub

from loa114.audio import filters

FADE_S = 0.010  # short fades at every join so chunks meet without clicks
TRIM_PAD_S = 0.040  # keep a little air around trimmed speech
TRIM_THRESHOLD_DB = -45.0  # below the chunk's peak counts as silence


def to_float(segment: pydub.AudioSegment, rate: int) -> np.ndarray:
    """Mono float32 samples of `segment` at `rate` (mixing down and resampling when needed)."""
    width = segment.sample_width
    dtype: str | None = {1: "i1", 2: "<i2", 4: "<i4"}.get(width)
    if dtype is None:
        raise ValueError(f"unsupported sample width {width}")
    data = np.frombuffer(segment.raw_data, dtype=dtype).astype(np.float32)
    data /= float(2 ** (8 * width - 1))
    if segment.channels > 1:
        data = data.reshape(-1, segment.channels).mean(axis=1)
    return resample(data, segment.frame_rate, rate)


def resample(x: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    if src_rate == dst_rate:
        return x.astype(np.float32, copy=False)
    g = np.gcd(src_rate, dst_rate)
    return filters.resample_poly(x, dst_rate // g, src_rate // g).astype(np.float32)


def to_pcm16(x: np.ndarray) -> np.ndarray:
    y = np.clip(x, -1.0, 32767 / 32768)  # a new array, scaled and rounded in place
    y *= 32768.0
    pcm: np.ndarray = np.rint(y, out=y).astype("<i2")
    return pcm


def to_pcm16_into(x: np.ndarray, out: np.ndarray) -> None:
    """`out[:] = to_pcm16(x)`, using `x` (float32, ours to spend) as the scratch space: no copies."""
    if x.dtype != np.float32 or not x.flags.writeable:
        out[:] = to_pcm16(x)
        return
    np.clip(x, -1.0, 32767 / 32768, out=x)
    x *= 32768.0
    np.rint(x, out=x)
    out[:] = x


def from_pcm16(pcm: np.ndarray | bytes) -> np.ndarray:
    data = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, bytes | bytearray) else pcm
    return data.astype(np.float32) / 32768.0


def to_segment(x: np.ndarray, rate: int) -> pydub.AudioSegment:
    return pydub.AudioSegment(data=to_pcm16(x).tobytes(), sample_width=2, frame_rate=rate, channels=1)


@cache
def _band_sos(rate: int, highpass_hz: int, lowpass_hz: int) -> np.ndarray | None:
    sections = []
    if 0 < highpass_hz < rate / 2:
        sections.append(filters.butter_sos(4, highpass_hz, "highpass", rate))
    if 0 < lowpass_hz < rate / 2:
        sections.append(filters.butter_sos(6, lowpass_hz, "lowpass", rate))
    return np.vstack(sections) if sections else None


def band_limit(x: np.ndarray, rate: int, highpass_hz: int, lowpass_hz: int) -> np.ndarray:
    """Cut rumble and hiss that horn loudspeakers cannot reproduce (they only waste headroom)."""
    sos = _band_sos(rate, highpass_hz, lowpass_hz)
    if sos is None or x.size == 0:
        return x
    return filters.sosfilt(sos, x)[0].astype(np.float32)


def trim(x: np.ndarray, rate: int) -> np.ndarray:
    """Drop leading and trailing silence (TTS engines pad generously and unevenly)."""
    if x.size == 0:
        return x
    frame = max(1, rate // 100)  # 10 ms
    n = x.size // frame
    if n == 0:
        return x
    rms = np.sqrt(np.mean(np.square(x[: n * frame].reshape(n, frame), dtype=np.float64), axis=1))
    peak = float(rms.max())
    if peak <= 0.0:
        return x[:0]
    loud = np.flatnonzero(rms >= peak * 10 ** (TRIM_THRESHOLD_DB / 20))
    pad = int(TRIM_PAD_S * rate)
    start = max(0, loud[0] * frame - pad)
    end = min(x.size, (loud[-1] + 1) * frame + pad)
    return x[start:end]


def fade(x: np.ndarray, rate: int, seconds: float = FADE_S) -> np.ndarray:
    """Raised-cosine fade in and out, so a join never starts or stops mid-waveform."""
    n = min(int(seconds * rate), x.size // 2)
    if n <= 0:
        return x
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))).astype(np.float32)
    y = x.copy()
    y[:n] *= ramp
    y[-n:] *= ramp[::-1]
    return y


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(max(0, round(seconds * rate)), dtype=np.float32)


def process_speech(x: np.ndarray, rate: int, highpass_hz: int, lowpass_hz: int) -> np.ndarray:
    """Speech as it goes into the cache: band-limited, trimmed, faded at both ends."""
    return fade(trim(band_limit(x, rate, highpass_hz, lowpass_hz), rate), rate)
