"""Atomic file and folder writes: a reader never sees a half-written program or manifest."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """`path` replaced whole by `data`; `durable`: on disk (fsync) before it replaces the old file, which a
    status stamp in a manifest can forgo (the database holds the truth; a process crash keeps the write)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _fresh_file(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def leave_spare(path: Path) -> None:
    """An empty file beside `path` that its next `write_atomic` fills instead of creating one.

    Creating a file is most of a small atomic write's cost: on this machine's disk 0.2–0.8 ms, against about
    0.15 ms to take a spare, fill it and rename it into place. At 05:30 a province's 650 manifests are stamped
    `published` at once, so each build leaves its manifest a spare (hidden, like the temporary files)."""
    fd = os.open(_spare(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.fchmod(fd, 0o644)  # whatever the umask: the next manifest must stay readable by the player's account
    os.close(fd)


def _spare(path: Path) -> Path:
    return path.parent / f".{path.name}.spare"


def _fresh_file(path: Path) -> tuple[int, str]:
    """An empty file beside `path` for its next content: the spare `leave_spare` made, when there is one
    (taken by a rename, so two writers never share it), or else a new one, readable by everyone (0644)."""
    taken = f"{path.parent}/.{path.name}.{os.getpid()}-{threading.get_ident()}.tmp"
    try:
        os.rename(_spare(path), taken)
        return os.open(taken, os.O_WRONLY | os.O_TRUNC), taken
    except FileNotFoundError:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the file from the player's or clerk's account
        return fd, tmp


def write_json_atomic(path: Path, data: Any, *, durable: bool = True) -> None:
    write_atomic(
        path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), durable=durable
    )


def staging_dir(final: Path) -> Path:
    """A fresh folder beside `final` (same file system, so the exchange into place is atomic).

    Readable by everyone (0755): mkdtemp's 0700 would hide the program from the player's account."""
    final.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".staging", dir=final.parent))
    path.chmod(0o755)
    return path


def swap_into_place(staging: Path, final: Path) -> None:
    """Make the finished `staging` folder `final`: one atomic rename the first time, and on a rebuild one
    atomic exchange of the two folders (Linux renameat2), so a reader sees the complete old program or
    the complete new one, never no folder. Where the exchange is not available, the old folder is moved
    aside first (a moment with no folder)."""
    if not final.exists():
        os.rename(staging, final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old program
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
    os.rename(final, retired / final.name)
    os.rename(staging, final)
    shutil.rmtree(retired, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


STALE_AFTER_S = 3600.0


def clean_stale_staging(parent: Path, now_s: float) -> None:
    """Remove staging and retired folders left by a crash: those untouched for an hour (a build in
    progress in another process is younger than that). `now_s` is a file-system timestamp."""
    if not parent.is_dir():
        return
    for child in [*parent.glob(".*.staging"), *parent.glob(".*.old")]:
        try:
            if now_s - child.stat().st_mtime > STALE_AFTER_S:
                shutil.rmtree(child, ignore_errors=True)
        except FileNotFoundError:
            continue
