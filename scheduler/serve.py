"""`loa serve`: the station, its APScheduler runtime and the health endpoint in one process."""

from __future__ import annotations

import logging
import threading

import uvicorn

from scheduler.app import App
from scheduler.clock import Clock
from scheduler.config import Config
from scheduler.runtime import Runtime
from scheduler.station import Station
from scheduler.web import create_web

log = logging.getLogger(__name__)


def serve(config: Config, clock: Clock) -> None:
    app = App.create(config)
    runtime = Runtime(Station(app), clock)
    server = uvicorn.Server(
        uvicorn.Config(create_web(runtime), host=config.web.host, port=config.web.port, log_level="warning")
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]  # ours handle SIGTERM
    web_thread = threading.Thread(target=server.run, name="web", daemon=True)
    runtime.install_signal_handlers()
    log.info(
        "service starting commune=%s config=%s db=%s playout=%s web=http://%s:%d now=%s",
        config.commune.name,
        config.source,
        config.database.url,
        config.playout.dir,
        config.web.host,
        config.web.port,
        clock.now().isoformat(timespec="seconds"),
    )
    try:
        web_thread.start()
        runtime.start()
        runtime.wait()
    finally:
        server.should_exit = True
        runtime.stop()
        web_thread.join(timeout=5)
        app.close()
        log.info("service stopped")
