"""`/coverage` "Độ phủ": each village's coverage against the plan, its progress over time, the import of
report files and the blank form.

The commune police, the office (read-only) and admins see every village and the commune's totals; a
village head sees only their own village's row and chart. Importing is for the police and admins: the
file goes through `loa coverage import`'s own code, whole or not at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.content.context import VillageCoverage
from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.campaign.form import write_template
from loa114.scheduler.campaign.importing import ImportRejected, Origin
from loa114.scheduler.campaign.trajectory import trajectories
from loa114.scheduler.errors import InputError
from loa114.scheduler.web.auth import Police, require
from loa114.scheduler.web.campaign import (
    coverage_view,
    day_param,
    problem_text,
    saved_upload,
    today,
    upload_name,
)
from loa114.scheduler.web.charts import bar, percent, village_chart
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import flash, render, render_kept

router = APIRouter(include_in_schema=False)
page("/coverage", "Độ phủ", Role.POLICE, Role.OFFICE, Role.VILLAGE_HEAD, Role.PROVINCE)  # province: read only

Viewer = Annotated[Principal, Depends(require(Role.POLICE, Role.OFFICE, Role.VILLAGE_HEAD))]
Staff = Annotated[Principal, Depends(require(Role.POLICE, Role.OFFICE))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHARTS = 12  # progress charts on one page: a province-sized commune lists its table, not 1,000 charts
ROWS = 100  # villages per page of the table


def _charted(villages: Sequence[VillageCoverage], chosen: str | None) -> list[str]:
    """Whose progress to draw: the village asked for, else every village of a small commune, else the
    lagging ones first, up to CHARTS."""
    ids = [v.id for v in villages]
    if chosen in ids:
        return [chosen]
    ordered = sorted(villages, key=lambda v: not v.lagging)
    return [v.id for v in ordered[:CHARTS]]


def _page(
    request: Request,
    principal: Principal,
    date_text: str | None,
    *,
    status_code: int = 200,
    import_errors: list[str] | None = None,
    village: str | None = None,
    page_number: int = 1,
) -> HTMLResponse:
    web = WebContext.of(request)
    day = day_param(web, date_text)

    def build() -> dict[str, Any]:
        view = coverage_view(web, principal, day)
        pages = max(1, -(-len(view.villages) // ROWS))
        number = min(max(page_number, 1), pages)
        with web.store.session() as session:
            paths = trajectories(web.config, session, day, _charted(view.villages, village))
        return {
            "view": view,
            "charts": [village_chart(t, web.config.campaign, day) for t in paths],
            "bar": bar,
            "percent": percent,
            "is_today": day == today(web),
            "may_import": principal.may(Role.POLICE),
            "may_download": principal.may(Role.POLICE, Role.OFFICE),
            "import_errors": import_errors or [],
            "chosen": village,
            "date_text": date_text or "",
            "rows": view.villages[(number - 1) * ROWS : number * ROWS],
            "page_number": number,
            "pages": pages,
        }

    if import_errors:  # an answer to one upload: drawn for it alone
        return render(request, "coverage.html", principal, status_code=status_code, **build())
    return render_kept(request, "coverage.html", principal, (day, village, page_number), build)


@router.get("/coverage", response_class=HTMLResponse)
def coverage(
    request: Request,
    principal: Viewer,
    date: Annotated[str | None, Query(max_length=40)] = None,
    village: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return _page(request, principal, date, village=village, page_number=page)


@router.post("/coverage/import", response_class=HTMLResponse)
def import_reports(request: Request, principal: Police, file: Annotated[UploadFile, File()]) -> Response:
    """The upload, imported as `loa coverage import` would; every bad row is listed, nothing stored."""
    web = WebContext.of(request)
    name = upload_name(file.filename)
    try:
        with saved_upload(file.file, file.filename, web.config.web.max_upload_mb * 1024 * 1024) as path:
            summary = web.station.import_reports(path, web.now(), origin=Origin(name, principal.name))
    except ImportRejected as rejected:
        lines = [problem_text(p) for p in rejected.problems]
        lines.append(f"{len(rejected.problems)} lỗi: không nhập dòng nào. Sửa tệp rồi nhập lại.")
        return _page(request, principal, None, status_code=400, import_errors=lines)
    except InputError as refused:
        return _page(request, principal, None, status_code=400, import_errors=[str(refused)])
    names = {v.id: v.name for v in web.config.villages}
    lagging = ", ".join(names.get(v, v) for v in summary.lagging) or "không có"
    flash(
        request,
        f"Đã nhập {summary.source}: {summary.rows} dòng — {summary.inserted} mới, "
        f"{summary.replaced} thay thế, {summary.unchanged} không đổi.",
        f"Thôn chậm tiến độ: {lagging}.",
        *(f"Lưu ý — {problem_text(w)}" for w in summary.warnings),
    )
    return RedirectResponse("/coverage", status_code=303)


@router.get("/coverage/template.xlsx")
def template(request: Request, principal: Staff) -> Response:
    """The blank report form (`loa coverage template`), named in Vietnamese for whoever saves it."""
    web = WebContext.of(request)
    with tempfile.TemporaryDirectory(prefix="loa114-form-") as folder:
        path = Path(folder) / "mau.xlsx"
        write_template(path, web.config.villages, today=today(web))
        content = path.read_bytes()
    name = f"Mẫu báo cáo Báo cháy 114 - {web.config.commune.name}.xlsx"
    disposition = f"attachment; filename=\"mau-bao-cao.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})
