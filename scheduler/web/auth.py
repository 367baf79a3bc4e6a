"""Who is asking, and whether their role may: one check on the server for every page and API route.

A request is signed in by the session cookie (people) or by `Authorization: Bearer TOKEN` (systems). The
principal is read again from the database on each request, so a disabled user or revoked token loses
access at once. Pages answer "not signed in" with a redirect to /login, the API with 401 JSON; a wrong
role is 403 for both (see `errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.web.context import WebContext

SESSION_USER = "user"


class NotSignedIn(Exception):
    """No valid session or token."""


class Forbidden(Exception):
    """Signed in, but the role may not; `message` is Vietnamese."""

    def __init__(self, message: str = "Tài khoản của bạn không có quyền dùng chức năng này.") -> None:
        super().__init__(message)
        self.message = message


def principal_of(request: Request) -> Principal | None:
    """The principal of this request (cached on it), or None."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    found: Principal | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        for key, site in WebContext.sites(request).items():  # a token belongs to one commune: find it
            found = site.tokens.principal(token, site.now())
            if found is not None:
                request.state.commune = key
                break
    else:
        web = WebContext.of(request)
        name = request.session.get(SESSION_USER)
        if isinstance(name, str):
            found = web.users.principal(name)
    request.state.principal = found
    return found


def require(*roles: Role) -> Callable[[Request], Principal]:
    """A dependency: the signed-in principal if their role is one of `roles` (admins always; none: any)."""

    def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise NotSignedIn()
        if roles and not principal.may(*roles):
            raise Forbidden()
        return principal

    return dependency


SignedIn = Annotated[Principal, Depends(require())]  # any signed-in role

Office = Annotated[Principal, Depends(require(Role.OFFICE))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Police = Annotated[Principal, Depends(require(Role.POLICE))]
OfficeOrPolice = Annotated[Principal, Depends(require(Role.OFFICE, Role.POLICE))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]


def require_village(principal: Principal, village_id: str) -> None:
    """A village head may act only on their own village."""
    if not principal.may_see_village(village_id):
        raise Forbidden("Trưởng thôn chỉ xem và gửi số liệu của thôn mình.")
