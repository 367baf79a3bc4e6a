"""Pages from Jinja2 templates (autoescaped), with what every page needs: the user, the menu, the CSRF
token, the commune's name."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, Iterator
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
    base = _around(request, principal)
    return TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def render_kept(
    request: Request,
    template_name: str,
    principal: Principal,
    key: Hashable,
    build: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """`render`, with the template's `content` block kept in the page cache (web/pagecache.py): `build`
    (the expensive context) runs only when the kept block is missing or older than the data."""
    web = WebContext.of(request)
    version = (web.store.db.writes.value, id(web.config), web.now().astimezone(web.config.tz).date())
    page_key = (template_name, principal.name, principal.role, principal.village_id, key)
    kept = web.pages.get(page_key, version)
    try:
        html, drawn = _draw(request, template_name, principal, kept, build)
    except BaseException:
        web.pages.drop(page_key, version)
        raise
    if kept is None:
        web.pages.put(page_key, version, drawn)
    return HTMLResponse(html)


def _draw(
    request: Request,
    template_name: str,
    principal: Principal,
    kept: str | None,
    build: Callable[[], dict[str, Any]],
) -> tuple[str, str]:
    """The whole page, and its `content` block as drawn (or `kept`, put in its place)."""
    template = TEMPLATES.get_template(template_name)
    around = _around(request, principal)
    context = template.new_context({"request": request, **around, **(build() if kept is None else {})})
    blocks = context.blocks["content"]  # [0] is this template's own block
    drawn: list[str] = []
    if kept is None:
        own = blocks[0]

        def capture(ctx: Any) -> Iterator[str]:
            for piece in own(ctx):
                drawn.append(piece)
                yield piece

        blocks[0] = capture
    else:
        blocks[0] = lambda _ctx: iter((kept,))
    try:
        html = "".join(template.root_render_func(context))
    except Exception:
        template.environment.handle_exception()  # re-raised with the template's line numbers
    return html, kept if kept is not None else "".join(drawn)


def _around(request: Request, principal: Principal | None) -> dict[str, Any]:
    """What the page around the content needs: drawn for every request (the token, the flash message)."""
    web = WebContext.of(request)
    menu = [p for p in PAGES if principal is not None and principal.may(*p.roles)]
    province = WebContext.province(request)
    return {
        "user": principal,
        "role_label": ROLE_LABELS[principal.role] if principal else "",
        "menu": menu,
        "path": request.url.path,
        "csrf": csrf_token(request),
        "commune": web.config.commune,
        "tz": web.config.tz,
        "now": web.now().astimezone(web.config.tz),
        "flash": request.session.pop(FLASH_KEY, None),
        "read_only": principal is not None and principal.province,  # a province account changes nothing
        "province_name": province.name if province is not None else "",
    }
