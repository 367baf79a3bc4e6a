"""Why a broadcast did not air as planned: a machine code on the row, and the sentence an operator reads;
and the Vietnamese word for each broadcast state (the command line's tables and the web pages share it).

The code goes into `broadcasts.reason`, the `--json` listings and events; the sentence into `error`, the
manifest and the human tables, so the commune chairman can be told what happened to every slot.
"""

from __future__ import annotations

SERVICE_DOWN = "service_down"
NOT_READY = "not_ready"
RENDER_FAILED = "render_failed"
NOT_AIRED = "not_aired"
PLAYOUT_FAILED = "playout_failed"
INTERRUPTED = "interrupted"
CANCELLED = "cancelled"  # a person cancelled it (the reason they gave is in `error`)
NOT_HEARD = "not_heard"  # an operator (or the IP radio platform) reported it did not play

SENTENCES = {
    SERVICE_DOWN: "dịch vụ không chạy lúc đến giờ phát",
    NOT_READY: "chương trình chưa dựng xong lúc đến giờ phát",
    RENDER_FAILED: "không dựng được chương trình",
    NOT_AIRED: "dịch vụ đang chạy nhưng không phát kịp trong thời gian cho phép",
    PLAYOUT_FAILED: "thiết bị phát báo lỗi",
    INTERRUPTED: "dịch vụ dừng đột ngột khi đang phát; không rõ chương trình đã phát hết chưa",
    CANCELLED: "đã hủy",
    NOT_HEARD: "người trực báo không phát được",
}

STATUS_WORDS = {
    "planned": "chờ dựng",
    "ready": "sẵn sàng",
    "airing": "đang phát",
    "published": "đã đến giờ phát, chờ xác nhận",
    "aired": "đã phát",
    "missed": "bị lỡ",
    "failed": "lỗi",
    "cancelled": "đã hủy",
    "overdue": "quá giờ, chưa phát",
}


def sentence(code: str, detail: str | None = None) -> str:
    """The operator's sentence for `code`, with the stored detail (e.g. the build error) after a colon."""
    text = SENTENCES.get(code, code)
    return f"{text}: {detail}" if detail else text


def status_word(status: str) -> str:
    """The Vietnamese word for a broadcast state (JSON keeps the English value)."""
    return STATUS_WORDS.get(status, status)
