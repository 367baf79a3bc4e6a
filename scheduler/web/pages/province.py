"""`/province` "Toàn tỉnh" (province accounts only): every commune's coverage against its trajectory, the
lagging communes first with the reason, and the broadcasts that failed or were missed across communes in
the last days; each commune links to its own pages, which a province account reads but never changes.

Not in the commune menu (`PAGES`): a commune's admin may do everything in its commune, never this.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.scheduler.errors import InputError
from loa114.scheduler.programs.outcomes import sentence, status_word
from loa114.scheduler.reports import province as rollup
from loa114.scheduler.reports.province import NOT_AIRED, REASON_WORDS
from loa114.scheduler.web import province as view
from loa114.scheduler.web.auth import ProvinceOnly
from loa114.scheduler.web.context import COMMUNE_KEY, WebContext
from loa114.scheduler.web.pages.reports import MEDIA
from loa114.scheduler.web.rendering import render_kept

router = APIRouter(include_in_schema=False)
RECENT_DAYS = 7
SHOWN = 100  # broadcasts listed on the page; the API gives them all
PERIODS = {"week": "Tuần này", "month": "Tháng này", "campaign": "Từ đầu chiến dịch"}


@router.get("/province", response_class=HTMLResponse)
def province(
    request: Request,
    principal: ProvinceOnly,
    period: Annotated[str, Query(max_length=16)] = "week",
) -> HTMLResponse:
    def build() -> dict[str, Any]:
        figures = view.figures(request, period, None)
        rows = view.broadcasts(request, list(NOT_AIRED), RECENT_DAYS)
        return dict(
            figures=figures,
            lines=sorted(figures.communes, key=lambda c: not c.lagging),  # lagging first, file order kept
            reasons=REASON_WORDS,
            broadcasts=rows[:SHOWN],
            hidden=max(0, len(rows) - SHOWN),
            word=status_word,
            sentence=sentence,
            days=RECENT_DAYS,
            periods=PERIODS,
            period=period,
        )

    # every commune's writes make the kept page old, not only the one this session last looked at
    writes = tuple(site.store.db.writes.value for site in WebContext.sites(request).values())
    return render_kept(request, "province.html", principal, (period, writes), build)  # bad period: 400


@router.get("/province/download/{fmt}")
def download(
    request: Request,
    principal: ProvinceOnly,
    fmt: str,
    period: Annotated[str, Query(max_length=16)] = "week",
) -> Response:
    """The roll-up report as `loa province --format docx|xlsx|json` writes it."""
    if fmt not in MEDIA:
        raise InputError(f"định dạng '{fmt[:10]}' không có: chọn docx, xlsx hoặc json")
    figures = view.figures(request, period, None)
    on = figures.generated_at.astimezone(WebContext.of(request).config.tz).date()
    if fmt == "json":
        data = json.dumps(rollup.to_json(figures), ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "xlsx":
        data = rollup.to_xlsx(figures)
    else:
        data = rollup.to_docx(figures, f"Công an tỉnh {figures.province}", figures.province, on)
    filename = f"tong-hop-tinh-{period}-{on.isoformat()}.{fmt}"
    return Response(
        data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.get("/province/communes/{key}")
def enter(request: Request, principal: ProvinceOnly, key: str) -> RedirectResponse:
    """Look at one commune's pages (read only) until another is chosen here."""
    if key not in WebContext.sites(request):
        raise HTTPException(404, "Không có xã này trong tỉnh.")
    request.session[COMMUNE_KEY] = key
    return RedirectResponse("/", status_code=303)
