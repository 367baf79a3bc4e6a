"""Loudness (ITU-R BS.1770 with pyloudnorm's K-weighting filters), true peak, and the limiter.

pyloudnorm's own meter loops over blocks in Python and needs several full copies of the signal,
too slow and too big for a 15-minute program; `LoudnessMeter` applies the same pyloudnorm filter
stages with carried filter state over streamed blocks and vectorises the gating, so memory stays
flat. Tests check it against `pyloudnorm.Meter.integrated_loudness`.
True peak follows BS.1770 Annex 2: 4× oversampling with a polyphase FIR, also streamed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy import ndimage, signal

from audio import ffmpeg

_CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)
_ABSOLUTE_GATE = -70.0
_OVERSAMPLE = 4
_TAPS_PER_PHASE = 12
_BLOCK = 64
LIMITER_HOLD_S = 0.010
NORMALISE_TOLERANCE_LU = 0.25  # well inside the ±1 LU promise; each extra round costs a limiter pass
LIMITER_SAFETY_DB = 0.3  # the smoothed gain may let an inter-sample peak through by a hair


@cache
def _k_weighting_sos(rate: int) -> np.ndarray:
    """pyloudnorm's K-weighting stages as one second-order-sections cascade (one fast pass)."""
    meter = pyloudnorm.Meter(rate)
    sections = []
    for stage in meter._filters.values():  # pyloudnorm exposes no public accessor for its stages
        sos = signal.tf2sos(stage.b, stage.a)
        sos[0, :3] *= stage.passband_gain
        sections.append(sos)
    return np.vstack(sections)


@cache
def _oversampling_phases() -> tuple[np.ndarray, float]:
    """Polyphase 4× interpolation filter (one row of taps per phase) and its worst-case gain."""
    taps = signal.firwin(_OVERSAMPLE * _TAPS_PER_PHASE, 0.9 / _OVERSAMPLE, window=("kaiser", 8.0))
    phases = (taps * _OVERSAMPLE).reshape(_TAPS_PER_PHASE, _OVERSAMPLE).T.copy()
    return phases, float(np.abs(phases).sum(axis=1).max())


def interpolated_peaks(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """4×-oversampled magnitudes wherever they could exceed `threshold`: (sample indices, peak per sample).

    `x` starts with 11 samples of history (zeros at the start of a signal); indices refer to
    x[11:]. An interpolated value is a weighted sum of 12 neighbours, so it cannot exceed the
    filter's absolute tap sum times the neighbours' maximum: only 64-sample blocks whose bound
    passes the threshold are interpolated, which keeps true-peak work to a small part of the signal.
    """
    phases, bound = _oversampling_phases()
    ctx = _TAPS_PER_PHASE - 1
    body = np.abs(x[ctx:])
    n = body.size
    nb = -(-n // _BLOCK)
    if nb == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    padded = np.zeros(nb * _BLOCK + ctx, dtype=np.float32)
    padded[: x.size] = x
    maxima = np.zeros(nb * _BLOCK, dtype=np.float32)
    maxima[:n] = body
    block_max = maxima.reshape(nb, _BLOCK).max(axis=1)
    head = np.abs(padded[:ctx]).max() if ctx else 0.0
    previous = np.concatenate([[head], block_max[:-1]])
    candidates = np.flatnonzero(np.maximum(block_max, previous) * bound > threshold)
    if candidates.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    kernel = phases[:, ::-1].astype(np.float32)  # (4, 12): window x[n-11..n] → one phase
    span = _BLOCK + ctx
    # row b: x[b*64-11 .. b*64+63], the samples that block b's interpolated values depend on
    segments = np.lib.stride_tricks.sliding_window_view(padded, span)[::_BLOCK]
    offsets = np.arange(_BLOCK)
    out_idx, out_val = [], []
    for lo in range(0, candidates.size, 4096):
        blocks = candidates[lo : lo + 4096]
        seg = segments[blocks]
        values = np.zeros((blocks.size, _BLOCK), dtype=np.float32)
        for p in range(_OVERSAMPLE):
            acc = kernel[p, 0] * seg[:, 0:_BLOCK]
            for j in range(1, _TAPS_PER_PHASE):
                acc += kernel[p, j] * seg[:, j : j + _BLOCK]
            np.maximum(values, np.abs(acc), out=values)
        rows = (blocks[:, None] * _BLOCK + offsets).ravel()
        keep = rows < n
        out_idx.append(rows[keep])
        out_val.append(values.ravel()[keep])
    return np.concatenate(out_idx), np.concatenate(out_val)


class LoudnessMeter:
    """Streaming integrated loudness (LUFS) and true peak (dBTP) of frames × channels blocks."""

    def __init__(self, rate: int, channels: int = 1, *, true_peak: bool = True) -> None:
        self.rate = rate
        self._want_peak = true_peak
        self.channels = channels
        self._sos = _k_weighting_sos(rate)
        self._zi = [np.zeros((self._sos.shape[0], 2)) for _ in range(channels)]
        self._history = [np.zeros(_TAPS_PER_PHASE - 1, dtype=np.float32) for _ in range(channels)]
        self._hop = round(0.1 * rate)
        self._carry = np.zeros((0, channels))
        self._hops: list[np.ndarray] = []  # per 100 ms: weighted sum of squares per channel
        self.frames = 0
        self.peak = 0.0

    def feed(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float64).reshape(-1, self.channels)
        self.frames += len(block)
        weighted = np.empty_like(block)
        for ch in range(self.channels):
            x = block[:, ch]
            if self._want_peak:
                self._true_peak(ch, x)
            weighted[:, ch], self._zi[ch] = signal.sosfilt(self._sos, x, zi=self._zi[ch])
        data = np.concatenate([self._carry, weighted]) if len(self._carry) else weighted
        n = len(data) // self._hop
        if n:
            sq = np.square(data[: n * self._hop]).reshape(n, self._hop, self.channels).sum(axis=1)
            self._hops.append(sq)
        self._carry = data[n * self._hop :]

    def _true_peak(self, ch: int, x: np.ndarray) -> None:
        if x.size == 0:
            return
        self.peak = max(self.peak, float(np.max(np.abs(x))))
        joined = np.concatenate([self._history[ch], x.astype(np.float32)])
        _, values = interpolated_peaks(joined, self.peak)
        if values.size:
            self.peak = max(self.peak, float(values.max()))
        self._history[ch] = joined[-(_TAPS_PER_PHASE - 1) :]

    @property
    def true_peak_dbtp(self) -> float:
        return float(20 * np.log10(self.peak)) if self.peak > 0 else -np.inf

    @property
    def integrated_lufs(self) -> float:
        """Gated integrated loudness: 400 ms blocks, 75 % overlap, -70 LUFS and -10 LU gates."""
        if not self._hops:
            return -np.inf
        hops = np.concatenate(self._hops)
        if len(hops) < 4:
            return -np.inf
        blocks = hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]  # 4 hops = one 400 ms block
        z = blocks / (4 * self._hop)
        gains = np.array(_CHANNEL_GAINS[: self.channels])
        with np.errstate(divide="ignore"):
            power = z @ gains
            level = -0.691 + 10 * np.log10(power)
            above = level >= _ABSOLUTE_GATE
            if not above.any():
                return -np.inf
            relative = -0.691 + 10 * np.log10(power[above].mean()) - 10.0
            gated = (level > relative) & above
            return float(-0.691 + 10 * np.log10(power[gated].mean()))


def measure_samples(x: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of mono float samples."""
    meter = LoudnessMeter(rate)
    meter.feed(x)
    return meter.integrated_lufs, meter.true_peak_dbtp


def integrated_lufs(x: np.ndarray, rate: int) -> float:
    """Integrated loudness only (no true peak): what the normalisation loop needs."""
    meter = LoudnessMeter(rate, true_peak=False)
    meter.feed(x)
    return meter.integrated_lufs


def measure_stream(blocks: Iterable[np.ndarray], rate: int, channels: int) -> tuple[float, float, float]:
    """(LUFS, dBTP, duration in seconds) of streamed frames × channels blocks."""
    meter = LoudnessMeter(rate, channels)
    for block in blocks:
        meter.feed(block)
    return meter.integrated_lufs, meter.true_peak_dbtp, meter.frames / rate


def measure(path: Path) -> tuple[float, float]:
    """(integrated loudness LUFS, true peak dBTP) of an audio file, decoded with ffmpeg."""
    with ffmpeg.stream_decode(path) as (rate, channels, blocks):
        lufs, dbtp, _ = measure_stream(blocks, rate, channels)
    return lufs, dbtp


def limit(x: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Look-ahead peak limiter on the 4× oversampled envelope (no pydub compressor: too slow).

    The gain each sample needs is held for ±hold and averaged over the same span, so it is smooth,
    starts falling before a peak, and never exceeds what any sample in the span needs.
    """
    if x.size == 0:
        return x
    ceiling = 10 ** ((ceiling_dbtp - LIMITER_SAFETY_DB) / 20)
    envelope = np.abs(x).astype(np.float32)
    history = np.zeros(_TAPS_PER_PHASE - 1, dtype=np.float32)
    idx, values = interpolated_peaks(np.concatenate([history, x.astype(np.float32)]), ceiling)
    if idx.size:
        # an interpolated value from x[n-11..n] sits near n-6 (the filter's group delay)
        at = np.maximum(idx - _TAPS_PER_PHASE // 2, 0)
        envelope[at] = np.maximum(envelope[at], values)
    if envelope.max() <= ceiling:
        return x
    hold = max(1, int(LIMITER_HOLD_S * rate))
    gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    gain = ndimage.minimum_filter1d(gain, size=2 * hold + 1, mode="nearest")
    gain = ndimage.uniform_filter1d(gain, size=2 * hold + 1, mode="nearest")
    return (x * gain).astype(np.float32)


def normalise(x: np.ndarray, rate: int, target_lufs: float, ceiling_dbtp: float) -> np.ndarray:
    """Bring `x` to `target_lufs` with true peaks held under `ceiling_dbtp`.

    Limiting costs some loudness, so the make-up gain is raised by the shortfall and the limiter
    run again from the original signal, until within tolerance (a few rounds at most).
    """
    lufs, peak = measure_samples(x, rate)
    if not np.isfinite(lufs):
        return x
    if abs(lufs - target_lufs) <= NORMALISE_TOLERANCE_LU and peak <= ceiling_dbtp:
        return x
    gain_db = target_lufs - lufs
    previous: tuple[float, float] | None = None
    y = x
    for _ in range(6):
        y = limit((x * 10 ** (gain_db / 20)).astype(np.float32), rate, ceiling_dbtp)
        lufs = integrated_lufs(y, rate)
        if abs(lufs - target_lufs) <= NORMALISE_TOLERANCE_LU:
            break
        slope = 1.0  # LU gained per dB of make-up gain; less than 1 once the limiter bites
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.1, (lufs - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, lufs)
        gain_db += min(12.0, (target_lufs - lufs) / slope)
    return y
