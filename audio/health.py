"""Online engines' health, shared by every process through a small JSON file per engine.

When gTTS is found unreachable, the cool-down ("skip it until wall-clock T") is written to
`<cache_dir>/health/<engine>.json` so that the next CLI command, the service and an urgent alert
all skip it at once instead of each paying the timeouts again. The file is written atomically and
re-read only when it changed (one stat per question: `Speaker.cooling_down` is asked for every
chunk). A success, or a successful probe, removes it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from loa114.audio.fsio import write_atomic

log = logging.getLogger(__name__)

_Signature = tuple[int, int, int] | None  # (inode, mtime ns, size) of the file, None when absent


@dataclass(frozen=True)
class EngineHealth:
    """The last known trouble of an online engine (times are wall-clock Unix seconds)."""

    engine: str
    cooling_until: float  # skip the engine until then
    error: str  # the last failure
    since: float  # the first failure after the engine last answered
    failures: int  # failures recorded since `since`

    def cooling(self, now: float) -> bool:
        return now < self.cooling_until


class HealthBoard:
    """The health files under `root`, one per engine; safe to share between threads and processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[_Signature, EngineHealth | None]] = {}

    def path(self, engine: str) -> Path:
        return self.root / f"{engine}.json"

    def read(self, engine: str) -> EngineHealth | None:
        """The engine's record, or None when it has none (never failed, or answered since)."""
        path = self.path(engine)
        try:
            st = os.stat(path)
            signature: _Signature = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            signature = None
        seen = self._seen.get(engine)
        if seen is not None and seen[0] == signature:
            return seen[1]
        health = self._load(path, engine) if signature is not None else None
        self._seen[engine] = (signature, health)
        return health

    def failed(self, engine: str, error: str, now: float, cooldown_s: float) -> EngineHealth:
        """Record a failure: the engine cools down until `now + cooldown_s`."""
        with self._lock:
            previous = self.read(engine)
            health = EngineHealth(
                engine=engine,
                cooling_until=now + cooldown_s,
                error=error,
                since=previous.since if previous is not None else now,
                failures=previous.failures + 1 if previous is not None else 1,
            )
            path = self.path(engine)
            write_atomic(path, json.dumps(asdict(health), ensure_ascii=False).encode("utf-8"))
            self._seen.pop(engine, None)  # the next read takes the new signature
            return health

    def clear(self, engine: str) -> None:
        """The engine answered: forget its trouble (in every process)."""
        with self._lock:
            if self.read(engine) is None:
                return
            self.path(engine).unlink(missing_ok=True)
            self._seen[engine] = (None, None)
            log.info("%s answers again", engine)

    @staticmethod
    def _load(path: Path, engine: str) -> EngineHealth | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return EngineHealth(
                engine=engine,
                cooling_until=float(data["cooling_until"]),
                error=str(data.get("error", "")),
                since=float(data.get("since", data["cooling_until"])),
                failures=int(data.get("failures", 1)),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("health file %s unreadable, ignored: %s", path, exc)
            return None
