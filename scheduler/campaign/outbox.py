"""The durable outbox: notices and their deliveries are database rows; the row is the queue.

- A worker claims a due delivery by pushing its `next_attempt_at` forward by a lease in one conditional
  UPDATE; only the process whose update hit the row sends it. A crash mid-send leaves the row pending with
  the lease as its next attempt: it is retried after the lease, never lost. (The one window for a duplicate
  is a crash after the remote accepted and before the row is marked sent — milliseconds; the file channel
  rewrites the same files, so it is idempotent.)
- Whatever a channel raises is a failed attempt with its error kept: retried with exponential backoff
  (`reminders.retry_backoff` × 2^n), `failed` after `reminders.max_attempts` or at once for a permanent
  error. Quiet hours (`reminders.quiet_hours`, commune time) defer delivery.
- Just before sending, the village is evaluated again: a notice whose village caught up is `cancelled`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from loa114.content.text import clean_text
from loa114.scheduler.campaign.queue import CANCELLED, FAILED, PENDING, SENT, mask, recipient_names
from loa114.scheduler.campaign.rules import evaluate
from loa114.scheduler.campaign.store import latest_as_of
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Delivery, Notice
from loa114.scheduler.db.rows import update_rows
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import NoticeCancelled, NoticeDelivered, NoticeFailed, NoticeRetried
from loa114.scheduler.notify import Message, Notifier, notifier_for
from loa114.scheduler.notify.base import DeliveryError
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)
NotifierFactory = Callable[[str, Path], Notifier]


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    notice_id: int
    target: str
    status: str
    error: str | None = None


@dataclass(frozen=True)
class _Attempt:
    """One claimed delivery attempt: whose, where to, which attempt (1-based), and what it says."""

    delivery_id: int
    target: str
    number: int
    message: Message


class Outbox:
    def __init__(self, config: Config, store: Store, *, notifiers: NotifierFactory = notifier_for) -> None:
        self.config = config
        self.store = store
        self.notifiers = notifiers

    def in_quiet_hours(self, now: datetime) -> bool:
        return self.config.reminders.is_quiet(now.astimezone(self.config.tz).time())

    def deliver_due(self, now: datetime) -> list[DeliveryResult]:
        """Send every due delivery, unless it is quiet hours in the commune; cancel those whose village
        no longer lags (kept and shown; not counted towards an escalation)."""
        with self.store.session() as session:
            due = session.execute(
                select(Delivery.id, Notice.id, Notice.village_id)
                .join(Notice, Notice.id == Delivery.notice_id)
                .where(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
                .order_by(Delivery.id)
            ).all()
        if due and self.in_quiet_hours(now):
            local = now.astimezone(self.config.tz).isoformat(timespec="minutes")
            log.info("reminders deferred: quiet hours due=%d now=%s", len(due), local)
            return []
        lagging = self._still_lagging({village for _, _, village in due}, now)
        results: list[DeliveryResult] = []
        for notice_id in sorted({n for _, n, village in due if not lagging.get(village, True)}):
            results += self.cancel(notice_id, now)
        for delivery_id, _, village in due:
            if lagging.get(village, True):
                result = self._deliver_one(delivery_id, now)
                if result is not None:
                    results.append(result)
        return results

    def _still_lagging(self, villages: set[str], now: datetime) -> dict[str, bool]:
        """Each village's lagging verdict as of now, from its latest report."""
        if not villages:
            return {}
        day = now.astimezone(self.config.tz).date()
        with self.store.session() as session:
            latest = latest_as_of(session, day)
        campaign = self.config.campaign
        return {
            v.id: evaluate(v, latest.get(v.id), campaign, day).lagging
            for v in self.config.villages
            if v.id in villages
        }

    def cancel(self, notice_id: int, now: datetime) -> list[DeliveryResult]:
        """The village caught up before the notice went out: its pending deliveries become `cancelled`."""
        with self.store.session() as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                return []
            pending = [d for d in notice.deliveries if d.status == PENDING]
            for delivery in pending:
                delivery.status, delivery.updated_at = CANCELLED, now
            if notice.cancelled_at is None:
                notice.cancelled_at = now
                event = NoticeCancelled(
                    at=now, notice_id=notice.id, village=notice.village_id, day=notice.day
                )
                self.store.record(session, event)
            return [DeliveryResult(d.id, notice.id, mask(d.target), CANCELLED) for d in pending]

    def _deliver_one(self, delivery_id: int, now: datetime) -> DeliveryResult | None:
        """Claim one delivery with a lease, send it, record the outcome."""
        attempt = self._claim(delivery_id, now)
        if attempt is None:
            return None
        target, message = attempt.target, attempt.message
        error: DeliveryError | None = None
        try:
            self.notifiers(target, self.config.notices.dir).send(target, message)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a channel's bug or an input it chokes on: a failed attempt, kept
            log.exception("delivery crashed notice=%s target=%s", message.notice_id, mask(target))
            error = DeliveryError(mask(target), f"lỗi không lường trước khi gửi: {type(exc).__name__}: {exc}")
        return self._record_attempt(attempt, error, now)

    def _claim(self, delivery_id: int, now: datetime) -> _Attempt | None:
        """Push the delivery's next attempt one lease ahead (only one process gets it); read its message."""
        with self.store.session() as session:
            claimed = update_rows(
                session,
                update(Delivery)
                .where(
                    Delivery.id == delivery_id, Delivery.status == PENDING, Delivery.next_attempt_at <= now
                )
                .values(next_attempt_at=now + LEASE, updated_at=now),
            )
            if not claimed:
                return None
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None  # the row we just claimed
            notice = delivery.notice
            names = recipient_names(self.config)
            message = Message(
                notice_id=notice.id,
                kind=notice.kind,
                village_id=notice.village_id,
                village_name=names.get(notice.village_id, notice.village_id),
                day=notice.day,
                title=clean_text(notice.title),
                body=clean_text(notice.body),
                attachments=tuple(Path(p) for p in notice.attachments or ()),
            )
            return _Attempt(delivery_id, delivery.target, delivery.attempts + 1, message)

    def _record_attempt(
        self, attempt: _Attempt, error: DeliveryError | None, now: datetime
    ) -> DeliveryResult:
        settings = self.config.reminders
        delivery_id, target, attempts, message = (
            attempt.delivery_id,
            attempt.target,
            attempt.number,
            attempt.message,
        )
        values: dict[str, object]
        event: NoticeDelivered | NoticeFailed
        if error is None:
            status = SENT
            values = {"status": SENT, "attempts": attempts, "sent_at": now, "last_error": None}
            event = NoticeDelivered(
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
        with self.store.session() as session:
            session.execute(
                update(Delivery).where(Delivery.id == delivery_id).values(updated_at=now, **values)
            )
            self.store.record(session, event)
        return DeliveryResult(
            delivery_id, message.notice_id, mask(target), status, None if error is None else error.message
        )

    def retry(self, notice_id: int, now: datetime, *, actor: str | None = None) -> int:
        """`loa reminders retry ID` and the web's "Gửi lại": the failed deliveries of a notice become due
        now; a retry that reset something is audited with `actor` (None: the command line)."""
        with self.store.session() as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                raise InputError(f"không có thông báo số {notice_id}")
            count = update_rows(
                session,
                update(Delivery)
                .where(Delivery.notice_id == notice_id, Delivery.status == FAILED)
                .values(status=PENDING, attempts=0, next_attempt_at=now, updated_at=now),
            )
            if count:
                event = NoticeRetried(
                    at=now, notice_id=notice_id, village=notice.village_id, day=notice.day, deliveries=count
                )
                self.store.record(session, event, actor=actor)
            return count
