"""Bringing speech to the loudness target under the true-peak ceiling: the limiter and its loop.

Limiting costs some loudness, so `normalise` raises the make-up gain by the shortfall and limits
again from the original signal, a few rounds at most. The 4×-oversampled envelope of g·x is g
times that of x, so it is computed once per signal (block by block, as far down as a round
needs) and reused by every round; the limiter's smoothing filters only run around the samples
that need gain reduction (a small part of speech), the rest is a plain multiplication.
"""

from __future__ import annotations

import numpy as np

from loa114.audio.filters import running_mean, running_min
from loa114.audio.loudness import InterSamplePeaks, integrated_lufs, measure_samples

LIMITER_HOLD_S = 0.010
NORMALISE_TOLERANCE_LU = 0.25  # well inside the ±1 LU promise; each extra round costs a limiter pass
LIMITER_SAFETY_DB = 0.3  # the smoothed gain may let an inter-sample peak through by a hair
_HISTORY = 11  # samples of history the oversampling filter needs before x[0]
_GROUP_DELAY = 6  # an interpolated value from x[n-11..n] sits near n-6
_BATCH = 1 << 18  # samples of limiter stretches filtered at once (bounds the temporaries)


class _Envelope:
    """|x| raised to its 4×-oversampled peaks wherever some gain could take them over a ceiling."""

    def __init__(self, x: np.ndarray) -> None:
        self.values: np.ndarray = np.abs(x).astype(np.float32, copy=False)
        self._peaks = InterSamplePeaks(x, np.zeros(_HISTORY, np.float32))
        self._done = np.zeros(self._peaks.bounds.size, dtype=bool)

    def above(self, threshold: float) -> np.ndarray:
        """The envelope, exact wherever it may exceed `threshold` (in x's own scale)."""
        blocks = self._peaks.candidates(threshold)
        blocks = blocks[~self._done[blocks]]
        for idx, peaks in self._peaks.chunks(blocks):
            at = np.maximum(idx - _GROUP_DELAY, 0)
            self.values[at] = np.maximum(self.values[at], peaks)
        self._done[blocks] = True
        return self.values


def _limited(x: np.ndarray, envelope: _Envelope, gain: float, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """x · gain, with a look-ahead gain reduction wherever that would pass the ceiling.

    The gain each sample needs is held for ±hold and averaged over the same span, so it is smooth,
    starts falling before a peak, and never exceeds what any sample in the span needs. Both
    filters spread a reduction by at most 2·hold samples, so they run on the stretches around the
    loud samples (gathered into one array, each with a margin of untouched samples) only.
    """
    y = x * np.float32(gain)
    threshold = 10 ** ((ceiling_dbtp - LIMITER_SAFETY_DB) / 20) / gain
    env = envelope.above(threshold)
    starts, ends = _runs(env > threshold)  # runs of loud samples, [start, end)
    if starts.size == 0:
        return y
    hold = max(1, int(LIMITER_HOLD_S * rate))
    size = 2 * hold + 1
    margin = 2 * size
    breaks = np.flatnonzero(starts[1:] - (ends[:-1] - 1) > 2 * margin)  # loud samples this far apart
    lo = np.maximum(starts[np.concatenate([[0], breaks + 1])] - margin, 0)
    hi = np.minimum(ends[np.concatenate([breaks, [ends.size - 1]])] + margin, x.size)
    total = np.cumsum(hi - lo)
    first = 0
    while first < lo.size:  # batches of stretches of about a million samples: bounded memory
        last = int(np.searchsorted(total, total[first] - (hi[first] - lo[first]) + _BATCH, "right"))
        last = max(last, first + 1)
        where = _gather(lo[first:last], hi[first:last])
        need = env[where]
        np.maximum(need, 1e-12, out=need)
        np.divide(threshold, need, out=need)
        np.minimum(need, 1.0, out=need)
        need = running_mean(running_min(need, size), size)
        y[where] *= need
        first = last
    return y


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and (exclusive) ends of the runs of True in `mask`, without listing every True."""
    if mask.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    edges = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    if mask[0]:
        edges = np.concatenate([[0], edges])
    if mask[-1]:
        edges = np.concatenate([edges, [mask.size]])
    return edges[0::2], edges[1::2]


def _gather(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Indices lo[0]…hi[0]-1, lo[1]…hi[1]-1, … of disjoint ascending stretches, concatenated."""
    lengths = hi - lo
    steps = np.ones(int(lengths.sum()), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    steps[starts] = lo - np.concatenate([[0], hi[:-1] - 1])
    return np.cumsum(steps, out=steps)


def limit(x: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Look-ahead peak limiter on the 4× oversampled envelope (no pydub compressor: too slow)."""
    if x.size == 0:
        return x
    return _limited(x.astype(np.float32, copy=False), _Envelope(x), 1.0, rate, ceiling_dbtp)


def normalise(x: np.ndarray, rate: int, target_lufs: float, ceiling_dbtp: float) -> np.ndarray:
    """Bring `x` to `target_lufs` with true peaks held under `ceiling_dbtp`."""
    lufs, peak = measure_samples(x, rate)
    if not np.isfinite(lufs):
        return x
    if abs(lufs - target_lufs) <= NORMALISE_TOLERANCE_LU and peak <= ceiling_dbtp:
        return x
    x = x.astype(np.float32, copy=False)
    envelope = _Envelope(x)
    gain_db = target_lufs - lufs
    previous: tuple[float, float] | None = None
    y = x
    for _ in range(6):
        y = x  # drop the previous round's output before making the next one
        y = _limited(x, envelope, 10 ** (gain_db / 20), rate, ceiling_dbtp)
        lufs = integrated_lufs(y, rate)
        if abs(lufs - target_lufs) <= NORMALISE_TOLERANCE_LU:
            break
        slope = 1.0  # LU gained per dB of make-up gain; less than 1 once the limiter bites
        if previous is not None and gain_db != previous[0]:
            slope = min(1.0, max(0.1, (lufs - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, lufs)
        gain_db += min(12.0, (target_lufs - lufs) / slope)
    return y
