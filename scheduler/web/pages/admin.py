"""`/admin` (admins only): the people who sign in and the tokens other systems use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from loa114.scheduler.accounts import COMMUNE_ROLES, ROLE_LABELS, AccountError, Role
from loa114.scheduler.programs.audit import recent_events
from loa114.scheduler.web.auth import Admin
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pages import page
from loa114.scheduler.web.rendering import flash, render

router = APIRouter(include_in_schema=False)
page("/admin", "Tài khoản", Role.ADMIN)

Name = Annotated[str, Form(max_length=64)]
Village = Annotated[str, Form(max_length=64)]
Password = Annotated[str, Form(max_length=256)]


def _village(value: str) -> str | None:
    return value.strip() or None


def _admin_page(request: Request, principal: Admin, **extra: Any) -> HTMLResponse:
    web = WebContext.of(request)
    return render(
        request,
        "admin.html",
        principal,
        users=web.users.listing(),
        tokens=web.tokens.listing(),
        roles={role: label for role, label in ROLE_LABELS.items() if role in COMMUNE_ROLES},
        villages=web.config.villages,
        **extra,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, principal: Admin) -> HTMLResponse:
    return _admin_page(request, principal)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit(request: Request, principal: Admin, actor: str | None = None, people: bool = True) -> HTMLResponse:
    """Who did what, when: the audit log, people's actions by default."""
    web = WebContext.of(request)
    events = recent_events(web.store, actor=actor or None, people_only=people)
    return render(request, "audit.html", principal, events=events, actor=actor or "", people=people)


def _change(request: Request, principal: Admin, change: Callable[[WebContext], None], done: str) -> Response:
    """Run one account change; its refusal is shown on the page, its success after the redirect."""
    try:
        change(WebContext.of(request))
    except AccountError as exc:
        return _admin_page(request, principal, error=exc.message)
    flash(request, done)
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/users")
def add_user(
    request: Request, principal: Admin, name: Name, role: Name, password: Password, village: Village = ""
) -> Response:
    def change(web: WebContext) -> None:
        web.users.add(name, role, password, web.now(), village_id=_village(village), actor=principal.name)

    return _change(request, principal, change, f"Đã thêm người dùng {name}.")


@router.post("/admin/users/{name}/password")
def reset_password(request: Request, principal: Admin, name: str, password: Password) -> Response:
    def change(web: WebContext) -> None:
        web.users.set_password(name, password, web.now(), actor=principal.name)

    return _change(request, principal, change, f"Đã đặt mật khẩu mới cho {name}.")


@router.post("/admin/users/{name}/{action}")
def lock_user(
    request: Request, principal: Admin, name: str, action: Literal["disable", "enable"]
) -> Response:
    def change(web: WebContext) -> None:
        web.users.set_disabled(name, action == "disable", web.now(), actor=principal.name)

    done = f"Đã khóa tài khoản {name}." if action == "disable" else f"Đã mở lại tài khoản {name}."
    return _change(request, principal, change, done)


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, principal: Admin, name: Name, role: Name, village: Village = ""
) -> Response:
    """The new token is shown on this response only (never stored in clear, never put in the session)."""
    web = WebContext.of(request)
    try:
        token = web.tokens.create(name, role, web.now(), village_id=_village(village), actor=principal.name)
    except AccountError as exc:
        return _admin_page(request, principal, error=exc.message)
    return _admin_page(request, principal, new_token=(name, token))


@router.post("/admin/tokens/{name}/revoke")
def revoke_token(request: Request, principal: Admin, name: str) -> Response:
    def change(web: WebContext) -> None:
        web.tokens.revoke(name, web.now(), actor=principal.name)

    return _change(request, principal, change, f"Đã thu hồi mã truy cập {name}.")
