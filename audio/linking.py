"""Finished item files kept in the cache and hard-linked into playout folders.

The same item, with the same tags (title, date, track), recurs in every zone's program of a slot;
writing it once and linking it saves most of the item-file writes and disk space of a week of
programs. Entries are plain files named by the sha256 of their bytes (a hard link cannot carry a
header), read-only, written to a temporary file and moved into place. Before every link the entry
is compared byte for byte with the bytes the program wants: an entry changed in any way (a crash,
a disk error, or a tool editing a linked playout file in place, which edits the entry too) is a
miss and is replaced by a new file, so it never spreads to another program. Across file systems,
or where links are refused, the file is written instead. Linking an entry marks it used (mtime),
and its link count tells the cache's eviction whether a playout folder still holds it.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from pathlib import Path

from loa114.audio.cache import mark_used
from loa114.audio.fsio import write_atomic, write_file

log = logging.getLogger(__name__)

_READ_ONLY = 0o444  # world-readable; read-only, since every playout link shares the inode
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES}


class LinkedFiles:
    """Content-addressed files under `root`, placed into folders by hard link (or copy)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.linked = 0
        self.written = 0  # entries (re)written into the store
        self.copied = 0  # destinations written because a link was impossible

    def entry(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.mp3"

    def place(self, data: bytes, dest: Path, sha256: str | None = None) -> str:
        """Make `dest` a file holding exactly `data`; return its sha256 (computed if not given)."""
        sha = sha256 or hashlib.sha256(data).hexdigest()
        entry = self.entry(sha)
        if not self._holds(entry, data):
            self._store(entry, data)
        try:
            try:
                os.link(entry, dest)
            except FileNotFoundError:  # evicted meanwhile by another process: store it again
                self._store(entry, data)
                os.link(entry, dest)
            self.linked += 1
        except OSError as exc:
            if exc.errno not in _NO_LINK and not isinstance(exc, FileNotFoundError):
                raise
            log.debug("cannot link %s to %s (%s): writing a copy", entry, dest, exc.strerror)
            write_file(dest, data)
            self.copied += 1
        return sha

    @staticmethod
    def _holds(entry: Path, data: bytes) -> bool:
        try:
            with entry.open("rb") as fh:
                same = fh.read(len(data) + 1) == data
                if same:
                    mark_used(fh.fileno())
        except OSError:
            return False
        if not same:
            log.warning("linked file %s changed since it was stored; replacing it", entry)
        return same

    def _store(self, entry: Path, data: bytes) -> None:
        """Write a new file and move it over the entry: a changed old inode stays with its links."""
        write_atomic(entry, data, _READ_ONLY)
        self.written += 1
