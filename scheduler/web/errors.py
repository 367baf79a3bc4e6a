"""How refusals and bad input look: a redirect or an HTML page for people, JSON for the API."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from loa114.scheduler.errors import InputError
from loa114.scheduler.web.auth import Forbidden, NotSignedIn, principal_of
from loa114.scheduler.web.rendering import render

STATUS_TEXT = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang hoặc dữ liệu này.",
    405: "Không thực hiện được thao tác này ở đây.",
}


def is_api(request: Request) -> bool:
    """A route for systems (the JSON API, Prometheus' `/metrics`): refusals are 401/403, not a page."""
    return request.url.path.startswith("/api/") or request.url.path == "/metrics"


def _page_error(request: Request, status: int, message: str) -> Response:
    return render(
        request, "error.html", principal_of(request), status_code=status, message=message, status=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "Cần đăng nhập hoặc mã truy cập (Authorization: Bearer …)."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if is_api(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return _page_error(request, 403, exc.message)

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        message = str(getattr(exc, "message", None) or exc)
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=400)
        return _page_error(request, 400, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": _vietnamese(e)}
            for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": problems}, status_code=422)
        text = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return _page_error(request, 400, f"Dữ liệu gửi lên không hợp lệ — {text}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code not in STATUS_TEXT else None
        message = message or STATUS_TEXT.get(exc.status_code, "Có lỗi xảy ra.")
        if is_api(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=exc.headers)
        return _page_error(request, exc.status_code, message)


def _vietnamese(error: dict[str, object]) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "thiếu (bắt buộc)"
    if kind.startswith(("int", "float")):
        return "phải là số"
    if kind.startswith("date"):
        return "phải là ngày (2026-12-31)"
    if kind.startswith("string_too_long"):
        return "quá dài"
    if kind.startswith("json"):
        return "không phải JSON hợp lệ"
    return "giá trị không hợp lệ"
