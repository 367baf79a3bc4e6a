"""Putting a notice in the outbox: one notice per (village, day, kind) — the unique key makes evaluation
idempotent — and one delivery row per target, each due at once. The text is cleaned of control
characters here, before any channel sees it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.content.notices import Notice as NoticeText
from loa114.content.text import clean_text
from loa114.scheduler.campaign.compose import Target
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Delivery, Notice
from loa114.scheduler.db.rows import get_or_insert
from loa114.scheduler.events import NoticeQueued
from loa114.scheduler.store import Store

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"
COMMUNE = "toan-xa"  # the village id of commune-wide notices (the police's reports)
COMMUNE_NAME = "Toàn xã"


def recipient_names(config: Config) -> dict[str, str]:
    """The name a notice is addressed by, per village id (and the commune's own, for its reports)."""
    return {COMMUNE: COMMUNE_NAME, **{v.id: v.name for v in config.villages}}


@dataclass(frozen=True)
class NoticeDraft:
    """A notice as composed, before it is queued."""

    village_id: str
    day: date
    kind: str  # "reminder" | "escalation"
    reasons: tuple[str, ...]
    text: NoticeText
    targets: list[Target]
    attachments: tuple[str, ...] = ()  # paths of files sent with it


def queue_notice(store: Store, session: Session, draft: NoticeDraft, now: datetime) -> int | None:
    """Create the notice and its deliveries in `session`; None when this village already has one of this
    kind that day (queued earlier, or by another process a moment ago)."""
    query = select(Notice).where(
        Notice.village_id == draft.village_id, Notice.day == draft.day, Notice.kind == draft.kind
    )

    def new() -> Notice:
        return Notice(
            village_id=draft.village_id,
            day=draft.day,
            kind=draft.kind,
            reasons=list(draft.reasons),
            title=clean_text(draft.text.title),
            body=clean_text(draft.text.body),
            created_at=now,
            attachments=list(draft.attachments) or None,
        )

    notice, created = get_or_insert(session, query, new)
    if not created:
        return None
    for target in draft.targets:
        session.add(
            Delivery(
                notice_id=notice.id,
                target=target.target,
                recipient=target.recipient,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                updated_at=now,
            )
        )
    event = NoticeQueued(
        at=now,
        notice_id=notice.id,
        village=draft.village_id,
        day=draft.day,
        notice_kind=draft.kind,
        targets=len(draft.targets),
    )
    store.record(session, event)
    return notice.id


def mask(target: str) -> str:
    """An Apprise URL without its secrets, for logs, events and tables."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    return (
        f"{parts.scheme}://{parts.hostname or ''}/…"
        if (parts.password or parts.path.strip("/"))
        else f"{parts.scheme}://{parts.hostname or ''}"
    )
