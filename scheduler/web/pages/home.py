"""`/`: where a signed-in person lands; the pages they may open, by their role."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from loa114.scheduler.web.auth import SignedIn
from loa114.scheduler.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: SignedIn) -> HTMLResponse:
    return render(request, "home.html", principal)
