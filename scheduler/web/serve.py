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
import time
from concurrent.futures import ThreadPoolExecutor

import uvicorn

from loa114.scheduler.accounts import ProvinceAccounts
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import Config
from loa114.scheduler.config.province import Province
from loa114.scheduler.db.engine import Database, Engines
from loa114.scheduler.errors import InputError, LoaError
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import STOP_TIMEOUT_S, Runtime
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


def serve(province: Province, commune: str | None, clock: Clock, *, role: str = "all") -> None:
    """One `loa serve` process. SQLite: one commune's whole station in this process (APScheduler).
    PostgreSQL: a member of the fleet (`service/fleet.py`) working for every commune of the province, its
    web side serving `commune` (default: the first)."""
    first = next(iter(province.communes.values()))
    postgres = first.database.url.startswith("postgresql")
    if role != "all" and not postgres:
        raise InputError(
            f"--role {role}: chỉ dùng khi nhiều tiến trình chung một cơ sở dữ liệu PostgreSQL "
            "(database.url); với SQLite chạy `loa serve` (một tiến trình làm tất cả)"
        )
    if postgres:
        _serve_fleet(province, commune, clock, role)
        return
    config = province.commune(commune)  # SQLite: one process per commune
    sock = bind(config.web.host, config.web.port)
    app = App.create(config)
    station = Station(app)
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
        sock.close()
        app.close()
        log.info("service stopped")
    if not finished:  # a step stuck on the network would hold the interpreter's exit: its row is leased
        logging.shutdown()  # or claimed, so the next start resolves it; nothing is lost by leaving now
        os._exit(0)


def _serve_fleet(province: Province, commune: str | None, clock: Clock, role: str) -> None:
    from loa114.scheduler.service.fleet import Fleet, stations_for  # procrastinate: only for PostgreSQL

    web_config = province.commune(commune) if commune else next(iter(province.communes.values()))
    sock = bind(web_config.web.host, web_config.web.port) if role in ("all", "web") else None
    engines = Engines()  # one pool for every commune of this process
    playout = ThreadPoolExecutor(16, thread_name_prefix="playout")  # shared by every commune's station
    passwords = Passwords()
    stations = stations_for(province.communes, engines, passwords, playout)
    fleet = Fleet(stations, clock, role=role, web_commune=web_config.commune.id)
    accounts = (
        _province_accounts(province, engines, passwords) if sock is not None else None
    )  # only a web side signs in
    site = create_web(fleet, communes=fleet.communes(), province=accounts)
    server = uvicorn.Server(uvicorn.Config(site, log_level="warning")) if sock else None
    web_thread = None
    if server is not None:
        web_thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="web", daemon=True)
        web_thread.start()
    _starting(web_config, clock, role, communes=len(stations))
    try:
        fleet.run()
    finally:
        if server is not None and web_thread is not None:
            server.should_exit = True
            web_thread.join(timeout=5)
        if sock is not None:
            sock.close()
        for station in stations.values():
            station.app.close()
        playout.shutdown(wait=False, cancel_futures=True)
        engines.dispose()
        log.info("service stopped role=%s", role)
    _leave_when_idle(STOP_TIMEOUT_S)


def _province_accounts(province: Province, engines: Engines, passwords: Passwords) -> ProvinceAccounts | None:
    """The province's own accounts, in its shared store (none for a plain config.yaml)."""
    shared = province.database
    if shared is None:
        return None
    database = Database(shared.url, schema=shared.schema_name, base=engines.engine(shared.url))
    return ProvinceAccounts.open(province.name, database, passwords)


def _leave_when_idle(timeout: float) -> None:
    """Let the threads still publishing or running a step finish for up to `timeout` seconds, then leave
    even if some have not: their rows are claimed or leased, and the next process resolves them."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    if any(
        t.is_alive() and not t.daemon and t is not threading.current_thread() for t in threading.enumerate()
    ):
        log.warning("threads still running at shutdown: leaving; the next process resolves their rows")
        logging.shutdown()
        os._exit(0)


def _starting(config: Config, clock: Clock, role: str, *, communes: int = 1) -> None:
    log.info(
        "service starting commune=%s communes=%d role=%s config=%s db=%s playout=%s web=http://%s:%d now=%s",
        config.commune.name,
        communes,
        role,
        config.source,
        config.database.url,
        config.playout.dir,
        config.web.host,
        config.web.port,
        clock.now().isoformat(timespec="seconds"),
    )
