"""`/report` "Báo cáo thôn": a phone-sized form where a village head sends today's figures for their own
village (the police and admins may pick any village).

The entry is checked by the importer's own rules (`campaign.entry.check_entry`) and stored like an
imported row (`Station.submit_report`): the same (village, day) sent again replaces the figures, as a
re-import does, and the villages are evaluated again. Each problem is shown beside its field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.campaign.columns import COLUMNS, MAX_DIFFICULTIES, NOTES, VillageReport
from loa114.scheduler.campaign.entry import check_entry
from loa114.scheduler.campaign.figures import Figures
from loa114.scheduler.campaign.importing import Origin
from loa114.scheduler.campaign.store import DatabaseCoverage, latest_report
from loa114.scheduler.config import Village
from loa114.scheduler.web.auth import require
from loa114.scheduler.web.campaign import today, visible_village
from loa114.scheduler.web.charts import percent
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
page("/report", "Báo cáo thôn", Role.VILLAGE_HEAD, Role.POLICE)

Reporter = Annotated[Principal, Depends(require(Role.VILLAGE_HEAD, Role.POLICE, province_reads=False))]
SOURCE = "biểu mẫu web"
REQUIRED_COUNTS = ("households_installed", "installs")
CHECKLIST = (
    "smartphone_users",
    "households_visited",
    "with_extinguisher",
    "with_second_exit",
    "unsafe_electrics",
)
HINTS = NOTES | {
    "day": "Ngày của số liệu, thường là hôm nay. Không ghi ngày sau hôm nay.",
    "unsafe_households": "Mỗi hộ một dòng: tên chủ hộ hoặc số nhà, dấu “:”, rồi điều còn thiếu. "
    "Ví dụ: Hộ số 12: thiếu bình chữa cháy. Không ghi số điện thoại, số CCCD.",
}
RESULT_WORDS = {
    "inserted": "đã lưu",
    "replaced": "đã thay số liệu gửi trước đó của cùng ngày",
    "unchanged": "giống hệt lần gửi trước, không có gì thay đổi",
}


class ReportFields(BaseModel):
    """The form as typed: text, checked afterwards by the importer's rules (not by pydantic)."""

    village: str = Field(max_length=64)
    day: str = Field("", max_length=40)
    households_installed: str = Field("", max_length=40)
    installs: str = Field("", max_length=40)
    smartphone_users: str = Field("", max_length=40)
    households_visited: str = Field("", max_length=40)
    with_extinguisher: str = Field("", max_length=40)
    with_second_exit: str = Field("", max_length=40)
    unsafe_electrics: str = Field("", max_length=40)
    unsafe_households: str = Field("", max_length=5000)
    # a generous bound on the request; the 2,000-character limit is the importer's, with its message
    difficulties: str = Field("", max_length=4 * MAX_DIFFICULTIES)


def _values_of(report: VillageReport | None, day_text: str) -> dict[str, str]:
    """The form's starting values: the village's latest figures (cumulative: a head only raises them)."""
    values = {"day": day_text}
    for name in (*REQUIRED_COUNTS, *CHECKLIST):
        number = getattr(report, name) if report else None
        values[name] = "" if number is None else str(number)
    unsafe = report.unsafe_households if report else ()
    values["unsafe_households"] = "\n".join(
        f"{u.label}: {u.missing}" if u.missing else u.label for u in unsafe
    )
    values["difficulties"] = report.difficulties if report else ""
    return values


def _form(
    request: Request,
    principal: Principal,
    village: Village,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    web = WebContext.of(request)
    day = today(web)
    with web.store.session() as session:
        latest = latest_report(session, village.id, day)
    coverage = Figures(web.config, DatabaseCoverage(web.config, web.store.db)).village(day, village.id)
    return render(
        request,
        "report.html",
        principal,
        status_code=400 if errors else 200,
        village=village,
        villages=web.config.villages if principal.role != Role.VILLAGE_HEAD else [],
        values=values,
        errors=errors or {},
        labels={name: headers[0] for name, headers in COLUMNS.items()},
        hints=HINTS,
        required=REQUIRED_COUNTS,
        checklist=CHECKLIST,
        latest=latest,
        coverage=coverage,
        percent=percent,
        today=day,
        max_difficulties=MAX_DIFFICULTIES,
    )


@router.get("/report", response_class=HTMLResponse)
def report_form(
    request: Request, principal: Reporter, village: Annotated[str | None, Query(max_length=64)] = None
) -> HTMLResponse:
    web = WebContext.of(request)
    chosen = village or principal.village_id
    if chosen is None:  # police or admin, no village picked yet
        return render(request, "report_pick.html", principal, villages=web.config.villages)
    found = visible_village(web, principal, chosen)
    day = today(web)
    with web.store.session() as session:
        latest = latest_report(session, found.id, day)
    return _form(request, principal, found, _values_of(latest, f"{day:%d/%m/%Y}"))


@router.post("/report", response_class=HTMLResponse)
def submit_report(request: Request, principal: Reporter, fields: Annotated[ReportFields, Form()]) -> Response:
    web = WebContext.of(request)
    village = visible_village(web, principal, fields.village)
    values = fields.model_dump(exclude={"village"})
    entry = check_entry(web.config.villages, village.id, values, today(web))
    if entry.report is None:
        return _form(request, principal, village, values, entry.errors)
    summary = web.station.submit_report(entry.report, web.now(), Origin(SOURCE, principal.name))
    result = "inserted" if summary.inserted else "replaced" if summary.replaced else "unchanged"
    state = next(v for v in summary.evaluation.villages if v.id == village.id)
    flash(
        request,
        f"Báo cáo thôn {village.name} ngày {entry.report.day:%d/%m/%Y}: {RESULT_WORDS[result]}.",
        "Thôn đang chậm tiến độ so với kế hoạch." if state.lagging else "Thôn đang đạt tiến độ kế hoạch.",
        *(f"Lưu ý — {message}" for message in entry.warnings.values()),
    )
    target = "/report" if principal.role == Role.VILLAGE_HEAD else f"/report?village={village.id}"
    return RedirectResponse(target, status_code=303)
