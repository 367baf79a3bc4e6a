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
from loa114.scheduler.errors import InputError, LoaError
from loa114.scheduler.service.app import App
from loa114.scheduler.service.fleet import Fleet
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
                "khác): dừng chương trình đó, hoặc đổi web.port trong cấu hình"
            ) from None
        raise LoaError(f"không mở được cổng {port} trên {host}: {exc.strerror or exc}") from None
    return sock


def serve(config: Config, clock: Clock, *, role: str = "all") -> None:
    """One `loa serve` process: on SQLite the whole station in this process (APScheduler); on PostgreSQL
    a member of the fleet with its `role` (`service/fleet.py`)."""
    postgres = config.database.url.startswith("postgresql")
    if role != "all" and not postgres:
        raise InputError(
            f"--role {role}: chỉ dùng khi nhiều tiến trình chung một cơ sở dữ liệu PostgreSQL "
            "(database.url); với SQLite chạy `loa serve` (một tiến trình làm tất cả)"
        )
    web = role in ("all", "web")
    sock = bind(config.web.host, config.web.port) if web else None
    app = App.create(config)
    station = Station(app)
    if postgres:
        _serve_fleet(Fleet(station, clock, role=role), sock)
        return
    runtime = Runtime(station, clock)
    server = uvicorn.Server(uvicorn.Config(create_web(runtime), log_level="warning"))
    # uvicorn (>= 0.29) leaves signals alone outside the main thread: SIGTERM is the runtime's
    web_thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True)
    runtime.install_signal_handlers()
    _starting(config, clock, "all")
    finished = True
    try:
        web_thread.start()
        runtime.start()
        runtime.wait()
    finally:
        server.should_exit = True
        finished = runtime.stop()
        web_thread.join(timeout=5)
        if sock is not None:
            sock.close()
        app.close()
        log.info("service stopped")
    if not finished:  # a step stuck on the network would hold the interpreter's exit: its row is leased
        logging.shutdown()  # or claimed, so the next start resolves it; nothing is lost by leaving now
        os._exit(0)


def _serve_fleet(fleet: Fleet, sock: socket.socket | None) -> None:
    config = fleet.station.config
    server = uvicorn.Server(uvicorn.Config(create_web(fleet), log_level="warning")) if sock else None
    web_thread = None
    if server is not None:
        web_thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True)
        web_thread.start()
    _starting(config, fleet.clock, fleet.role)
    try:
        fleet.run()
    finally:
        if server is not None and web_thread is not None:
            server.should_exit = True
            web_thread.join(timeout=5)
        if sock is not None:
            sock.close()
        fleet.station.app.close()
        log.info("service stopped role=%s", fleet.role)


def _starting(config: Config, clock: Clock, role: str) -> None:
    log.info(
        "service starting commune=%s role=%s config=%s db=%s playout=%s web=http://%s:%d now=%s",
        config.commune.name,
        role,
        config.source,
        config.database.url,
        config.playout.dir,
        config.web.host,
        config.web.port,
        clock.now().isoformat(timespec="seconds"),
    )
