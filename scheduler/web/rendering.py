"""Pages from Jinja2 templates (autoescaped), with what every page needs: the user, the menu, the CSRF
token, the commune's name."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from loa114.scheduler.accounts import ROLE_LABELS, Principal
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import PAGES

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
CSRF_KEY = "csrf"
FLASH_KEY = "flash"


def flash(request: Request, *lines: str, kind: str = "notice") -> None:
    """A message for the next page this session opens (after a POST → 303 redirect), kept in the signed
    session; kind: notice | warning | error."""
    request.session[FLASH_KEY] = {"kind": kind, "lines": [line for line in lines if line][:30]}


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); forms send it back as `csrf`, htmx as a header."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = request.session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def render(
    request: Request, template: str, principal: Principal | None, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    web = WebContext.of(request)
    menu = [p for p in PAGES if principal is not None and principal.may(*p.roles)]
    base = {
        "user": principal,
        "role_label": ROLE_LABELS[principal.role] if principal else "",
        "menu": menu,
        "path": request.url.path,
        "csrf": csrf_token(request),
        "commune": web.config.commune,
        "tz": web.config.tz,
        "now": web.now().astimezone(web.config.tz),
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
