"""audio.filters gives exactly what scipy and pyloudnorm give (the audio stays bit-identical) without
importing scipy.signal; rendering holds no more audio than it must."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy import ndimage, signal

from loa114.audio import filters
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.frames import MAX_QUEUED
from loa114.audio.loudness import InterSamplePeaks, _oversampling_phases
from loa114.audio.program import ItemSource, ProgramBuilder
from loa114.audio.speaker import Speaker
from tests.audio_fixtures import TEXT, make_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100, 48000])
@pytest.mark.parametrize(("order", "cutoff", "btype"), [(4, 200, "highpass"), (6, 7000, "lowpass"), (2, 100, "highpass"), (8, 3400, "lowpass"), (4, 1000, "lowpass")])  # fmt: skip
def test_butterworth_sections_are_scipys(rate: int, order: int, cutoff: int, btype: str) -> None:
    if cutoff >= rate / 2:
        pytest.skip("above Nyquist")
    expected = signal.butter(order, cutoff, btype, fs=rate, output="sos")
    assert np.array_equal(filters.butter_sos(order, cutoff, btype, rate), expected)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 24000, 44100, 48000])
def test_k_weighting_is_pyloudnorms(rate: int) -> None:
    stages = []
    for stage in pyloudnorm.Meter(rate)._filters.values():
        sos = signal.tf2sos(stage.b, stage.a)
        sos[0, :3] *= stage.passband_gain
        stages.append(sos)
    np.testing.assert_allclose(filters.k_weighting_sos(rate), np.vstack(stages), rtol=1e-12, atol=1e-18)


def test_oversampling_taps_are_firwins() -> None:
    expected = signal.firwin(48, 0.9 / 4, window=("kaiser", 8.0))
    # equal to rounding: scipy's own sum order changes between releases
    np.testing.assert_allclose(filters.kaiser_lowpass(48, 0.9 / 4, 8.0), expected, rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sosfilt_is_scipys_with_and_without_state(dtype: type) -> None:
    x = np.random.default_rng(1).standard_normal(30000).astype(dtype)
    sos = signal.butter(6, 3000, "lowpass", fs=22050, output="sos")
    y, _ = filters.sosfilt(sos, x)
    assert np.array_equal(y, signal.sosfilt(sos, x))
    zi = np.full((sos.shape[0], 2), 0.1)
    y, state = filters.sosfilt(sos, x, zi)
    expected, expected_state = signal.sosfilt(sos, x, zi=zi)
    assert np.array_equal(y, expected) and np.array_equal(state, expected_state)


@pytest.mark.parametrize("n", [1, 5, 440, 441, 442, 100_003])
@pytest.mark.parametrize("size", [1, 3, 9, 441])
def test_running_min_and_mean_are_ndimages(n: int, size: int) -> None:
    x = np.random.default_rng(n + size).uniform(0.05, 1.0, n).astype(np.float32)
    x[::7] = 1.0  # long flat stretches, as a limiter's gain has
    assert np.array_equal(filters.running_min(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))
    mean = filters.running_mean(x, size)
    assert mean.dtype == np.float32
    assert np.array_equal(mean, ndimage.uniform_filter1d(x, size, mode="nearest"))


class PaddedPeaks:
    """InterSamplePeaks as it was: on a zero-padded copy of history + signal (the reference)."""

    def __init__(self, x: np.ndarray, history: np.ndarray | None) -> None:
        phases, bound = _oversampling_phases()
        head = x[:0] if history is None else history
        n = max(0, head.size + x.size - 11)
        nb = -(-n // 64)
        self.padded = np.zeros(nb * 64 + 11, dtype=np.float32)
        self.padded[: head.size] = head
        self.padded[head.size : head.size + x.size] = x
        body = self.padded[11 : 11 + nb * 64].reshape(nb, 64)
        maxima = np.maximum(body.max(axis=1, initial=0.0), -body.min(axis=1, initial=0.0))
        first = float(np.abs(self.padded[:11]).max())
        previous = np.concatenate([[first], maxima[:-1]]) if nb else maxima
        self.bounds = np.maximum(maxima, previous) * bound
        self.segments = np.lib.stride_tricks.sliding_window_view(self.padded, 75)[::64] if nb else None


@pytest.mark.parametrize("history", [None, "zeros", "signal"])
@pytest.mark.parametrize("n", [3, 11, 12, 75, 64 * 50 + 17])
def test_inter_sample_peaks_read_the_signal_in_place(history: str | None, n: int) -> None:
    """The same bounds and windows as the padded copy the computation used to make."""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 0.3).astype(np.float32)
    head = None if history is None else np.zeros(11, np.float32)
    if history == "signal":
        head = rng.standard_normal(11).astype(np.float32)
    peaks, reference = InterSamplePeaks(x, head), PaddedPeaks(x, head)
    assert np.array_equal(peaks.bounds, reference.bounds)
    blocks = np.arange(peaks.bounds.size)
    if blocks.size:  # a signal shorter than the filter's history has no block to interpolate
        assert np.array_equal(peaks._segments(blocks), reference.segments[blocks])
        assert np.array_equal(peaks._segments(blocks[::-1]), reference.segments[blocks[::-1]])


def test_rendering_does_not_import_scipy_signal_nor_pyloudnorm(tmp_path: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.program import ItemSource, ProgramBuilder
from loa114.audio.settings import AudioSettings
from loa114.audio.speaker import Speaker
settings = AudioSettings(cache_dir=Path({str(tmp_path)!r}), engines=("offline",))
item = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()])).render_item(
    ItemSource("a", "A", [{TEXT!r}], None)
)
assert item.duration_s > 1
heavy = [m for m in ("scipy.signal", "scipy.ndimage", "scipy.stats", "pyloudnorm") if m in sys.modules]
print(heavy, "scipy.signal._sosfilt" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"  # scipy's compiled IIR kernel is loaded on its own


def test_rendered_items_hold_no_audio(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    builder = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()]))
    sources = [ItemSource(f"s{n}", "S", [f"{TEXT} Lần thứ {n}."] * 3, None, repeat=2) for n in range(4)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        items = []
        for source in sources:
            items.append(builder.render_item(source))
            pending = [f for f in builder.frames._pending.values() if not f.done()]
            assert len(pending) <= MAX_QUEUED  # the renderer waits for the encoder, samples do not pile up
        for future in list(builder.frames._pending.values()):
            future.result()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    samples = sum(item.duration_s for item in items) * settings.sample_rate * 2  # int16 bytes
    assert held < samples / 2  # the caller keeps four items: their durations (and a few MP3 frames)
    assert items[0].pcm().size == round(items[0].duration_s * settings.sample_rate)


def test_speech_at_another_rate_is_resampled(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",), sample_rate=16000)
    item = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()])).render_item(
        ItemSource("a", "A", [TEXT], None)
    )  # espeak speaks at 22.05 kHz: resample_poly (scipy.signal, imported on demand)
    assert item.sample_rate == 16000 and item.pcm().size == round(item.duration_s * 16000)
