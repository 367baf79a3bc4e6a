"""`loa serve`: the station, its APScheduler runtime and the HTTP side in one process.

The HTTP socket is bound before anything starts, so a port already taken stops the service at once with
one clear line, instead of a service running without its HTTP side.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading

import uvicorn

from loa114.scheduler.clock import Clock
from loa114.scheduler.config import Config
from loa114.scheduler.errors import LoaError
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

log = logging.getLogger(__name__)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (`host`, `port`), or a LoaError a person can act on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise LoaError(
                f"cổng {port} trên {host} đang được một chương trình khác dùng (có thể là một `loa serve` "
                "khác): dừng chương trình đó, hoặc chọn cổng khác (`loa serve --port N` hoặc web.port trong cấu hình)"
            ) from None
        raise LoaError(f"không mở được cổng {port} trên {host}: {exc.strerror or exc}") from None
    return sock


def serve(config: Config, clock: Clock) -> None:
    sock = bind(config.web.host, config.web.port)
    app = App.create(config)
    runtime = Runtime(Station(app), clock)
    server = uvicorn.Server(uvicorn.Config(create_web(runtime), log_level="warning"))
    # uvicorn (>= 0.29) leaves signals alone outside the main thread: SIGTERM is the runtime's
    web_thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True)
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
    finished = True
    try:
        web_thread.start()
        runtime.start()
        runtime.wait()
    finally:
        server.should_exit = True
        finished = runtime.stop()
        web_thread.join(timeout=5)
        sock.close()
        app.close()
        log.info("service stopped")
    if not finished:  # a step stuck on the network would hold the interpreter's exit: its row is leased
        logging.shutdown()  # or claimed, so the next start resolves it; nothing is lost by leaving now
        os._exit(0)
