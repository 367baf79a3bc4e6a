"""Why a broadcast did not air as planned: a machine code on the row, and the sentence an operator reads.

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

SENTENCES = {
    SERVICE_DOWN: "dịch vụ không chạy lúc đến giờ phát",
    NOT_READY: "chương trình chưa dựng xong lúc đến giờ phát",
    RENDER_FAILED: "không dựng được chương trình",
    NOT_AIRED: "dịch vụ đang chạy nhưng không phát kịp trong thời gian cho phép",
    PLAYOUT_FAILED: "thiết bị phát báo lỗi",
    INTERRUPTED: "dịch vụ dừng đột ngột khi đang phát; không rõ chương trình đã phát hết chưa",
}


def sentence(code: str, detail: str | None = None) -> str:
    """The operator's sentence for `code`, with the stored detail (e.g. the build error) after a colon."""
    text = SENTENCES.get(code, code)
    return f"{text}: {detail}" if detail else text
