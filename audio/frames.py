"""MP3 frame streams of items and gaps, with their loudness data: encoded once, in the background.

A freshly rendered item is handed to `prefetch`, which encodes it with ffmpeg and meters the
decoded stream on a worker thread while the caller goes on synthesising and normalising the next
item (ffmpeg runs in its own process, numpy and espeak release the GIL): the encoder, not Python,
sets the pace of a cold build. At most `MAX_QUEUED` items wait for the encoder — a faster renderer
waits for it rather than piling up samples — and an item's samples are dropped once encoded.
Everything lands in the render cache; the frames used by programs are also kept in a small
in-memory LRU (they are verified once when read, so a warm week of programs does not re-read and
re-hash the same items for every zone); a use from memory still marks the cache file as used.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

import numpy as np

from loa114.audio import ffmpeg
from loa114.audio.cache import RenderCache, make_key, mark_used
from loa114.audio.measurement import PartMeasure, measure_part
from loa114.audio.settings import AudioSettings
from loa114.audio.workers import block_signals

log = logging.getLogger(__name__)

MEMORY_BYTES = 16 << 20  # frames kept in memory: ~35 min of speech at 64 kb/s
MAX_QUEUED = 2  # items (their int16 samples) waiting for or in the encoder


class FrameStore:
    """Frame streams and part measurements by cache key, encoded at most once per key."""

    def __init__(self, settings: AudioSettings, cache: RenderCache, *, workers: int = 1) -> None:
        self.settings = settings
        self.cache = cache
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[str, Future[bytes]] = {}
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._memory_bytes = 0
        self._lock = threading.Lock()

    def item_key(self, item_key: str) -> str:
        s = self.settings
        return make_key("item-mp3", item_key, s.sample_rate, s.bitrate_kbps)

    def gap_key(self, seconds: float) -> str:
        s = self.settings
        return make_key("silence-mp3", round(seconds, 3), s.sample_rate, s.bitrate_kbps)

    def prefetch(self, key: str, pcm: np.ndarray) -> None:
        """Start encoding and metering `pcm` (int16) under `key` unless it is done or under way."""
        with self._lock:
            if key in self._pending or key in self._memory:
                return
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._workers, thread_name_prefix="audio-encode", initializer=block_signals
                )
            future = self._pool.submit(self._encode_and_measure, key, pcm)
            self._pending[key] = future
            backlog = [f for f in self._pending.values() if not f.done()]
        future.add_done_callback(lambda done: self._settle(key, done))
        if len(backlog) > MAX_QUEUED:
            wait(backlog[: len(backlog) - MAX_QUEUED])  # the oldest: the renderer waits for ffmpeg

    def _settle(self, key: str, done: Future[bytes]) -> None:
        """A finished prefetch moves to memory (a failed one is retried, and raises, when asked for)."""
        with self._lock:
            if self._pending.get(key) is done:
                del self._pending[key]
            if not self._pending and self._pool is not None:
                self._pool.shutdown(wait=False)  # no idle threads left behind between programs
                self._pool = None
        if done.exception() is None:
            self._remember(key, done.result())
        else:
            log.debug("background encoding of %s failed: %s", key, done.exception())

    def frames(self, key: str, pcm: Callable[[], np.ndarray]) -> bytes:
        """The frame stream under `key`: from memory, the cache, a prefetch, or encoded now."""
        with self._lock:
            frames = self._memory.get(key)
            if frames is not None:
                self._memory.move_to_end(key)
        if frames is not None:
            mark_used(self.cache.path("item-mp3", key))
            return frames
        with self._lock:
            pending = self._pending.get(key)
        if pending is not None and pending.exception() is None:
            frames = pending.result()
        else:
            frames = self.cache.get("item-mp3", key)
            if frames is None:
                frames = self._encode_and_measure(key, pcm())
        self._remember(key, frames)
        return frames

    def measure(self, key: str, frames: bytes) -> PartMeasure:
        """The part measurement of the stream `frames` stored under `key` (decoded and metered once)."""
        blob = self.cache.get("part-measure", key)
        measured = PartMeasure.from_bytes(blob) if blob is not None else None
        if measured is None:
            measured = measure_part(frames, self.settings.sample_rate)
            self.cache.put("part-measure", key, measured.to_bytes())
        return measured

    def _encode_and_measure(self, key: str, pcm: np.ndarray) -> bytes:
        s = self.settings
        frames = ffmpeg.encode_mp3(pcm, s.sample_rate, s.bitrate_kbps) if pcm.size else b""
        self.cache.put("item-mp3", key, frames)
        self.measure(key, frames)
        return frames

    def _remember(self, key: str, frames: bytes) -> None:
        with self._lock:
            if key in self._memory or len(frames) > MEMORY_BYTES // 4:
                return
            self._memory[key] = frames
            self._memory_bytes += len(frames)
            while self._memory_bytes > MEMORY_BYTES:
                _, dropped = self._memory.popitem(last=False)
                self._memory_bytes -= len(dropped)
