"""Who is asking, and whether their role may: one check on the server for every page and API route.

A request is signed in by the session cookie (people) or by `Authorization: Bearer TOKEN` (systems). The
principal is read again from the database on each request, so a disabled user or revoked token loses
access at once. Pages answer "not signed in" with a redirect to /login, the API with 401 JSON; a wrong
role is 403 for both (see `errors`).

A province account (its session marked `PROVINCE_KEY`, or a province token) is checked here once for every
commune route: it may read what the commune's police read — in the commune it chose on the province page, or
(a token) the one its request names in the `X-Loa-Commune` header — and change nothing; its own routes
(`ProvinceOnly`) refuse every commune account.

A commune token names its commune only once it is read, so `WebContext.of` reads the principal first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.errors import InputError
from loa114.scheduler.web.context import PROVINCE_KEY, WebContext

SESSION_USER = "user"
READING = {"GET", "HEAD"}
READ_ONLY = (
    "Tài khoản cấp tỉnh chỉ xem được số liệu của xã, không thay đổi được gì. "
    "Việc này do cán bộ của xã làm: hãy liên hệ xã nếu cần sửa."
)
NOT_FOR_PROVINCE = (
    "Trang này dành cho cán bộ của xã; tài khoản cấp tỉnh không dùng được. Về trang Toàn tỉnh để xem các xã."
)
COMMUNE_HEADER = "X-Loa-Commune"  # a province token's request names the commune it reads
TOKEN_NAMES_NO_COMMUNE = (
    "Mã truy cập cấp tỉnh đọc số liệu của từng xã: thêm tiêu đề X-Loa-Commune với mã xã cần xem "
    "(các xã: {communes})."
)
TOKEN_NAMES_UNKNOWN_COMMUNE = "X-Loa-Commune: tỉnh không có xã mã {key!r}; các xã: {communes}."
PROVINCE_ONLY = "Chỉ tài khoản cấp tỉnh mới xem được số liệu toàn tỉnh."


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
    request.state.principal = (
        None  # while it is read: choosing the commune (`WebContext.of`) must not read it again
    )
    found: Principal | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        for key, site in WebContext.sites(request).items():  # a token belongs to one commune: find it
            found = site.tokens.principal(token, site.now())
            if found is not None:
                request.state.commune = key
                break
        province = WebContext.province(request)
        if found is None and province is not None:
            found = _province_role(province.tokens.principal(token, WebContext.of(request).now()))
            asked = request.headers.get(COMMUNE_HEADER, "").strip()
            if found is not None and asked in WebContext.sites(request):
                request.state.commune = asked
    else:
        name = request.session.get(SESSION_USER)
        if isinstance(name, str):
            found = _session_principal(request, name)
    request.state.principal = found
    return found


def _session_principal(request: Request, name: str) -> Principal | None:
    """The session's person: a province account from the province's store, anyone else from the commune's."""
    if not request.session.get(PROVINCE_KEY):
        found = WebContext.of(request).users.principal(name)
        return None if found is not None and found.province else found
    province = WebContext.province(request)
    return _province_role(province.users.principal(name)) if province is not None else None


def _province_role(found: Principal | None) -> Principal | None:
    """Only a province role counts from the province's store."""
    return found if found is not None and found.province else None


def _province_may(
    request: Request, roles: tuple[Role, ...], province_reads: bool, principal: Principal
) -> None:
    """A province account inside a commune: reading only, where the commune's police may read; a token in
    the commune its request names."""
    if principal.via_token and getattr(request.state, "commune", None) is None:
        asked = request.headers.get(COMMUNE_HEADER, "").strip()
        communes = ", ".join(WebContext.sites(request))
        if asked:
            raise InputError(TOKEN_NAMES_UNKNOWN_COMMUNE.format(key=asked, communes=communes))
        raise InputError(TOKEN_NAMES_NO_COMMUNE.format(communes=communes))
    if request.method not in READING:
        raise Forbidden(READ_ONLY)
    if not province_reads or (roles and Role.POLICE not in roles):
        raise Forbidden(NOT_FOR_PROVINCE)


def require(*roles: Role, province_reads: bool = True) -> Callable[[Request], Principal]:
    """A dependency: the signed-in principal if their role is one of `roles` (admins always; none: any).

    A province account passes a reading request where the police could (`province_reads=False`: a form
    that only writes, such as the urgent alert, stays closed to it)."""

    def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise NotSignedIn()
        if principal.province:
            _province_may(request, roles, province_reads, principal)
        elif roles and not principal.may(*roles):
            raise Forbidden()
        return principal

    return dependency


def anyone(request: Request) -> Principal:
    """A dependency for questions about the asker only (`/api/v1/me`): any principal, a province token too."""
    principal = principal_of(request)
    if principal is None:
        raise NotSignedIn()
    return principal


def require_province(request: Request) -> Principal:
    """A dependency for the province's own routes: a province account (session or token), nobody else."""
    principal = principal_of(request)
    if principal is None:
        raise NotSignedIn()
    if not principal.province:
        raise Forbidden(PROVINCE_ONLY)
    return principal


SignedIn = Annotated[Principal, Depends(require())]  # any signed-in role

Office = Annotated[Principal, Depends(require(Role.OFFICE))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Police = Annotated[Principal, Depends(require(Role.POLICE))]
OfficeOrPolice = Annotated[Principal, Depends(require(Role.OFFICE, Role.POLICE))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
ProvinceOnly = Annotated[Principal, Depends(require_province)]
Anyone = Annotated[Principal, Depends(anyone)]  # about the asker only: no commune's data


def require_village(principal: Principal, village_id: str) -> None:
    """A village head may act only on their own village."""
    if not principal.may_see_village(village_id):
        raise Forbidden("Trưởng thôn chỉ xem và gửi số liệu của thôn mình.")
