"""The HTTP side of the service; today `GET /healthz` for monitoring (JSON)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from scheduler.db.engine import ping
from scheduler.runtime import Runtime


def create_web(runtime: Runtime) -> FastAPI:
    web = FastAPI(title="Loa 114", docs_url=None, redoc_url=None)

    @web.get("/healthz")
    def healthz() -> JSONResponse:
        db_ok = ping(runtime.station.app.db.engine)
        ok = db_ok and runtime.running
        body: dict[str, Any] = {
            "status": "ok" if ok else "degraded",
            "scheduler": "running" if runtime.running else "stopped",
            "next_airtime": runtime.next_airtime(),
            "db": "ok" if db_ok else "error",
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    return web
