"""`GET /healthz` for monitoring (JSON), open without signing in.

It answers from what the runtime keeps in memory (the database's health is that of the last heartbeat,
written every 4 s, and the queue depths are counted at that heartbeat), on the event loop, so it answers
at once while renders, evaluations and deliveries keep the worker threads busy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loa114.scheduler.programs.runs import SLACK
from loa114.scheduler.service.runtime import TICK_SECONDS
from loa114.scheduler.web.context import WebContext

STALE_TICK_S = 3 * TICK_SECONDS  # the tick is late by two rounds: something holds the service up


router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """Open to anyone (monitoring); says nothing a stranger could use (host and pid tell the processes of
    one database apart)."""
    runtime = WebContext.of(request).runtime
    station = runtime.station
    now = runtime.clock.now()
    vitals = station.vitals
    with vitals.lock:
        tick_at, db_ok_at = vitals.last_tick_at, vitals.db_ok_at
        air_at, lateness = vitals.last_air_at, vitals.last_air_lateness_s
        backlog = vitals.backlog
    tick_age = None if tick_at is None else round((now - tick_at).total_seconds(), 1)
    db_ok = db_ok_at is not None and now - db_ok_at <= SLACK
    ok = db_ok and runtime.running and tick_age is not None and tick_age <= STALE_TICK_S
    tz = station.config.tz

    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None

    body: dict[str, Any] = {
        "status": "ok" if ok else "degraded",
        "scheduler": "running" if runtime.running else "stopped",
        "next_airtime": runtime.next_airtime(),
        "db": "ok" if db_ok else "error",
        "run": station.run_id,
        "role": station.role,
        "pid": station.pid,
        "host": station.host,
        "last_beat_at": local(db_ok_at),
        "last_beat_age_s": None if db_ok_at is None else round((now - db_ok_at).total_seconds(), 1),
        "queue": backlog.queues() if backlog else None,
        "last_tick_age_s": tick_age,
        "last_air_at": local(air_at),
        "last_air_lateness_s": lateness,
        "gtts_cooling_down": station.gtts_cooling_down(),
    }
    return JSONResponse(body, status_code=200 if ok else 503)
