"""`/login` and `/logout`: a name and a password, a signed session cookie, lock-out after failures.

On a site serving a province, the list of communes ends with "Toàn tỉnh": a province account signs in
there, against the province's own accounts, and lands on `/province`."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.scheduler.accounts import LoginRefused
from loa114.scheduler.web.auth import SESSION_USER, principal_of
from loa114.scheduler.web.context import COMMUNE_KEY, PROVINCE_KEY, WebContext
from loa114.scheduler.web.rendering import CSRF_KEY, render

router = APIRouter(include_in_schema=False)
PROVINCE_CHOICE = "*"  # never a commune id (config/province.py COMMUNE_ID)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never `//host` or a full URL): no open redirect after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _communes(request: Request) -> list[tuple[str, str]]:
    """(key, name) of the communes to choose from at sign-in, then the province's choice when it has
    accounts of its own; empty when the site serves one commune and no province."""
    sites = WebContext.sites(request)
    province = WebContext.province(request)
    choices = [(key, site.config.commune.name) for key, site in sites.items()]
    if province is not None:
        return [*choices, (PROVINCE_CHOICE, f"Toàn tỉnh {province.name} (tài khoản cấp tỉnh)")]
    return choices if len(sites) > 1 else []


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    principal = principal_of(request)
    if principal is not None:
        target = _safe_next(next)
        return RedirectResponse(
            "/province" if principal.province and target == "/" else target, status_code=303
        )
    return render(request, "login.html", None, next=_safe_next(next), communes=_communes(request))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    name: str = Form(..., max_length=64),
    password: str = Form(..., max_length=256),
    next: str = Form("/"),
    commune: str = Form("", max_length=64),
) -> Response:
    communes = _communes(request)
    province = WebContext.province(request) if commune == PROVINCE_CHOICE else None
    web = WebContext.sites(request).get(commune) if communes else WebContext.of(request)

    def refuse(message: str) -> Response:
        return render(
            request, "login.html", None, status_code=401, error=message, name=name, next=_safe_next(next),
            communes=communes, chosen=commune,
        )  # fmt: skip

    if province is not None:
        try:
            principal = province.users.sign_in(name, password, WebContext.of(request).now())
        except LoginRefused as refused:
            return refuse(refused.message)
        request.session.clear()
        request.session[SESSION_USER], request.session[PROVINCE_KEY] = principal.name, True
        target = _safe_next(next)
        return RedirectResponse("/province" if target == "/" else target, status_code=303)
    if web is None:
        return refuse(
            "Chọn xã của bạn trong danh sách (hoặc Toàn tỉnh nếu là tài khoản cấp tỉnh) rồi đăng nhập lại."
        )
    try:
        principal = web.users.sign_in(name, password, web.now())
    except LoginRefused as refused:
        return refuse(refused.message)
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in person
    request.session[SESSION_USER] = principal.name
    if communes:
        request.session[COMMUNE_KEY] = commune
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.pop(SESSION_USER, None)
    request.session.pop(CSRF_KEY, None)
    request.session.pop(COMMUNE_KEY, None)
    request.session.pop(PROVINCE_KEY, None)
    return RedirectResponse("/login", status_code=303)
