"""Creating files and folders that other accounts can read, written so that no reader sees half a file.

The loudspeaker player, the clerk's file share and a second service process may run under other
accounts than the one that renders, so everything the audio package creates is world-readable
whatever the process umask: files 0644 (read-only linked entries 0444), folders 0755.
`tempfile.mkstemp` creates 0600 files, hence the explicit `fchmod` before the rename.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

FILE_MODE = 0o644
DIR_MODE = 0o755
TMP_PREFIX = ".tmp-"  # temporary files of `write_atomic`; the cache's eviction recognises them


def ensure_dir(path: Path) -> None:
    """Create `path` and its missing parents, each 0755 (folders that already exist are left alone)."""
    if path.is_dir():
        return
    ensure_dir(path.parent)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        return
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def write_atomic(
    path: Path, data: bytes | memoryview | Sequence[bytes | memoryview], mode: int = FILE_MODE
) -> None:
    """Write `data` (or its pieces, in order) to a temporary file beside `path` and move it into place.

    A reader sees the whole old file or the whole new one. The folder is created when missing.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    except FileNotFoundError:
        ensure_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            for piece in [data] if isinstance(data, bytes | bytearray | memoryview) else data:
                fh.write(piece)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_file(path: Path, mode: int = FILE_MODE) -> int:
    """Open `path` for writing (truncated or new) with exactly `mode`; returns the descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)  # os.open's mode is filtered by the umask, and ignored for an existing file
    return fd


def write_file(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write a whole file in a folder nobody reads before it is complete (a staging folder)."""
    with os.fdopen(create_file(path, mode), "wb") as fh:
        fh.write(data)
