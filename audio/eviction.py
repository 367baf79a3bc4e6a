"""Keeping the render cache under a size limit: least recently used files go first.

Every kind of entry counts (speech chunks, item PCM and MP3, measurements, indexes, linked item
files). A file's mtime is its last use (`audio.cache.mark_used`). Never removed: paths the caller
keeps (the items of programs that have not aired yet), the engines' health records, temporary files
younger than an hour (a write under way), and linked item files still hard-linked from a playout
folder — removing one of those frees nothing (the playout folder holds the same inode) and would
only make the next build write the file again, so their bytes are reported apart, not counted.

Other processes may read and write the cache meanwhile: a file that vanishes is skipped, a file
used or rewritten since the scan (newer mtime) is kept, and an entry removed under a reader is
just a miss for it (an open file stays readable on POSIX).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from loa114.audio.fsio import TMP_PREFIX

log = logging.getLogger(__name__)

LINKED_KIND = "files"  # audio.linking's store: hard-linked into playout folders
SKIPPED_KINDS = frozenset({"health"})  # state, not cache
STALE_TMP_S = 3600.0


@dataclass(frozen=True)
class EvictionReport:
    files_removed: int
    bytes_removed: int
    bytes_left: int  # the cache's own files after eviction (may exceed the limit only by kept files)
    bytes_linked: int = 0  # linked item files still used by playout folders: not counted, not removed


@dataclass(frozen=True)
class _Entry:
    path: str
    size: int
    mtime_ns: int


def evict(root: Path, max_bytes: int, keep: Collection[Path] = ()) -> EvictionReport:
    """Remove least recently used files under `root` until its own files total at most `max_bytes`."""
    kept = {os.path.abspath(p) for p in keep}
    now = time.time()
    entries: list[_Entry] = []
    linked = 0
    stale: list[_Entry] = []
    for entry, nlink, kind in _scan(Path(root)):
        if kind == LINKED_KIND and nlink > 1:
            linked += entry.size
        elif os.path.basename(entry.path).startswith(TMP_PREFIX):
            if now - entry.mtime_ns / 1e9 > STALE_TMP_S:
                stale.append(entry)  # left by a crash
        else:
            entries.append(entry)
    total = sum(e.size for e in entries)
    removed = freed = 0
    for entry in stale:
        if _remove(entry):
            removed += 1
            freed += entry.size
    entries.sort(key=lambda e: e.mtime_ns)
    for entry in entries:
        if total <= max_bytes:
            break
        if entry.path in kept:
            continue
        if _remove(entry):
            removed += 1
            freed += entry.size
            total -= entry.size
        elif not os.path.exists(entry.path):
            total -= entry.size  # someone else removed it
    if removed:
        log.info(
            "cache %s: removed %d files (%.1f MB), %.1f MB left", root, removed, freed / 1e6, total / 1e6
        )
    return EvictionReport(removed, freed, total, linked)


def _scan(root: Path) -> Iterator[tuple[_Entry, int, str]]:
    """(entry, link count, kind) of every regular file under root's kind folders, tolerant of changes."""
    try:
        kinds = [d for d in os.scandir(root) if d.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return
    for kind in kinds:
        if kind.name in SKIPPED_KINDS:
            continue
        for entry in _walk(kind.path):
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            yield _Entry(entry.path, st.st_size, st.st_mtime_ns), st.st_nlink, kind.name


def _walk(folder: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            children = list(it)
    except (FileNotFoundError, NotADirectoryError):
        return
    for child in children:
        if child.is_dir(follow_symlinks=False):
            yield from _walk(child.path)
        elif child.is_file(follow_symlinks=False):
            yield child


def _remove(entry: _Entry) -> bool:
    """Unlink `entry` unless it changed since the scan (used or rewritten by another process)."""
    try:
        if os.stat(entry.path).st_mtime_ns != entry.mtime_ns:
            return False
        os.unlink(entry.path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("cannot remove cache file %s: %s", entry.path, exc)
        return False
    return True
