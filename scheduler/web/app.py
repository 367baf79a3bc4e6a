"""The web application: pages for people, the JSON API for systems, `/healthz` and `/metrics` for monitoring.

Built once by `loa serve` (and by tests) around the process's driver (a `Runtime`, or a `Fleet` member on PostgreSQL); every route reaches the station through
`WebContext`. Static files (CSS, htmx) are served by the service itself: no CDN, so the pages work when
the commune's internet is down.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from loa114.scheduler.accounts import ProvinceAccounts
from loa114.scheduler.service.driver import Driver
from loa114.scheduler.web import api, errors, health, login, metrics, pages
from loa114.scheduler.web.context import WebContext
from loa114.scheduler.web.pagecache import PageCache
from loa114.scheduler.web.security import SecurityMiddleware, check_csrf, session_secret

STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "loa114_session"


def create_web(
    runtime: Driver,
    *,
    secret: str | None = None,
    communes: Mapping[str, Driver] | None = None,
    province: ProvinceAccounts | None = None,
) -> FastAPI:
    """The whole web side; `secret` signs session cookies (default: `web.secret_file`, created once).

    `communes`: every commune this site serves (a province on PostgreSQL), `runtime` the first one. Each
    commune has its own context — its users, tokens, rows, kept pages; a person signs in to one commune
    and sees only it. `province`: the province's own accounts, who sign in once, see every commune on
    `/province` and read (never change) each commune's pages."""
    config = runtime.station.config
    web = FastAPI(
        title="Loa 114 API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        dependencies=[Depends(check_csrf)],
    )
    web.state.web = WebContext(runtime, PageCache(config.web.page_cache_s))
    web.state.sites = {config.commune.id: web.state.web} | {
        key: WebContext(driver, PageCache(config.web.page_cache_s))
        for key, driver in (communes or {}).items()
        if key != config.commune.id
    }
    web.state.province = province
    web.add_middleware(
        SessionMiddleware,
        secret_key=secret or session_secret(config.web.secret_file),
        session_cookie=SESSION_COOKIE,
        max_age=config.web.session_hours * 3600,
        same_site="lax",
    )
    web.add_middleware(SecurityMiddleware, max_body=config.web.max_upload_mb * 1024 * 1024)
    errors.install(web)
    web.include_router(health.router)
    web.include_router(metrics.router)
    web.include_router(login.router)
    for name in pages.MODULES:
        web.include_router(importlib.import_module(f"{pages.__name__}.{name}").router)
    for name in api.MODULES:
        web.include_router(importlib.import_module(f"{api.__name__}.{name}").router, prefix="/api/v1")
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    return web
