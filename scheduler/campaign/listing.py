"""Read-only view of the outbox for `loa reminders list` and the web's "Nhắc nhở" (stable JSON shape),
the Vietnamese word for each notice state, and the printable files the file channel wrote for each notice."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loa114.scheduler.campaign.queue import CANCELLED, FAILED, PENDING, SENT, mask, recipient_names
from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Notice
from loa114.scheduler.notify.file import relative_paths

NOTICE_WORDS = {
    PENDING: "chờ gửi",
    SENT: "đã gửi",
    FAILED: "lỗi",
    CANCELLED: "đã hủy (thôn đã bắt kịp)",
}


def notice_word(status: str) -> str:
    """The Vietnamese word for a notice state (JSON keeps the English value)."""
    return NOTICE_WORDS.get(status, status)


def notice_status(statuses: list[str]) -> str:
    """cancelled when none went out before the village caught up; sent when every delivery still
    wanted is sent; failed when one failed for good; else pending."""
    if statuses and all(s == CANCELLED for s in statuses):
        return CANCELLED
    wanted = [s for s in statuses if s != CANCELLED]
    if wanted and all(s == SENT for s in wanted):
        return SENT
    if FAILED in statuses:
        return FAILED
    return PENDING


def notices_on(
    config: Config, db: Database, day: date | None, *, since: date | None = None
) -> list[dict[str, Any]]:
    """The notices of `day` (all when None; or of the days from `since`) with their deliveries, for
    `loa reminders list` and the web."""
    query = (
        select(Notice)
        .options(selectinload(Notice.deliveries))
        .order_by(Notice.day, Notice.village_id, Notice.kind)
    )
    if day is not None:
        query = query.where(Notice.day == day)
    if since is not None:
        query = query.where(Notice.day >= since)
    names = recipient_names(config)
    with db.session() as session:
        notices = session.scalars(query).all()
        rows = []
        for notice in notices:
            deliveries = notice.deliveries
            errors = [d.last_error for d in deliveries if d.last_error]
            rows.append(
                {
                    "id": notice.id,
                    "village": notice.village_id,
                    "village_name": names.get(notice.village_id, notice.village_id),
                    "date": notice.day.isoformat(),
                    "kind": notice.kind,
                    "reasons": list(notice.reasons),
                    "status": notice_status([d.status for d in deliveries]),
                    "attempts": sum(d.attempts for d in deliveries),
                    "last_error": errors[-1] if errors else None,
                    "title": notice.title,
                    "cancelled_at": notice.cancelled_at.isoformat() if notice.cancelled_at else None,
                    "deliveries": [
                        {
                            "target": mask(d.target),
                            "recipient": d.recipient,
                            "status": d.status,
                            "attempts": d.attempts,
                            "last_error": d.last_error,
                        }
                        for d in deliveries
                    ],
                }
            )
        return rows


def printable_files(config: Config, notices: list[dict[str, Any]]) -> dict[int, list[PurePosixPath]]:
    """For each listed notice (`notices_on` rows), its .docx/.txt files that exist in `notices.dir`,
    relative to it: what the office prints for a village head without a smartphone."""
    found: dict[int, list[PurePosixPath]] = {}
    for row in notices:
        paths = relative_paths(date.fromisoformat(row["date"]), row["village"], row["kind"], row["id"])
        found[row["id"]] = [p for p in paths if (config.notices.dir / p).is_file()]
    return found
