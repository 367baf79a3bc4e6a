"""The province's API (province tokens and sessions only): the roll-up of every commune, the shape of
`loa province --format json`, and the broadcasts that did not air across communes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from loa114.scheduler.reports.province import NOT_AIRED, to_json
from loa114.scheduler.web import province as view
from loa114.scheduler.web.api.broadcasts import BroadcastOut
from loa114.scheduler.web.auth import ProvinceOnly

router = APIRouter(tags=["toàn tỉnh"])


class ProvinceBroadcastOut(BroadcastOut):
    commune: str
    commune_name: str


@router.get(
    "/province",
    summary="Tổng hợp các xã: tỷ lệ cài đặt so với kế hoạch, xã chậm tiến độ, buổi phát (như loa province)",
    responses={400: {}, 403: {}},
)
def province(
    request: Request,
    principal: ProvinceOnly,
    period: Annotated[str, Query(max_length=16, description="week, month hoặc campaign")] = "week",
    date: Annotated[
        str | None, Query(max_length=20, description="Một ngày trong kỳ (mặc định hôm nay)")
    ] = None,
) -> dict[str, Any]:
    return to_json(view.figures(request, period, date))


@router.get(
    "/province/broadcasts",
    response_model=list[ProvinceBroadcastOut],
    summary="Các buổi phát theo trạng thái (mặc định bị lỡ và lỗi) của mọi xã trong những ngày gần đây",
    responses={400: {}, 403: {}},
)
def province_broadcasts(
    request: Request,
    principal: ProvinceOnly,
    status: Annotated[
        str, Query(max_length=200, description="Trạng thái, cách nhau bởi dấu phẩy")
    ] = ",".join(NOT_AIRED),
    days: Annotated[int, Query(description=f"Số ngày gần đây, hôm nay tính là một (1–{view.MAX_DAYS})")] = 7,
) -> list[dict[str, object]]:
    return view.broadcasts(request, view.statuses_from(status), days)
