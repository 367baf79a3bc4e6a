"""The audit log as people read it: who did what, when — newest first, with the event named in Vietnamese."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from sqlalchemy import select

from loa114.scheduler.db.models import Event
from loa114.scheduler.store import Store

KIND_WORDS = {
    "BroadcastReady": "chương trình đã dựng xong",
    "BroadcastAired": "đã phát",
    "BroadcastPublished": "đã đưa ra thư mục phát",
    "BroadcastRequeued": "phát lại sau khi dịch vụ dừng",
    "BroadcastMissed": "bị lỡ",
    "BroadcastFailed": "phát lỗi",
    "BuildFailed": "dựng chương trình bị lỗi",
    "ScriptInvalid": "kịch bản có lỗi",
    "ItemSkipped": "bỏ một bài",
    "AlertIssued": "phát thông báo khẩn",
    "CoverageReported": "nhập số liệu của thôn",
    "ReportReplaced": "sửa số liệu của thôn",
    "VillageLagging": "thôn bị chậm",
    "VillageRecovered": "thôn đã theo kịp",
    "NoticeQueued": "tạo thông báo nhắc",
    "NoticeDelivered": "đã gửi thông báo",
    "NoticeFailed": "gửi thông báo lỗi",
    "NoticeCancelled": "hủy thông báo (thôn đã theo kịp)",
    "UserAdded": "thêm người dùng",
    "UserChanged": "thay đổi tài khoản",
    "SignInFailed": "đăng nhập sai",
    "TokenCreated": "tạo mã truy cập",
    "TokenRevoked": "thu hồi mã truy cập",
}


def recent_events(
    store: Store, *, limit: int = 200, actor: str | None = None, people_only: bool = False
) -> list[dict[str, Any]]:
    """The newest events; `actor` keeps one person's, `people_only` those a person (not the service) caused."""
    query = select(Event).order_by(Event.at.desc(), Event.id.desc()).limit(limit)
    if actor:
        query = query.where(Event.actor == actor)
    elif people_only:
        query = query.where(Event.actor.is_not(None))
    with store.session() as session:
        return [
            {
                "at": event.at,
                "kind": event.kind,
                "what": KIND_WORDS.get(event.kind, event.kind),
                "actor": event.actor,
                "details": _details(event.payload),
            }
            for event in session.scalars(query)
        ]


def _details(payload: dict[str, object]) -> str:
    """A compact `key: value` line of what the event carries (dates as the commune writes them)."""
    parts = []
    for key, value in payload.items():
        if value in (None, "", [], ()):
            continue
        if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
            with suppress(ValueError):  # not a date after all: shown as written
                value = datetime.fromisoformat(value).strftime(
                    "%d/%m/%Y %H:%M" if "T" in value else "%d/%m/%Y"
                )
        parts.append(f"{key}: {value}")
    return "; ".join(parts)
