"""Keeping the disk bounded: playout folders older than `playout.keep_days`, and the render cache within
`audio.cache_max_mb` (least recently used first). The audio of a program that has not aired yet is never
evicted, so rebuilding it before airtime stays cheap and never needs the network.

Run daily by the service (`cleanup` job) and on demand by `loa cleanup`.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from loa114.audio.program import ProgramBuilder
from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import FINAL, Broadcast, BroadcastItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupReport:
    folders_removed: list[str]
    cache_files_removed: int
    cache_bytes_removed: int
    cache_bytes_left: int


def cleanup(config: Config, db: Database, sound: ProgramBuilder, now: datetime) -> CleanupReport:
    removed = remove_old_playout(config, db, now)
    keep = protected_cache_paths(db, sound)
    evicted = sound.cache.evict(config.audio.cache_max_mb * 1024 * 1024, keep=keep)
    report = CleanupReport(removed, evicted.files_removed, evicted.bytes_removed, evicted.bytes_left)
    log.info(
        "cleanup done folders_removed=%d cache_files_removed=%d cache_mb_removed=%.1f cache_mb_left=%.1f kept=%d",
        len(removed), report.cache_files_removed, report.cache_bytes_removed / 2**20,
        report.cache_bytes_left / 2**20, len(keep),
    )  # fmt: skip
    return report


def remove_old_playout(config: Config, db: Database, now: datetime) -> list[str]:
    """Date folders older than `playout.keep_days` whose broadcasts have all reached a final state."""
    root = config.playout.dir
    oldest = now.astimezone(config.tz).date() - timedelta(days=config.playout.keep_days)
    days = sorted(d for d in _dated_folders(root) if d < oldest)
    if not days:
        return []
    with db.session() as session:
        busy = set(
            session.scalars(
                select(Broadcast.day)
                .where(Broadcast.day.in_(days), Broadcast.status.not_in(FINAL))
                .distinct()
            )
        )
    removed = []
    for day in days:
        if day in busy:
            log.warning("playout folder %s kept: a broadcast of that day has not reached a final state", day)
            continue
        shutil.rmtree(root / day.isoformat(), ignore_errors=True)
        removed.append(day.isoformat())
    return removed


def _dated_folders(root: Path) -> list[date]:
    found = []
    if root.is_dir():
        for child in root.iterdir():
            try:
                found.append(date.fromisoformat(child.name))
            except ValueError:
                continue  # not a date folder: not ours to remove
    return found


def protected_cache_paths(db: Database, sound: ProgramBuilder) -> set[Path]:
    """The cache files the items of programs not yet aired need (planned, ready or airing)."""
    with db.session() as session:
        rows = session.execute(
            select(BroadcastItem.audio_key, BroadcastItem.request_key, BroadcastItem.sha256)
            .join(Broadcast, Broadcast.id == BroadcastItem.broadcast_id)
            .where(Broadcast.status.not_in(FINAL))
        ).all()
    keep: set[Path] = set()
    for audio_key, request_key, sha256 in rows:
        if audio_key:
            keep.update(sound.cache_paths(audio_key, request_key, sha256))
    return keep
