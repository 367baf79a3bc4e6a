"""Atomic file and folder writes: a reader never sees a half-written program or manifest."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would hide the file from the player's or clerk's account
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def staging_dir(final: Path) -> Path:
    """A fresh folder beside `final` (same file system, so the rename into place is atomic)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".staging", dir=final.parent))


def swap_into_place(staging: Path, final: Path) -> None:
    """Rename the finished `staging` folder to `final`, replacing an older version if there is one.

    The first publication is one atomic rename. A re-render moves the old folder aside first, so a reader
    sees the complete old program, then (after a moment with no folder) the complete new one.
    """
    if final.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
        os.rename(final, retired / final.name)
        os.rename(staging, final)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.rename(staging, final)


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
