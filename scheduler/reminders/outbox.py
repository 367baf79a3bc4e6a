"""The durable outbox: notices and their deliveries are database rows; the row is the queue.

- One notice per (village, day, kind) — the unique constraint makes evaluation idempotent.
- One delivery per (notice, target). A worker claims a due delivery by pushing its `next_attempt_at`
  forward by a lease in one conditional UPDATE; only the process whose update hit the row sends it. A crash
  mid-send leaves the row pending with the lease as its next attempt: it is retried after the lease, never
  lost. (The one window for a duplicate is a crash after the remote accepted and before the row is marked
  sent — milliseconds; the file channel rewrites the same files, so it is idempotent.)
- Quiet hours (`reminders.quiet_hours`, commune time) defer delivery; failures retry with exponential
  backoff (`reminders.retry_backoff` × 2^n) and become `failed` after `reminders.max_attempts` or at once
  for a permanent error, the error kept on the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.notices import Notice as NoticeText
from scheduler.app import App
from scheduler.db.models import Delivery, Notice
from scheduler.errors import InputError
from scheduler.events import NoticeDelivered, NoticeFailed, NoticeQueued
from scheduler.notify import Message, Notifier, notifier_for
from scheduler.notify.base import DeliveryError
from scheduler.reminders.compose import Target

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
PENDING, SENT, FAILED = "pending", "sent", "failed"
NotifierFactory = Callable[[str, Path], Notifier]


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


def queue_notice(
    app: App,
    session: Session,
    *,
    village_id: str,
    day: date,
    kind: str,
    reasons: tuple[str, ...],
    text: NoticeText,
    targets: list[Target],
    now: datetime,
) -> int | None:
    """Create the notice and its deliveries; None when this village already has one of this kind that day."""
    exists = select(Notice.id).where(Notice.village_id == village_id, Notice.day == day, Notice.kind == kind)
    if session.scalar(exists) is not None:
        return None
    try:
        with session.begin_nested():
            notice = Notice(
                village_id=village_id,
                day=day,
                kind=kind,
                reasons=list(reasons),
                title=text.title,
                body=text.body,
                created_at=now,
            )
            session.add(notice)
            session.flush()
            for target in targets:
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
    except IntegrityError:
        return None  # another process queued it first
    app.events.record(
        session,
        NoticeQueued(
            at=now, notice_id=notice.id, village=village_id, day=day, notice_kind=kind, targets=len(targets)
        ),
    )
    return notice.id


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    notice_id: int
    target: str
    status: str
    error: str | None = None


def in_quiet_hours(app: App, now: datetime) -> bool:
    return app.config.reminders.is_quiet(now.astimezone(app.config.tz).time())


def deliver_due(
    app: App, now: datetime, *, notifiers: NotifierFactory = notifier_for
) -> list[DeliveryResult]:
    """Send every due delivery, unless it is quiet hours in the commune."""
    with app.db.session() as session:
        due = session.scalars(
            select(Delivery.id)
            .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
            .order_by(Delivery.id)
        ).all()
    if due and in_quiet_hours(app, now):
        log.info(
            "reminders deferred: quiet hours due=%d now=%s",
            len(due),
            now.astimezone(app.config.tz).isoformat(timespec="minutes"),
        )
        return []
    return [
        r for r in (_deliver_one(app, delivery_id, now, notifiers) for delivery_id in due) if r is not None
    ]


def _deliver_one(
    app: App, delivery_id: int, now: datetime, notifiers: NotifierFactory
) -> DeliveryResult | None:
    with app.db.session() as session:
        claimed = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == PENDING, Delivery.next_attempt_at <= now)
            .values(next_attempt_at=now + LEASE, updated_at=now)
        ).rowcount
        if not claimed:
            return None
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        notice = delivery.notice
        village = next((v.name for v in app.config.villages if v.id == notice.village_id), notice.village_id)
        message = Message(
            notice_id=notice.id,
            kind=notice.kind,
            village_id=notice.village_id,
            village_name=village,
            day=notice.day,
            title=notice.title,
            body=notice.body,
        )
        target, attempts = delivery.target, delivery.attempts + 1
    error: DeliveryError | None = None
    try:
        notifiers(target, app.config.notices.dir).send(target, message)
    except DeliveryError as exc:
        error = exc
    settings = app.config.reminders
    with app.db.session() as session:
        if error is None:
            values: dict[str, object] = {
                "status": SENT,
                "attempts": attempts,
                "sent_at": now,
                "last_error": None,
            }
            app.events.record(
                session,
                NoticeDelivered(at=now, notice_id=message.notice_id, target=mask(target), attempts=attempts),
            )
            status = SENT
        else:
            final = error.permanent or attempts >= settings.max_attempts
            status = FAILED if final else PENDING
            backoff = settings.retry_backoff * (2 ** (attempts - 1))
            values = {
                "status": status,
                "attempts": attempts,
                "last_error": error.message,
                "next_attempt_at": now + backoff,
            }
            app.events.record(
                session,
                NoticeFailed(
                    at=now,
                    notice_id=message.notice_id,
                    target=mask(target),
                    attempts=attempts,
                    error=error.message,
                    final=final,
                ),
            )
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(updated_at=now, **values))
    return DeliveryResult(
        delivery_id, message.notice_id, mask(target), status, None if error is None else error.message
    )


def retry(app: App, notice_id: int, now: datetime) -> int:
    """`loa reminders retry ID`: the failed deliveries of a notice become due now (one in flight is left alone)."""
    with app.db.session() as session:
        if session.get(Notice, notice_id) is None:
            raise InputError(f"không có thông báo số {notice_id}")
        return session.execute(
            update(Delivery)
            .where(Delivery.notice_id == notice_id, Delivery.status == FAILED)
            .values(status=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
        ).rowcount
