"""The heavy part of a page, kept in memory while the data it was drawn from has not changed.

Twenty people opening the dashboard or the coverage table at once would otherwise each read and draw
1,000 villages (bench/web.py). A page's `content` block is kept per (page, viewer, arguments) together
with the version it was drawn at: this process's count of committed writes (`db.engine.WriteCounter`),
the configuration in use and the commune's date. Any write made through this service — a confirmed
broadcast, an import, a sent notice — draws the page anew on its next view. Writes by another process (a
`loa coverage import` in a terminal) and the passing of time (a broadcast becoming overdue, a script
edited in Notepad) are seen within `web.page_cache_s` seconds; 0 turns the cache off.

The page around the block — menu, CSRF token, flash messages — is drawn for every request. After a write,
the first request draws the block and the others asking for the same one wait for it rather than all
drawing it at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kept:
    version: Hashable
    html: str
    until: float


class PageCache:
    """A bounded map of drawn content blocks; `monotonic` is the seam tests turn forward.

    `get` answers the kept block, or None: then the caller draws it and must `put` it (or `drop` the
    claim if drawing failed). Callers asking for a block another thread is drawing wait for it."""

    WAIT_S = 10.0  # for another thread's drawing; then draw it oneself

    def __init__(self, ttl_s: float, *, size: int = 256, monotonic: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.size = size
        self.monotonic = monotonic
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._drawing: dict[tuple[Hashable, Hashable], threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable) -> str | None:
        if self.ttl_s <= 0:
            return None
        with self._lock:
            kept = self._valid(key, version)
            if kept is not None:
                return kept
            drawing = self._drawing.get((key, version))
            if drawing is None:
                self._drawing[(key, version)] = threading.Event()
                self.misses += 1
                return None
        drawing.wait(self.WAIT_S)
        with self._lock:
            kept = self._valid(key, version)
            self.misses += kept is None
            return kept

    def put(self, key: Hashable, version: Hashable, html: str) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._kept[key] = Kept(version, html, self.monotonic() + self.ttl_s)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        self.drop(key, version)

    def drop(self, key: Hashable, version: Hashable) -> None:
        """Give up the claim to draw (a failed drawing): the waiting threads draw it themselves."""
        with self._lock:
            drawing = self._drawing.pop((key, version), None)
        if drawing is not None:
            drawing.set()

    def _valid(self, key: Hashable, version: Hashable) -> str | None:
        kept = self._kept.get(key)
        if kept is None or kept.version != version or kept.until < self.monotonic():
            return None
        self._kept.move_to_end(key)
        self.hits += 1
        return kept.html
