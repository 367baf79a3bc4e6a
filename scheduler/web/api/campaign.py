"""The campaign's API: coverage per village, a village's report sent by a system (or a head's app), and
the reminder outbox.

`POST /villages/{id}/reports` is checked by the importer's own rules and stored like an imported row:
sending the same (village, date) again replaces its figures (or changes nothing when equal). A village
head's token reads and writes only their own village.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from loa114.content.context import VillageCoverage
from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.campaign.columns import MAX_DIFFICULTIES
from loa114.scheduler.campaign.entry import check_entry
from loa114.scheduler.campaign.importing import Origin
from loa114.scheduler.campaign.listing import notices_on
from loa114.scheduler.web.auth import Police, require
from loa114.scheduler.web.campaign import coverage_view, day_param, today, visible_village
from loa114.scheduler.web.context import WebContext

router = APIRouter(tags=["chiến dịch"])

Viewer = Annotated[Principal, Depends(require(Role.POLICE, Role.OFFICE, Role.VILLAGE_HEAD))]
Reporter = Annotated[Principal, Depends(require(Role.VILLAGE_HEAD, Role.POLICE))]
DateText = Annotated[
    str | None, Query(max_length=40, description="Ngày: 2026-12-31 hoặc 31/12/2026; mặc định hôm nay.")
]


class VillageOut(BaseModel):
    id: str
    name: str
    households: int
    households_installed: int
    household_rate: float | None = Field(description="None: thôn chưa báo cáo (chưa biết, không phải 0).")
    smartphone_users: int
    installs: int
    install_rate: float | None
    expected_rate: float
    expected_install_rate: float
    last_report: date | None
    unsafe_households: int
    lagging: bool
    reasons: list[str] = Field(description="household_behind, install_behind, stale.")


class TotalsOut(BaseModel):
    households: int
    households_installed: int
    household_rate: float
    smartphone_users: int
    installs: int
    install_rate: float
    villages_reported: int
    villages_lagging: int


class CoverageOut(BaseModel):
    date: date
    expected_rate: float
    villages: list[VillageOut]
    totals: TotalsOut | None = Field(description="Toàn xã; None với trưởng thôn (chỉ thấy thôn mình).")


class ReportIn(BaseModel):
    """A village's cumulative figures on a date, as a row of the report file holds them."""

    model_config = ConfigDict(extra="forbid")

    date: str | None = Field(None, max_length=40, description="2026-12-31 hoặc 31/12/2026; mặc định hôm nay.")
    households_installed: StrictInt  # strict: JSON true is not 1
    installs: StrictInt
    smartphone_users: StrictInt | None = None
    households_visited: StrictInt | None = None
    with_extinguisher: StrictInt | None = None
    with_second_exit: StrictInt | None = None
    unsafe_electrics: StrictInt | None = None
    unsafe_households: str | None = Field(
        None,
        max_length=5000,
        description="Mỗi hộ một dòng hoặc cách nhau bằng ';': 'Hộ số 12: thiếu bình chữa cháy'.",
    )
    difficulties: str | None = Field(
        None,
        max_length=4
        * MAX_DIFFICULTIES,  # a bound on the request; the limit itself is checked with the file rules
        description=f"Khó khăn, vướng mắc của thôn (mục IV của báo cáo gửi cấp trên); tối đa {MAX_DIFFICULTIES} ký tự.",
    )


class FieldProblem(BaseModel):
    field: str
    message: str


class Problems(BaseModel):
    detail: list[FieldProblem]


class ReportOut(BaseModel):
    village: str
    date: date
    result: Literal["inserted", "replaced", "unchanged"]
    difficulties: str = Field(description="Khó khăn, vướng mắc như đã lưu (đã làm sạch); rỗng: không có.")
    warnings: list[FieldProblem]
    coverage: VillageOut


class DeliveryOut(BaseModel):
    target: str
    recipient: str | None
    status: str
    attempts: int
    last_error: str | None


class NoticeOut(BaseModel):
    id: int
    village: str
    village_name: str
    date: date
    kind: str
    reasons: list[str]
    status: Literal["pending", "sent", "failed", "cancelled"]
    attempts: int
    last_error: str | None
    title: str
    cancelled_at: str | None
    deliveries: list[DeliveryOut]


def _village_out(v: VillageCoverage) -> VillageOut:
    return VillageOut(
        id=v.id,
        name=v.name,
        households=v.households,
        households_installed=v.households_installed,
        household_rate=round(v.household_rate, 6) if v.reported else None,
        smartphone_users=v.smartphone_users,
        installs=v.installs,
        install_rate=round(v.install_rate, 6) if v.reported else None,
        expected_rate=round(v.expected_rate, 6),
        expected_install_rate=round(v.expected_install_rate, 6),
        last_report=v.last_report,
        unsafe_households=v.unsafe_households,
        lagging=v.lagging,
        reasons=list(v.reasons),
    )


@router.get("/coverage", response_model=CoverageOut, summary="Độ phủ từng thôn (trưởng thôn: thôn mình)")
def coverage(request: Request, principal: Viewer, date: DateText = None) -> CoverageOut:
    web = WebContext.of(request)
    view = coverage_view(web, principal, day_param(web, date))
    t = view.totals
    totals = (
        TotalsOut(
            households=t.households,
            households_installed=t.households_installed,
            household_rate=round(t.household_rate, 6),
            smartphone_users=t.smartphone_users,
            installs=t.installs,
            install_rate=round(t.install_rate, 6),
            villages_reported=t.villages_reported,
            villages_lagging=sum(1 for v in view.villages if v.lagging),
        )
        if t
        else None
    )
    return CoverageOut(
        date=view.day,
        expected_rate=round(view.expected_rate, 6),
        villages=[_village_out(v) for v in view.villages],
        totals=totals,
    )


@router.post(
    "/villages/{village_id}/reports",
    response_model=ReportOut,
    responses={422: {"model": Problems, "description": "Số liệu sai: từng ô và lý do (như khi nhập tệp)."}},
    summary="Gửi báo cáo của một thôn (như một dòng của tệp báo cáo)",
)
def submit_report(
    request: Request, principal: Reporter, village_id: str, body: ReportIn
) -> ReportOut | JSONResponse:
    web = WebContext.of(request)
    village = visible_village(web, principal, village_id)
    day = today(web)
    values = body.model_dump(exclude={"date"}) | {"day": body.date or day.isoformat()}
    entry = check_entry(web.config.villages, village.id, values, day)
    if entry.report is None:
        problems = [
            FieldProblem(field="date" if k == "day" else k, message=m) for k, m in entry.errors.items()
        ]
        return JSONResponse(Problems(detail=problems).model_dump(), status_code=422)
    summary = web.station.submit_report(entry.report, web.now(), Origin("api", principal.name))
    result: Literal["inserted", "replaced", "unchanged"] = (
        "inserted" if summary.inserted else "replaced" if summary.replaced else "unchanged"
    )
    state = next(v for v in summary.evaluation.villages if v.id == village.id)
    return ReportOut(
        village=village.id,
        date=entry.report.day,
        result=result,
        difficulties=entry.report.difficulties,
        warnings=[FieldProblem(field=k, message=m) for k, m in entry.warnings.items()],
        coverage=_village_out(state),
    )


@router.get(
    "/reminders", response_model=list[NoticeOut], summary="Thông báo nhắc và vượt cấp, với trạng thái gửi"
)
def reminders(request: Request, principal: Police, date: DateText = None) -> list[NoticeOut]:
    web = WebContext.of(request)
    day = day_param(web, date) if date else None
    return [NoticeOut.model_validate(row) for row in notices_on(web.config, web.store.db, day)]
