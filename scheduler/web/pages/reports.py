"""`/reports` (police, admins): the period's report on screen, sections IV and V edited before signing,
and the files to download (DOCX to sign, XLSX for the province, JSON for other systems)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from loa114.content.dates import parse_date_text
from loa114.scheduler.accounts import Role
from loa114.scheduler.errors import InputError
from loa114.scheduler.reports.difficulties import gather, police_text, village_text
from loa114.scheduler.reports.figures import ReportFigures, compute
from loa114.scheduler.reports.notes import MAX_CHARS, Notes, notes_of, save_notes
from loa114.scheduler.reports.periods import KINDS, Period, period_of
from loa114.scheduler.reports.wording import SECTIONS, percent, village_status
from loa114.scheduler.web.auth import Police
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
page("/reports", "Báo cáo", Role.POLICE, Role.PROVINCE)  # province: read only

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
NAMES = {"week": "tuần", "month": "tháng", "campaign": "cả chiến dịch"}
ISSUED = re.compile(r"bao-cao-(week|month|campaign)-\d{4}-\d{2}-\d{2}\.(docx|xlsx|json)")


def issued_files(request: Request) -> list[str]:
    """The reports the service issued on schedule (newest first), as file names in `reports.dir`."""
    folder = WebContext.of(request).config.reports.dir
    names = [p.name for p in folder.glob("bao-cao-*.docx")] if folder.is_dir() else []
    return sorted((n for n in names if ISSUED.fullmatch(n)), key=lambda n: n.split("-", 3)[3], reverse=True)


def _period(request: Request, kind: str, day: str | None) -> Period:
    web = WebContext.of(request)
    if kind not in KINDS:
        raise InputError(f"kỳ báo cáo '{kind}' không có: chọn tuần, tháng hoặc cả chiến dịch")
    chosen: date | None = parse_date_text(day) if day else web.now().astimezone(web.config.tz).date()
    if chosen is None:
        raise InputError(f"ngày '{day}' không hợp lệ: ghi 31/12/2026 hoặc 2026-12-31")
    return period_of(kind, chosen, web.config)


def _figures(request: Request, period: Period) -> ReportFigures:
    web = WebContext.of(request)
    return compute(web.config, web.store, period, web.now())


@router.get("/reports", response_class=HTMLResponse)
def reports(
    request: Request, principal: Police, period: str = "month", day: str | None = None
) -> HTMLResponse:
    web = WebContext.of(request)
    chosen = _period(request, period, day)
    figures, notes = _figures(request, chosen), notes_of(web.store, chosen)
    # section IV starts from what the villages wrote until the police write their own
    written = bool(notes.difficulties.strip())
    difficulties = notes.difficulties if written else village_text(figures.difficulties)
    return render(
        request, "reports.html", principal, figures=figures, chosen=chosen, names=NAMES, sections=SECTIONS,
        notes=notes, percent=percent, village_status=village_status, max_chars=MAX_CHARS,
        difficulties=difficulties, from_villages=not written and bool(figures.difficulties),
        day=chosen.last.isoformat() if chosen.kind != "week" else (day or chosen.first.isoformat()),
        issued=issued_files(request),
    )  # fmt: skip


@router.post("/reports/notes")
def edit_notes(
    request: Request,
    principal: Police,
    period: Annotated[str, Form(max_length=16)],
    day: Annotated[str, Form(max_length=10)],
    # section IV may start as the villages' lines, which can be longer than what the police type themselves
    difficulties: Annotated[str, Form(max_length=4 * MAX_CHARS)] = "",
    proposals: Annotated[str, Form(max_length=MAX_CHARS)] = "",
) -> Response:
    web = WebContext.of(request)
    chosen = _period(request, period, day)
    with web.store.session() as session:
        own = police_text(difficulties, gather(web.config, session, chosen))
    save_notes(web.store, chosen, Notes(own, proposals), web.now(), actor=principal.name)
    flash(request, "Đã lưu mục IV và V; các tệp tải về từ giờ có nội dung này.")
    return RedirectResponse(f"/reports?period={chosen.kind}&day={quote(day)}", status_code=303)


@router.get("/reports/download/{fmt}")
def download(
    request: Request, principal: Police, fmt: str, period: str = "month", day: str | None = None
) -> Response:
    if fmt not in MEDIA:
        raise InputError(f"định dạng '{fmt}' không có: chọn docx, xlsx hoặc json")
    web = WebContext.of(request)
    chosen = _period(request, period, day)
    figures, notes = _figures(request, chosen), notes_of(web.store, chosen)
    data = _render(fmt, figures, notes, web)
    filename = f"bao-cao-{chosen.kind}-{chosen.first.isoformat()}.{fmt}"
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/reports/issued/{name}")
def issued(request: Request, principal: Police, name: str) -> Response:
    """A report issued on schedule; only names of that exact form, only from `reports.dir`."""
    match = ISSUED.fullmatch(name)
    path = WebContext.of(request).config.reports.dir / name
    if match is None or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=MEDIA[match.group(2)], filename=name)


def _render(fmt: str, figures: ReportFigures, notes: Notes, web: WebContext) -> bytes:
    if fmt == "json":
        from loa114.scheduler.reports.writers import to_json

        data: dict[str, Any] = to_json(figures, notes.difficulties, notes.proposals)
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "xlsx":
        from loa114.scheduler.reports.xlsx import to_xlsx

        return to_xlsx(figures, notes.difficulties, notes.proposals)
    from loa114.scheduler.reports.docx import to_docx
    from loa114.scheduler.reports.heading import heading_of

    return to_docx(figures, heading_of(web.config), notes.difficulties, notes.proposals)
