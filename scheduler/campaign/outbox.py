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
from content.text import clean_text
from scheduler.campaign.compose import Target
from scheduler.campaign.rules import evaluate
from scheduler.campaign.store import latest_as_of
from scheduler.db.models import Delivery, Notice
from scheduler.errors import InputError
from scheduler.events import NoticeCancelled, NoticeDelivered, NoticeFailed, NoticeQueued
from scheduler.notify import Message, Notifier, notifier_for
from scheduler.notify.base import DeliveryError
from scheduler.service.app import App

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"
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
                title=clean_text(text.title),
                body=clean_text(text.body),
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
    """Send every due delivery, unless it is quiet hours in the commune. A notice whose village no longer
    lags is cancelled instead of sent (kept and shown; not counted towards an escalation)."""
    with app.db.session() as session:
        due = session.execute(
            select(Delivery.id, Notice.id, Notice.village_id)
            .join(Notice, Notice.id == Delivery.notice_id)
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
    lagging = _still_lagging(app, {village for _, _, village in due}, now)
    results: list[DeliveryResult] = []
    for notice_id in sorted({n for _, n, village in due if not lagging.get(village, True)}):
        results += cancel_notice(app, notice_id, now)
    for delivery_id, _, village in due:
        if lagging.get(village, True):
            result = _deliver_one(app, delivery_id, now, notifiers)
            if result is not None:
                results.append(result)
    return results


def _still_lagging(app: App, villages: set[str], now: datetime) -> dict[str, bool]:
    """Each village's lagging verdict as of now, from its latest report (a notice is re-checked
    just before it goes out: a village that caught up since it was queued is not reminded)."""
    if not villages:
        return {}
    day = now.astimezone(app.config.tz).date()
    with app.db.session() as session:
        latest = latest_as_of(session, day)
    return {
        v.id: evaluate(v, latest.get(v.id), app.config.campaign, day).lagging
        for v in app.config.villages
        if v.id in villages
    }


def cancel_notice(app: App, notice_id: int, now: datetime) -> list[DeliveryResult]:
    """The village caught up before the notice went out: its pending deliveries become `cancelled`."""
    with app.db.session() as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            return []
        pending = [d for d in notice.deliveries if d.status == PENDING]
        for delivery in pending:
            delivery.status, delivery.updated_at = CANCELLED, now
        if notice.cancelled_at is None:
            notice.cancelled_at = now
            app.events.record(
                session,
                NoticeCancelled(at=now, notice_id=notice.id, village=notice.village_id, day=notice.day),
            )
        return [DeliveryResult(d.id, notice.id, mask(d.target), CANCELLED) for d in pending]


def _deliver_one(
    app: App, delivery_id: int, now: datetime, notifiers: NotifierFactory
) -> DeliveryResult | None:
    """Claim one delivery with a lease, send it, record the outcome. Whatever the channel raises is a
    failed attempt with its error kept — never a row left pending forever, never an aborted loop."""
    claimed = _claim(app, delivery_id, now)
    if claimed is None:
        return None
    target, attempts, message = claimed
    error: DeliveryError | None = None
    try:
        notifiers(target, app.config.notices.dir).send(target, message)
    except DeliveryError as exc:
        error = exc
    except Exception as exc:  # a channel's bug or an input it chokes on: a failed attempt, kept
        log.exception("delivery crashed notice=%s target=%s", message.notice_id, mask(target))
        error = DeliveryError(mask(target), f"lỗi không lường trước khi gửi: {type(exc).__name__}: {exc}")
    return _record_attempt(app, delivery_id, target, attempts, message, error, now)


def _claim(app: App, delivery_id: int, now: datetime) -> tuple[str, int, Message] | None:
    """Push the delivery's next attempt one lease ahead (only one process gets it) and read its message."""
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
            title=clean_text(notice.title),
            body=clean_text(notice.body),
        )
        return delivery.target, delivery.attempts + 1, message


def _record_attempt(
    app: App,
    delivery_id: int,
    target: str,
    attempts: int,
    message: Message,
    error: DeliveryError | None,
    now: datetime,
) -> DeliveryResult:
    settings = app.config.reminders
    with app.db.session() as session:
        if error is None:
            status = SENT
            values: dict[str, object] = {
                "status": SENT,
                "attempts": attempts,
                "sent_at": now,
                "last_error": None,
            }
            event: NoticeDelivered | NoticeFailed = NoticeDelivered(
                at=now, notice_id=message.notice_id, target=mask(target), attempts=attempts
            )
        else:
            final = error.permanent or attempts >= settings.max_attempts
            status = FAILED if final else PENDING
            values = {
                "status": status,
                "attempts": attempts,
                "last_error": error.message,
                "next_attempt_at": now + settings.retry_backoff * (2 ** (attempts - 1)),
            }
            event = NoticeFailed(
                at=now,
                notice_id=message.notice_id,
                target=mask(target),
                attempts=attempts,
                error=error.message,
                final=final,
            )
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(updated_at=now, **values))
        app.events.record(session, event)
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
