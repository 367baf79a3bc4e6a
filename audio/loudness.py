"""Loudness (ITU-R BS.1770 with pyloudnorm's K-weighting filters) and true peak.

pyloudnorm's own meter loops over blocks in Python and needs several full copies of the signal,
too slow and too big for a 15-minute program; `LoudnessMeter` applies the same pyloudnorm filter
stages (designed in `audio.filters`, without importing pyloudnorm and scipy.signal) with carried
filter state over streamed blocks and vectorises the gating, so memory stays flat. Tests check it
against `pyloudnorm.Meter.integrated_loudness`.
True peak follows BS.1770 Annex 2: 4× oversampling with a polyphase FIR, also streamed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import numpy as np

from loa114.audio import ffmpeg
from loa114.audio.filters import k_weighting_sos, kaiser_lowpass, sosfilt

_CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)
_ABSOLUTE_GATE = -70.0
_OVERSAMPLE = 4
_TAPS_PER_PHASE = 12
_BLOCK = 64
_FEED_FRAMES = 1 << 17  # ~6 s at 22.05 kHz: the meter's working set, whatever the block size


@cache
def _k_weighting_sos(rate: int) -> np.ndarray:
    """pyloudnorm's K-weighting stages as one second-order-sections cascade (one fast pass)."""
    return k_weighting_sos(rate)


@cache
def _oversampling_phases() -> tuple[np.ndarray, float]:
    """Polyphase 4× interpolation filter (one row of taps per phase) and its worst-case gain."""
    taps = kaiser_lowpass(_OVERSAMPLE * _TAPS_PER_PHASE, 0.9 / _OVERSAMPLE, 8.0)
    phases = (taps * _OVERSAMPLE).reshape(_TAPS_PER_PHASE, _OVERSAMPLE).T.copy()
    return phases, float(np.abs(phases).sum(axis=1).max())


def interpolated_peaks(x: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """4×-oversampled magnitudes wherever they could exceed `threshold`: (sample indices, peak per sample).

    `x` starts with 11 samples of history (zeros at the start of a signal); indices refer to
    x[11:]. See `InterSamplePeaks`.
    """
    peaks = InterSamplePeaks(x)
    return peaks.compute(peaks.candidates(threshold))


class InterSamplePeaks:
    """The 4×-oversampled magnitudes of a signal, computed 64-sample block by block on demand.

    An interpolated value is a weighted sum of 12 neighbours, so it cannot exceed the filter's
    absolute tap sum times the neighbours' maximum: only blocks whose bound passes a threshold need
    interpolating, which keeps true-peak work to a small part of the signal. `x` starts with 11
    samples of history; indices refer to x[11:].
    """

    def __init__(self, x: np.ndarray, history: np.ndarray | None = None) -> None:
        """`history`: the 11 samples before x[0] (zeros if None); without it, x starts with them.

        `x` is read in place, not copied (an item's samples are the largest arrays a build holds).
        """
        phases, bound = _oversampling_phases()
        ctx = _TAPS_PER_PHASE - 1
        self._x = x = np.asarray(x, dtype=np.float32)
        self._head = head = x[:0] if history is None else np.asarray(history, dtype=np.float32)
        if head.size > ctx:
            raise ValueError(f"at most {ctx} samples of history")
        # the signal seen as head + x + zeros; block b covers its samples ctx + 64·b … ctx + 64·b + 63
        self.n = n = max(0, head.size + x.size - ctx)
        nb = -(-n // _BLOCK)
        body = x[ctx - head.size :]
        whole = body[: body.size // _BLOCK * _BLOCK].reshape(-1, _BLOCK)
        maxima = np.maximum(whole.max(axis=1, initial=0.0), -whole.min(axis=1, initial=0.0))
        if nb > whole.shape[0]:  # the last block, zero-padded
            rest = body[whole.size :]
            maxima = np.concatenate([maxima, np.maximum(rest.max(keepdims=True), -rest.min(keepdims=True))])
            maxima[-1] = max(maxima[-1], 0.0)
        first = float(np.abs(np.concatenate([head, x[: ctx - head.size]])).max(initial=0.0)) if ctx else 0.0
        previous = np.concatenate([[first], maxima[:-1]]) if nb else maxima
        self.bounds = np.maximum(maxima, previous) * bound  # per block: no interpolated value above
        self._kernel = phases[:, ::-1].astype(np.float32)  # (4, 12): window x[n-11..n] → one phase

    def _segments(self, blocks: np.ndarray) -> np.ndarray:
        """Row b: the 75 samples block b's interpolated values depend on (history, signal, zeros)."""
        x, head = self._x, self._head
        where = blocks[:, None] * _BLOCK + np.arange(_BLOCK + _TAPS_PER_PHASE - 1) - head.size
        seg = x.take(np.clip(where, 0, x.size - 1)) if x.size else np.zeros(where.shape, np.float32)
        if blocks.size and blocks.min() * _BLOCK < head.size:
            before = where < 0
            seg[before] = head[(where + head.size)[before]]
        if blocks.size and blocks.max() * _BLOCK + _BLOCK + _TAPS_PER_PHASE - 1 > head.size + x.size:
            seg[where >= x.size] = 0.0
        return seg

    def candidates(self, threshold: float) -> np.ndarray:
        """Blocks where an interpolated magnitude may exceed `threshold`."""
        return np.flatnonzero(self.bounds > threshold)

    def compute(self, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sample indices, oversampled peak magnitude per sample) over the given blocks."""
        pieces = list(self.chunks(blocks))
        if not pieces:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return np.concatenate([i for i, _ in pieces]), np.concatenate([v for _, v in pieces])

    def chunks(self, blocks: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Like `compute`, a few thousand blocks at a time (bounded memory for long signals)."""
        kernel = self._kernel
        offsets = np.arange(_BLOCK)
        for lo in range(0, blocks.size, 4096):
            chunk = blocks[lo : lo + 4096]
            seg = self._segments(chunk)
            values = np.zeros((chunk.size, _BLOCK), dtype=np.float32)
            for p in range(_OVERSAMPLE):
                acc = kernel[p, 0] * seg[:, 0:_BLOCK]
                for j in range(1, _TAPS_PER_PHASE):
                    acc += kernel[p, j] * seg[:, j : j + _BLOCK]
                np.maximum(values, np.abs(acc), out=values)
            rows = (chunk[:, None] * _BLOCK + offsets).ravel()
            keep = rows < self.n
            yield rows[keep], values.ravel()[keep]


class LoudnessMeter:
    """Streaming integrated loudness (LUFS) and true peak (dBTP) of frames × channels blocks."""

    def __init__(
        self, rate: int, channels: int = 1, *, true_peak: bool = True, resolution: int | None = None
    ) -> None:
        """`resolution`: frames per stored energy sum (a divisor of the 100 ms hop; default the hop)."""
        self.rate = rate
        self._want_peak = true_peak
        self.channels = channels
        self._sos = _k_weighting_sos(rate)
        self._zi = [np.zeros((self._sos.shape[0], 2)) for _ in range(channels)]
        self._history = [np.zeros(_TAPS_PER_PHASE - 1, dtype=np.float32) for _ in range(channels)]
        self._hop = hop_frames(rate)
        self._resolution = resolution or self._hop
        if self._hop % self._resolution:
            raise ValueError(f"resolution {resolution} does not divide the {self._hop}-frame hop")
        self._carry = np.zeros((0, channels))
        self._hops: list[np.ndarray] = []  # per `resolution` frames: weighted sum of squares per channel
        self.frames = 0
        self.peak = 0.0

    def feed(self, block: np.ndarray) -> None:
        """Meter `block`, a few seconds at a time so float64 copies of a long item stay small."""
        block = np.asarray(block).reshape(-1, self.channels)
        for lo in range(0, len(block), _FEED_FRAMES):
            self._feed(block[lo : lo + _FEED_FRAMES].astype(np.float64))

    def _feed(self, block: np.ndarray) -> None:
        self.frames += len(block)
        weighted = np.empty_like(block)
        for ch in range(self.channels):
            x = block[:, ch]
            if self._want_peak:
                self._true_peak(ch, x)
            weighted[:, ch], self._zi[ch] = sosfilt(self._sos, x, self._zi[ch])
        data = np.concatenate([self._carry, weighted]) if len(self._carry) else weighted
        step = self._resolution
        n = len(data) // step
        if n:
            sq = np.square(data[: n * step]).reshape(n, step, self.channels).sum(axis=1)
            self._hops.append(sq)
        self._carry = data[n * step :]

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
    def energies(self) -> np.ndarray:
        """K-weighted sums of squares per `resolution` frames (frames × channels), complete ones only."""
        if not self._hops:
            return np.zeros((0, self.channels))
        return np.concatenate(self._hops)

    @property
    def integrated_lufs(self) -> float:
        return gated_loudness(self.energies, self._hop // self._resolution, self._hop)


def hop_frames(rate: int) -> int:
    """Frames in the 100 ms hop of BS.1770's 400 ms blocks (75 % overlap)."""
    return round(0.1 * rate)


def gated_loudness(energies: np.ndarray, per_hop: int, hop: int) -> float:
    """Gated integrated loudness (LUFS) from K-weighted energy sums of `hop // per_hop` frames each.

    400 ms blocks with 75 % overlap, -70 LUFS absolute and -10 LU relative gates (BS.1770-4).
    """
    energies = np.asarray(energies, dtype=np.float64)
    energies = energies.reshape(len(energies), -1)
    n = len(energies) // per_hop
    if n < 4:
        return -np.inf
    hops = energies[: n * per_hop].reshape(n, per_hop, energies.shape[1]).sum(axis=1)
    blocks = hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]  # 4 hops = one 400 ms block
    z = blocks / (4 * hop)
    gains = np.array(_CHANNEL_GAINS[: energies.shape[1]])
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
