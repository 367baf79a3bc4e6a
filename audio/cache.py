"""Content-addressed render cache on disk.

Entries are addressed by a sha256 key of everything that determines their content (spoken text,
engine, voice, processing parameters…), so a hit is always safe to reuse and nothing is
synthesised or encoded twice. Each file holds a magic tag, the payload's sha256 and the payload,
written to a temporary file and moved into place with os.replace: a reader sees the whole entry or
none, and a corrupt or truncated file (disk full, crash, manual edit) is a miss, not a crash.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

_MAGIC = b"LOA1"
_DIGEST = 32


def make_key(*parts: object) -> str:
    """sha256 hex digest of a canonical JSON rendering of `parts`."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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
            blob = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            log.warning("cache entry %s unreadable, treated as a miss: %s", path, exc)
            self.misses += 1
            return None
        payload = blob[len(_MAGIC) + _DIGEST :]
        if (
            blob[: len(_MAGIC)] != _MAGIC
            or hashlib.sha256(payload).digest() != blob[len(_MAGIC) : len(_MAGIC) + _DIGEST]
        ):
            log.warning("cache entry %s is corrupt, treated as a miss", path)
            self.misses += 1
            return None
        self.hits += 1
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        path = self.path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC)
                fh.write(hashlib.sha256(payload).digest())
                fh.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_json(self, kind: str, key: str) -> dict | None:
        blob = self.get(kind, key)
        if blob is None:
            return None
        try:
            value = json.loads(blob)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_json(self, kind: str, key: str, value: dict) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))
