"""Content-addressed render cache on disk, least recently used entries evicted past a size limit.

Entries are addressed by a sha256 key of everything that determines their content (spoken text,
engine, voice, processing parameters…), so a hit is always safe to reuse and nothing is
synthesised or encoded twice. Each file holds a magic tag, the payload's sha256 and the payload,
written to a temporary file and moved into place with os.replace: a reader sees the whole entry or
none, and a corrupt or truncated file (disk full, crash, manual edit) is a miss, not a crash.
A hit refreshes the file's mtime (at most every few minutes), so mtime is the time of last use
and `evict` can remove the least recently used files when the folder grows past a limit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from loa114.audio.eviction import EvictionReport, evict
from loa114.audio.fsio import write_atomic

log = logging.getLogger(__name__)

_MAGIC = b"LOA1"
_DIGEST = 32
TOUCH_AFTER_S = 300.0  # a hit rewrites the mtime only when it is older than this (one syscall, rarely)


def make_key(*parts: object) -> str:
    """sha256 hex digest of a canonical JSON rendering of `parts`."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def mark_used(target: Path | int) -> None:
    """Record a use of a cache file (path or open descriptor): its mtime becomes now, if it was stale."""
    try:
        if time.time() - os.stat(target).st_mtime > TOUCH_AFTER_S:
            os.utime(target)
    except OSError as exc:  # gone meanwhile, or a cache shared read-only: only the LRU order suffers
        log.debug("cannot mark %s as used: %s", target, exc)


class RenderCache:
    """Blobs by (kind, key) under `root/<kind>/<key[:2]>/<key>`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0

    def path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        path = self.path(kind, key)
        try:
            with path.open("rb") as fh:
                head = fh.read(len(_MAGIC) + _DIGEST)
                payload = fh.read()
                valid = (
                    head[: len(_MAGIC)] == _MAGIC and hashlib.sha256(payload).digest() == head[len(_MAGIC) :]
                )
                if valid:
                    mark_used(fh.fileno())
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            log.warning("cache entry %s unreadable, treated as a miss: %s", path, exc)
            self.misses += 1
            return None
        if not valid:
            log.warning("cache entry %s is corrupt, treated as a miss", path)
            self.misses += 1
            return None
        self.hits += 1
        return payload

    def put(self, kind: str, key: str, payload: bytes | memoryview) -> None:
        write_atomic(self.path(kind, key), [_MAGIC, hashlib.sha256(payload).digest(), payload])

    def get_json(self, kind: str, key: str) -> dict[str, Any] | None:
        blob = self.get(kind, key)
        if blob is None:
            return None
        try:
            value = json.loads(blob)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_json(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def evict(self, max_bytes: int, keep: Collection[Path] = ()) -> EvictionReport:
        """Remove least recently used files until the cache holds at most `max_bytes` (see `audio.eviction`)."""
        return evict(self.root, max_bytes, keep)
