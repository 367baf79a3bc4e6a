"""`/login` and `/logout`: a name and a password, a signed session cookie, lock-out after failures."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.scheduler.accounts import LoginRefused
from loa114.scheduler.web.auth import SESSION_USER, principal_of
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.rendering import CSRF_KEY, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a full URL): no open redirect after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    if principal_of(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", None, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: str = Form(..., max_length=64),
    password: str = Form(..., max_length=256),
    next: str = Form("/"),
) -> Response:
    web = WebContext.of(request)
    try:
        principal = web.users.sign_in(name, password, web.now())
    except LoginRefused as refused:
        return render(
            request,
            "login.html",
            None,
            status_code=401,
            error=refused.message,
            name=name,
            next=_safe_next(next),
        )
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in person
    request.session[SESSION_USER] = principal.name
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.pop(SESSION_USER, None)
    request.session.pop(CSRF_KEY, None)
    return RedirectResponse("/login", status_code=303)
