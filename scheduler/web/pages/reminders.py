"""`/reminders` "Nhắc nhở": the outbox of reminder and escalation notices with their delivery status,
"Gửi lại" for failed deliveries, and the printable notices the file channel wrote (police and admins).

The files are served only from `notices.dir`: the day and the file name are checked against the exact
shape the file channel writes, and the resolved path must still lie inside that folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from loa114.scheduler.accounts import Role
from loa114.scheduler.campaign.listing import notices_on, printable_files
from loa114.scheduler.campaign.rules import REASON_WORDS
from loa114.scheduler.web.auth import Police
from loa114.scheduler.web.campaign import day_param
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
page("/reminders", "Nhắc nhở", Role.POLICE, Role.PROVINCE)  # province: read only

STATUS_WORDS = {
    "pending": ("đang chờ gửi", "warn"),
    "sent": ("đã gửi", "ok"),
    "failed": ("gửi lỗi", "bad"),
    "cancelled": ("đã hủy (thôn đã bắt kịp)", ""),
}
KIND_WORDS = {"reminder": "Nhắc nhở", "escalation": "Báo cáo vượt cấp"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(docx|txt)")
MEDIA = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain; charset=utf-8",
}


@router.get("/reminders", response_class=HTMLResponse)
def reminders(
    request: Request, principal: Police, date: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    web = WebContext.of(request)
    day = day_param(web, date) if date else None
    rows = notices_on(web.config, web.store.db, day)
    rows.reverse()  # newest first: what a person looks for
    return render(
        request,
        "reminders.html",
        principal,
        rows=rows,
        files=printable_files(web.config, rows),
        day=day,
        status_words=STATUS_WORDS,
        kind_words=KIND_WORDS,
        reason_words=REASON_WORDS,
    )


@router.post("/reminders/{notice_id}/retry")
def retry(request: Request, principal: Police, notice_id: int) -> Response:
    """`loa reminders retry`: the notice's failed deliveries go out at the next delivery round."""
    web = WebContext.of(request)
    count = web.station.app.outbox.retry(notice_id, web.now(), actor=principal.name)
    if count:
        flash(
            request,
            f"Thông báo số {notice_id}: {count} lượt gửi lỗi sẽ được gửi lại ngay lượt tới.",
        )
    else:
        flash(
            request,
            f"Thông báo số {notice_id} không có lượt gửi nào bị lỗi: không cần gửi lại.",
            kind="warning",
        )
    return RedirectResponse("/reminders", status_code=303)


@router.get("/reminders/files/{day}/{name}")
def notice_file(request: Request, principal: Police, day: str, name: str) -> Response:
    """A notice's .docx or .txt as the file channel wrote it; anything else is 404."""
    folder = WebContext.of(request).config.notices.dir.resolve()
    if not _DAY.fullmatch(day) or not _FILE.fullmatch(name):
        raise HTTPException(404)
    path = (folder / day / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=MEDIA[Path(name).suffix], filename=name)
