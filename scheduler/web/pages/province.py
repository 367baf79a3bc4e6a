"""`/province` "Toàn tỉnh" (province accounts only): every commune's coverage against its trajectory, the
lagging communes first with the reason, and the broadcasts that failed or were missed across communes in
the last days; each commune links to its own pages, which a province account reads but never changes.

Not in the commune menu (`PAGES`): a commune's admin may do everything in its commune, never this.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from loa114.scheduler.programs.outcomes import sentence, status_word
from loa114.scheduler.reports.province import NOT_AIRED, REASON_WORDS
from loa114.scheduler.web import province as view
from loa114.scheduler.web.auth import ProvinceOnly
from loa114.scheduler.web.context import COMMUNE_KEY, WebContext
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


@router.get("/province/communes/{key}")
def enter(request: Request, principal: ProvinceOnly, key: str) -> RedirectResponse:
    """Look at one commune's pages (read only) until another is chosen here."""
    if key not in WebContext.sites(request):
        raise HTTPException(404, "Không có xã này trong tỉnh.")
    request.session[COMMUNE_KEY] = key
    return RedirectResponse("/", status_code=303)
