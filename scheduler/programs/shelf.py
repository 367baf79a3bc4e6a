"""The office's script library, re-read when a file in `scripts.dir` changes (they edit it live).

Loading reports every broken file; the studio records those once per change, as `ScriptInvalid` events.
"""

from __future__ import annotations

import threading
from pathlib import Path

from loa114.content.library import Library, load_library


class ScriptShelf:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._library: Library | None = None
        self._signature: tuple[tuple[str, float, int], ...] = ()
        self._lock = threading.Lock()

    def current(self) -> tuple[Library, bool]:
        """The library as the files are now, and whether it was (re)loaded by this call."""
        signature = _signature(self.directory)
        with self._lock:
            if self._library is not None and signature == self._signature:
                return self._library, False
            self._library, self._signature = load_library(self.directory), signature
            return self._library, True


def _signature(directory: Path) -> tuple[tuple[str, float, int], ...]:
    """Names, times and sizes of every file under `directory` (sub-folders too, as the library reads)."""
    if not directory.is_dir():
        return ()
    entries = []
    for path in sorted(directory.rglob("*")):
        try:
            if path.is_file():
                stat = path.stat()
                entries.append((str(path.relative_to(directory)), stat.st_mtime, stat.st_size))
        except FileNotFoundError:  # removed while we looked: the next look sees the new state
            continue
    return tuple(entries)
