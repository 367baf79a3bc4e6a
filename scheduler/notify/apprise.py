"""Delivery through Apprise: one Apprise URL per target (mailto://, tgram://, json://, …).

Apprise reports failures only through its logger, so each send captures that logger
(``apprise.LogCapture``) and puts what it said into the ``DeliveryError``: the clerk looking at a failed
row sees "error=500" or "connection refused", not just "failed". URLs carry passwords and bot tokens,
so every text that leaves this module (error messages, log lines, the returned detail) is masked: the
URL is shown as Apprise's own privacy form, and any part of the raw URL that Apprise hides there is
replaced by ``****`` wherever it appears in captured text.

The capture attaches a handler to the shared ``apprise`` logger for the duration of one send, so sends
are meant to run one at a time (as the outbox does); concurrent sends could see each other's lines.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

import apprise

from loa114.scheduler.notify.base import DeliveryError, Message, Notifier

logger = logging.getLogger(__name__)

MASK = "****"
_SEPARATORS = re.compile(r"[/:@?&=#,;+\s]+")
_MIN_SECRET = 3  # shorter URL pieces are not masked inside log text: they would mangle ordinary words
_MAX_DETAIL = 1000


class AppriseNotifier(Notifier):
    """Sends one notice to one Apprise URL with a fresh ``Apprise`` object (nothing is shared)."""

    name = "apprise"

    def __init__(self, *, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s

    def send(self, target: str, message: Message) -> str | None:
        asset = apprise.AppriseAsset(app_id="Loa 114", app_desc="Loa 114 – thông báo chiến dịch Báo cháy 114")
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            plugin = apprise.Apprise.instantiate(target, asset=asset)
        masker = _Masker(target, plugin)
        if plugin is None:
            reason = (
                masker.clean(captured.getvalue()) or "địa chỉ không đúng dạng hoặc dịch vụ không được hỗ trợ"
            )
            raise DeliveryError(
                masker.display,
                f"Apprise không dùng được địa chỉ nhận thông báo (kiểm tra mục notify trong cấu hình): {reason}",
                permanent=True,
            )
        sender = apprise.Apprise(asset=asset)
        sender.add(plugin)
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
            try:
                result = sender.notify(
                    body=message.body,
                    title=message.title,
                    body_format=apprise.NotifyFormat.TEXT,
                    timeout=self.timeout_s,
                    attach=[str(p) for p in message.attachments] or None,
                )
            except Exception as exc:  # a plugin bug must become a row on the outbox, not a crash of the loop
                raise DeliveryError(
                    masker.display, f"lỗi trong Apprise: {type(exc).__name__}: {masker.clean(str(exc))}"
                ) from None
            delivered = bool(result)
            status = getattr(getattr(result, "status", None), "name", "")
            close = getattr(result, "close", None)
            if callable(close):
                close()
        if not delivered:
            reason = masker.clean(captured.getvalue())
            if status == "TIMEOUT":
                reason = f"quá thời gian chờ {self.timeout_s:g} giây" + (f"; {reason}" if reason else "")
            logger.debug("notice %s not delivered via %s: %s", message.notice_id, masker.display, reason)
            raise DeliveryError(
                masker.display, f"gửi không thành công: {reason or 'Apprise không cho biết lý do'}"
            )
        logger.info("notice %s delivered via %s", message.notice_id, masker.display)
        return f"sent via {masker.display}"


class _Masker:
    """Turns a raw Apprise URL and text mentioning it into something safe to store and show."""

    def __init__(self, url: str, plugin: apprise.NotifyBase | None) -> None:
        self.url = url
        private = str(plugin.url(privacy=True)) if plugin is not None else ""
        schema, sep, rest = url.partition("://")
        if private:
            self.display = private.split("?", 1)[0]
        elif sep and schema.isalnum():
            self.display = f"{schema}://…"
        else:
            self.display = "(địa chỉ không hợp lệ)"
        public = set(_pieces(private)) | {schema}
        found = {p for p in _pieces(rest if sep else url) if len(p) >= _MIN_SECRET and p not in public}
        found |= {unquote(p) for p in found}
        self.secrets = sorted(found, key=len, reverse=True)

    def clean(self, text: str) -> str:
        """One line: the raw URL replaced by its display form and every hidden piece masked."""
        text = text.replace(self.url, self.display)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        joined = "; ".join(dict.fromkeys(lines))
        return joined if len(joined) <= _MAX_DETAIL else joined[: _MAX_DETAIL - 1] + "…"


def _pieces(url: str) -> list[str]:
    return [piece for piece in _SEPARATORS.split(url) if piece]
