"""The filters the audio package needs, without importing `scipy.signal` (~75 MB of resident memory).

`import scipy.signal` loads scipy.stats, optimize, interpolate, spatial… — most of a rendering
process's memory before any audio exists, and pyloudnorm and `scipy.ndimage` pull in the same.
What speech processing uses is one compiled IIR kernel and a few small designs, so:

- `sosfilt` runs scipy's own compiled second-order-sections kernel (`scipy/signal/_sosfilt`), loaded
  by itself (about 2 MB); if that private module cannot be loaded (a scipy with another layout),
  `scipy.signal.sosfilt` is imported instead: the same kernel, the same results, more memory.
- `butter_sos`, `biquad_sos` (pyloudnorm's K-weighting stages) and `kaiser_lowpass` follow the
  steps of `scipy.signal.butter(output="sos")`, `tf2sos` and `firwin` in numpy (a port of their
  digital, "nearest"-pairing path), and `running_min`/`running_mean` those of scipy.ndimage's
  `minimum_filter1d`/`uniform_filter1d` (mode "nearest"). tests/test_audio_filters.py checks every
  one for exact equality with scipy and pyloudnorm, so the audio stays bit-identical.
- `resample_poly` (only for material at another sample rate) imports scipy.signal when needed.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_Kernel = Callable[[np.ndarray, np.ndarray, np.ndarray], None]  # scipy's sosfilt(sos, x, zi), in place

_LOADING = threading.Lock()


def _sos_kernel() -> _Kernel:
    """scipy's in-place kernel `_sosfilt(sos, x[lines, n], zi[lines, sections, 2])`, loaded once."""
    with _LOADING:  # speech is processed on several threads
        return _load_sos_kernel()


@cache
def _load_sos_kernel() -> _Kernel:
    spec = importlib.util.find_spec("scipy")
    try:
        # spec is None when scipy is missing: the AttributeError falls to the fallback below, which says so
        folder = Path(next(iter(spec.submodule_search_locations or []))) / "signal"  # type: ignore[union-attr]
        path = next(folder.glob("_sosfilt.*"))
        loader = importlib.machinery.ExtensionFileLoader("scipy.signal._sosfilt", str(path))
        module_spec = importlib.util.spec_from_file_location("scipy.signal._sosfilt", path, loader=loader)
        assert module_spec is not None
        module = importlib.util.module_from_spec(module_spec)
        loader.exec_module(module)
        kernel: _Kernel = module._sosfilt
        return kernel
    except Exception as exc:  # any layout we do not know: the public function, same kernel
        log.info("scipy's sosfilt kernel not loadable on its own (%s): importing scipy.signal", exc)
        from scipy.signal._sosfilt import _sosfilt

        fallback: _Kernel = _sosfilt
        return fallback


def sosfilt(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`scipy.signal.sosfilt(sos, x, zi=zi)` for 1-D `x`: (filtered float64 signal, final state)."""
    sections = sos.shape[0]
    dtype = np.result_type(sos, x) if zi is None else np.result_type(sos, x, zi)
    y = np.array(x.reshape(1, -1), dtype, order="C")  # a copy, filtered in place
    state = np.zeros((1, sections, 2), dtype) if zi is None else np.array(zi, dtype).reshape(1, sections, 2)
    _sos_kernel()(sos.astype(dtype, copy=False), y, state)
    return y[0], state[0]


def butter_sos(order: int, cutoff_hz: float, btype: str, rate: float) -> np.ndarray:
    """`scipy.signal.butter(order, cutoff_hz, btype, fs=rate, output="sos")` ("lowpass"/"highpass")."""
    fs = float(rate)
    wn = np.asarray(cutoff_hz, dtype=np.float64) / (fs / 2)
    m = np.arange(-order + 1, order, 2, dtype=np.float64)
    z, p, k = np.asarray([], dtype=np.float64), -np.exp(1j * np.pi * m / (2 * order)), 1.0
    wo = float(2 * 2.0 * np.tan(np.pi * wn / 2.0))  # pre-warped for the bilinear transform at fs=2
    degree = p.shape[0] - z.shape[0]
    if btype == "lowpass":
        z, p, k = wo * z, wo * p, k * wo**degree
    elif btype == "highpass":
        z, p, k = np.concatenate((wo / z, np.zeros(degree))), wo / p, k * np.real(np.prod(-z) / np.prod(-p))
    else:
        raise ValueError(f"unsupported filter type {btype!r}")
    degree = p.shape[0] - z.shape[0]
    fs2 = 2.0 * 2.0
    z_z = np.concatenate(((fs2 + z) / (fs2 - z), -np.ones(degree)))
    p_z = (fs2 + p) / (fs2 - p)
    k_z = k * np.real(np.prod(fs2 - z) / np.prod(fs2 - p))
    return _zpk2sos(z_z, p_z, k_z)


def biquad_sos(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """`scipy.signal.tf2sos(b, a)` for one biquad (b, a of three coefficients each)."""
    a = np.trim_zeros(np.atleast_1d(np.asarray(a, dtype=np.float64)), "f")
    b = np.atleast_1d(np.asarray(b, dtype=np.float64)) / a[0]
    a = a / a[0]
    k = b[0]
    b = b / b[0]
    return _zpk2sos(np.roots(b), np.roots(a), k)


def k_weighting_sos(rate: float) -> np.ndarray:
    """The BS.1770 K-weighting filter as pyloudnorm's `Meter(rate)` builds it, as one SOS cascade."""
    stages = []
    for gain_db, q, fc, kind in ((4.0, 1 / np.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass")):
        amp = 10 ** (gain_db / 40.0)
        w0 = 2.0 * np.pi * (fc / rate)
        alpha = np.sin(w0) / (2.0 * q)
        if kind == "high_shelf":
            b0 = amp * ((amp + 1) + (amp - 1) * np.cos(w0) + 2 * np.sqrt(amp) * alpha)
            b1 = -2 * amp * ((amp - 1) + (amp + 1) * np.cos(w0))
            b2 = amp * ((amp + 1) + (amp - 1) * np.cos(w0) - 2 * np.sqrt(amp) * alpha)
            a0 = (amp + 1) - (amp - 1) * np.cos(w0) + 2 * np.sqrt(amp) * alpha
            a1 = 2 * ((amp - 1) - (amp + 1) * np.cos(w0))
            a2 = (amp + 1) - (amp - 1) * np.cos(w0) - 2 * np.sqrt(amp) * alpha
        else:
            b0 = (1 + np.cos(w0)) / 2
            b1 = -(1 + np.cos(w0))
            b2 = (1 + np.cos(w0)) / 2
            a0 = 1 + alpha
            a1 = -2 * np.cos(w0)
            a2 = 1 - alpha
        stages.append(biquad_sos(np.array([b0, b1, b2]) / a0, np.array([a0, a1, a2]) / a0))
    return np.vstack(stages)


def kaiser_lowpass(numtaps: int, cutoff: float, beta: float) -> np.ndarray:
    """`scipy.signal.firwin(numtaps, cutoff, window=("kaiser", beta))`, cutoff relative to Nyquist."""
    right = np.float64(cutoff)
    m = np.arange(0, numtaps, dtype=np.float64) - 0.5 * (numtaps - 1)
    h = 0 + right * np.sinc(right * m)
    h -= np.float64(0.0) * np.sinc(0.0 * m)
    h *= np.kaiser(numtaps, beta)
    h /= np.sum(h * np.cos(np.pi * m * 0.0))
    return h


def running_min(x: np.ndarray, size: int) -> np.ndarray:
    """`scipy.ndimage.minimum_filter1d(x, size, mode="nearest")`: the minimum over each window.

    Van Herk/Gil-Werman: minima accumulated forward and backward within blocks of `size`.
    """
    if x.size == 0:
        return x.copy()
    before, n = size // 2, x.size
    blocks = -(-(n + size - 1) // size)
    grid = np.full(blocks * size, np.inf, dtype=x.dtype)  # x with its edge values repeated, then +inf
    grid[:before] = x[0]
    grid[before : before + n] = x
    grid[before + n : n + size - 1] = x[-1]
    grid = grid.reshape(blocks, size)
    forward = np.minimum.accumulate(grid, axis=1).ravel()
    backward = np.minimum.accumulate(grid[:, ::-1], axis=1, out=grid[:, ::-1])[:, ::-1].ravel()
    return np.minimum(backward[:n], forward[size - 1 : size - 1 + n])


def running_mean(x: np.ndarray, size: int) -> np.ndarray:
    """`scipy.ndimage.uniform_filter1d(x, size, mode="nearest")`, with ndimage's running sum."""
    if x.size == 0:
        return x.copy()
    before, n = size // 2, x.size
    padded = np.empty(n + size - 1, dtype=np.float64)
    padded[:before] = x[0]
    padded[before : before + n] = x
    padded[before + n :] = x[-1]
    sums = np.empty(n, dtype=np.float64)
    sums[0] = np.cumsum(padded[:size])[-1]
    np.subtract(padded[size : size + n - 1], padded[: n - 1], out=sums[1:])
    del padded
    np.cumsum(sums, out=sums)
    sums /= size
    return sums.astype(x.dtype)


def resample_poly(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """`scipy.signal.resample_poly`; imports scipy.signal (only material at another rate needs it)."""
    from scipy import signal

    resampled: np.ndarray = signal.resample_poly(x, up, down)
    return resampled


def _zpk2sos(z: np.ndarray, p: np.ndarray, k: float) -> np.ndarray:
    """`scipy.signal.zpk2sos(z, p, k)` of a digital filter with scipy's default "nearest" pairing."""
    p = np.concatenate((p, np.zeros(max(len(z) - len(p), 0))))
    z = np.concatenate((z, np.zeros(max(len(p) - len(z), 0))))
    n_sections = (max(len(p), len(z)) + 1) // 2
    if len(p) % 2 == 1:
        p, z = np.concatenate((p, [0.0])), np.concatenate((z, [0.0]))
    z = np.concatenate(_cplxreal(z))
    p = np.concatenate(_cplxreal(p))
    k = np.real(k)
    sos = np.zeros((n_sections, 6))
    for si in range(n_sections - 1, -1, -1):
        p1_idx = _worst(p)
        p1 = p[p1_idx]
        p = np.delete(p, p1_idx)
        if np.isreal(p1) and np.isreal(p).sum() == 0:
            z1_idx = _nearest(z, p1, "real")
            z1 = z[z1_idx]
            z = np.delete(z, z1_idx)
            sos[si] = _section([z1, 0], [p1, 0])
        elif (
            len(p) + 1 == len(z) and not np.isreal(p1) and np.isreal(p).sum() == 1 and np.isreal(z).sum() == 1
        ):
            z1_idx = _nearest(z, p1, "complex")
            z1 = z[z1_idx]
            z = np.delete(z, z1_idx)
            sos[si] = _section([z1, z1.conj()], [p1, p1.conj()])
        else:
            if np.isreal(p1):
                real = np.flatnonzero(np.isreal(p))
                p2_idx = real[_worst(p[real])]
                p2 = p[p2_idx]
                p = np.delete(p, p2_idx)
            else:
                p2 = p1.conj()
            if len(z) == 0:
                sos[si] = _section([], [p1, p2])
                continue
            z1_idx = _nearest(z, p1, "any")
            z1 = z[z1_idx]
            z = np.delete(z, z1_idx)
            if not np.isreal(z1):
                sos[si] = _section([z1, z1.conj()], [p1, p2])
            elif len(z) > 0:
                z2_idx = _nearest(z, p1, "real")
                z2 = z[z2_idx]
                z = np.delete(z, z2_idx)
                sos[si] = _section([z1, z2], [p1, p2])
            else:
                sos[si] = _section([z1], [p1, p2])
    sos[0][:3] *= k
    return sos


def _worst(p: np.ndarray) -> int:
    """The pole closest to the unit circle."""
    return int(np.argmin(np.abs(1 - np.abs(p))))


def _nearest(fro: np.ndarray, to: complex, which: str) -> int:
    order = np.argsort(np.abs(fro - to))
    if which == "any":
        return int(order[0])
    mask = np.isreal(fro[order])
    if which == "complex":
        mask = ~mask
    return int(order[np.nonzero(mask)[0][0]])


def _section(zeros: list[complex], poles: list[complex]) -> np.ndarray:
    sos = np.zeros(6)
    z, p = np.asarray(zeros), np.asarray(poles)
    k = np.atleast_1d(np.asarray(1, dtype=np.result_type(np.real(z), np.real(p), 1)))
    if np.issubdtype(k.dtype, np.integer):
        k = k.astype(np.float64)
    b = np.multiply(k, _poly(z))
    a = np.atleast_1d(_poly(p))
    sos[3 - len(b) : 3] = b
    sos[6 - len(a) : 6] = a
    return sos


def _poly(zeros: np.ndarray) -> np.ndarray:
    """Polynomial coefficients from roots, as scipy.signal builds them (real when roots pair up)."""
    zeros = np.atleast_1d(zeros)
    if zeros.shape[0] == 0:
        return np.asarray(1.0, dtype=np.real(zeros).dtype)
    a = np.ones((1,), dtype=zeros.dtype)
    one = np.ones_like(zeros[0])
    for zero in zeros:
        a = np.convolve(a, np.stack((one, -zero)), mode="full")
    if np.iscomplexobj(a):
        roots = np.asarray(zeros, dtype=np.complex128)
        if np.all(np.sort(np.imag(roots)) == np.sort(np.imag(np.conj(roots)))):
            a = np.real(a).copy()
    return a


def _cplxreal(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Complex roots (one of each conjugate pair, averaged) and real roots, sorted as scipy sorts them."""
    z = np.atleast_1d(z)
    if z.size == 0:
        return z, z
    tol = 100 * np.finfo((1.0 * z).dtype).eps
    z = z[np.lexsort((abs(z.imag), z.real))]
    real_indices = abs(z.imag) <= tol * abs(z)
    zr = z[real_indices].real
    if len(zr) == len(z):
        return np.array([]), zr
    z = z[~real_indices]
    zp = z[z.imag > 0]
    zn = z[z.imag < 0]
    if len(zp) != len(zn):
        raise ValueError("a complex root without its conjugate")
    same_real = np.diff(zp.real) <= tol * abs(zp[:-1])
    diffs = np.diff(np.concatenate(([0], same_real, [0])))
    for start, stop in zip(np.nonzero(diffs > 0)[0], np.nonzero(diffs < 0)[0] + 1, strict=True):
        for chunk in (zp[start:stop], zn[start:stop]):
            chunk[...] = chunk[np.lexsort([abs(chunk.imag)])]
    if any(abs(zp - zn.conj()) > tol * abs(zn)):
        raise ValueError("a complex root without its conjugate")
    return (zp + zn.conj()) / 2, zr
