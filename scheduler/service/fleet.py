"""`loa serve` on PostgreSQL: any number of processes, on one or several machines, share the station's work.

APScheduler 3 keeps its jobs in one process, so on PostgreSQL the *when* is procrastinate's (jobs in the
database, periodic deferrals kept once by a unique constraint, LISTEN/NOTIFY wake-ups, worker heartbeats);
the *what* is the same `Station` the single-process runtime drives (`fleet_jobs.py` lists the steps). A
process is started with a role: `all` (the default: schedules, works and serves the web), `scheduler` (the
tick and taking over dead workers' jobs), `worker` (airing, rendering, delivering) or `web` (pages only).
Any role may run several times; a SIGKILLed process's programs air from another within the grace.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from procrastinate import App as QueueApp
from procrastinate import PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import Engine, text

from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Engines
from loa114.scheduler.programs.runs import BEAT_INTERVAL
from loa114.scheduler.service import fleet_jobs
from loa114.scheduler.service.airgate import AirGate
from loa114.scheduler.service.app import App
from loa114.scheduler.service.attention import needing_air
from loa114.scheduler.service.runtime import STOP_TIMEOUT_S
from loa114.scheduler.service.station import Station

log = logging.getLogger(__name__)
R = TypeVar("R")
ROLES = ("all", "scheduler", "worker", "web")
QUEUES: dict[str, list[str]] = {
    "all": [fleet_jobs.SCHEDULE_QUEUE, fleet_jobs.AIR_QUEUE, fleet_jobs.WORK_QUEUE],
    "scheduler": [fleet_jobs.SCHEDULE_QUEUE],
    "worker": [fleet_jobs.AIR_QUEUE, fleet_jobs.WORK_QUEUE],
}
SCHEMA_LOCK = 0x10A114_0002  # pg_advisory_lock key: one process creates procrastinate's tables
LAST_TICK = "SELECT max(defer_timestamp) FROM procrastinate_periodic_defers WHERE periodic_id = 'tick'"
CONCURRENCY = fleet_jobs.AIR_SHARDS + 4  # jobs one process runs at once (sync steps on threads): a burst
# takes every shard at once and leaves room for the steps already running
POLL_S = 0.25  # a job scheduled for airtime starts at most this late (plus the fetch itself)


def libpq_url(url: str) -> str:
    """SQLAlchemy's `postgresql+psycopg://…` as libpq (procrastinate's connector) reads it."""
    return "postgresql://" + url.split("://", 1)[1]


def ensure_queue_schema(engine: Engine) -> bool:
    """Create procrastinate's tables once, under an advisory lock (processes started together wait);
    True when this call created them."""
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        try:
            if connection.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None:
                return False
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute(QueueApp(connector=PsycopgConnector()).schema_manager.get_schema())
            raw.commit()
            log.info("queue schema created")
            return True
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
            connection.commit()


def stations_for(
    communes: Mapping[str, Config],
    engines: Engines,
    passwords: Passwords,
    playout: ThreadPoolExecutor | None = None,
) -> dict[str, Station]:
    """Every commune's station as one fleet process keeps them: one pool, one password hasher (each hasher
    makes an argon2 hash when built: 0.1 s, 7 s for 65 communes) and, when given, one set of playout threads."""
    return {
        key: Station(
            App.create(config, engine=engines.engine(config.database.url), passwords=passwords),
            playout=playout,
        )
        for key, config in communes.items()
    }


@dataclass(frozen=True)
class FleetCommune:
    """One commune of the fleet, as the web side reads a driver."""

    fleet: Fleet
    station: Station

    @property
    def clock(self) -> Clock:
        return self.fleet.clock

    @property
    def running(self) -> bool:
        return self.fleet.running

    def next_airtime(self) -> str | None:
        return self.station.next_airtime_text(self.fleet.clock.now())


class Fleet:
    """The PostgreSQL counterpart of `Runtime`: the same stations and steps, scheduled by procrastinate,
    for every commune of the province (`stations`, by commune key). Offers what the web side reads of a
    runtime (`station` — the commune this process serves pages for —, `clock`, `running`, `next_airtime`)."""

    def __init__(
        self, stations: dict[str, Station], clock: Clock, *, role: str = "all", web_commune: str | None = None
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.stations = stations
        self.station = stations[web_commune] if web_commune else next(iter(stations.values()))
        self.clock = clock
        self.role = role
        url = self.station.config.database.url
        self.queue = QueueApp(connector=PsycopgConnector(conninfo=libpq_url(url)))
        self.queue.add_tasks_from(fleet_jobs.jobs, namespace="loa")
        self._stop = threading.Event()
        self._started = threading.Event()
        for key, station in stations.items():
            station.on_unready = lambda _row, key=key: self.render_soon(key)  # a due program not built
        self._shards = {key: i % fleet_jobs.AIR_SHARDS for i, key in enumerate(stations)}
        self.gate = AirGate(clock.now, self._next_airtime)

    @property
    def running(self) -> bool:
        return self._started.is_set() and not self._stop.is_set()

    @property
    def engine(self) -> Engine:
        """The province's one pool: its communes are schemas of one PostgreSQL database."""
        return self.station.app.db.base

    def next_airtime(self) -> str | None:
        return self.station.next_airtime_text(self.clock.now())

    def communes(self) -> dict[str, FleetCommune]:
        """Every commune's driver, for a web side that serves them all."""
        return {key: FleetCommune(self, station) for key, station in self.stations.items()}

    def _next_airtime(self, now: datetime) -> datetime | None:
        found = [t for t in (s.next_airtime(now) for s in self.stations.values()) if t is not None]
        return min(found, default=None)

    def needing_air(self, now: datetime) -> set[str] | None:
        """The communes the air poll must look at (None: all of them, when the probe itself failed)."""
        schemas = {key: s.config.database.schema_name for key, s in self.stations.items()}
        try:
            return needing_air(self.engine, schemas, now)
        except Exception:
            log.exception("air probe failed: every commune is polled")
            return None

    def shard_of(self, commune: str) -> int:
        """The airing job a commune's programs are claimed in (by its place in the province file, which
        every process reads alike)."""
        return self._shards[commune]

    def run_step(
        self,
        name: str,
        step: Callable[[datetime], R],
        *,
        commune: str,
        yields: bool = True,
        now: datetime | None = None,
    ) -> R | None:
        """One commune's step as of `now` (default: the clock's, after any airing of this process when it
        `yields`, as every step but airing's does); a failing step is logged, stops no other commune, and
        returns None: the next round tries again."""
        if yields:
            self.gate.wait_clear(lambda: self.stopping)
        now = now or self.clock.now()
        try:
            return step(now)
        except Exception:
            log.exception("step failed kind=%s commune=%s now=%s", name, commune, now.isoformat())
            return None

    def render_soon(self, commune: str) -> None:
        """A render job for `commune` now, for what is due; one waiting per commune is enough."""
        try:
            task = self.queue.tasks["loa:render_slot"]
            task.configure(queueing_lock=f"render:{commune}:soon").defer(commune=commune, slot_key="soon")
        except AlreadyEnqueued:
            pass

    # -- the process ----------------------------------------------------------------------------------

    def run(self) -> None:
        """Register the run, beat, and work (unless `web`) until SIGTERM or SIGINT."""
        ensure_queue_schema(self.engine)
        for station in self.stations.values():
            station.start_run(self.clock.now(), role=self.role)
            if self.role != "web":  # e.g. the Icecast adapter's silence between programs
                for adapter in station.app.adapters:
                    adapter.start()
        beating = threading.Thread(target=self._beat_loop, name="heartbeat", daemon=True)
        self._started.set()
        beating.start()
        try:
            if self.role == "web":
                for signum in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(signum, lambda *_: self._stop.set())
                self._stop.wait()
            else:
                asyncio.run(self._work())
        finally:
            self._stop.set()
            beating.join(timeout=5)
            for station in self.stations.values():
                station.stop_run(self.clock.now(), wait=False)
                if self.role != "web":
                    for adapter in station.app.adapters:
                        adapter.close()
            log.info("fleet process stopped role=%s", self.role)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """SIGTERM came: the steps stop walking through the communes; what is left is taken up again."""
        return self._stop.is_set()

    def _stopping(self, worker: asyncio.Task[None]) -> None:
        log.info("signal received: stopping after the jobs in progress (at most %.0f s)", STOP_TIMEOUT_S)
        self._stop.set()
        worker.cancel()  # procrastinate stops fetching and waits for the running jobs (graceful timeout)

    async def _work(self) -> None:
        # procrastinate runs sync jobs on the loop's default executor: as many threads as jobs at once (the
        # default, min(32, CPUs + 4), would leave a burst's airing jobs waiting behind other steps)
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="job")
        )
        async with self.queue.open_async():
            if self.role in ("all", "scheduler"):  # rows and precise jobs now, not at the next round
                try:
                    tick = self.queue.tasks["loa:tick"].configure(queueing_lock="tick:start")
                    await tick.defer_async(timestamp=int(time.time()))
                except AlreadyEnqueued:
                    pass
            log.info("fleet worker started role=%s queues=%s", self.role, ",".join(QUEUES[self.role]))
            worker = asyncio.create_task(
                self.queue.run_worker_async(
                    queues=QUEUES[self.role],
                    name=f"{socket.gethostname()}:{os.getpid()}:{self.role}",
                    concurrency=CONCURRENCY,
                    fetch_job_polling_interval=POLL_S,
                    update_heartbeat_interval=fleet_jobs.HEARTBEAT_S,
                    stalled_worker_timeout=fleet_jobs.STALLED_S,
                    additional_context={"fleet": self},
                    delete_jobs="successful",
                    install_signal_handlers=False,  # ours, below: they also stop the loops over communes
                    shutdown_graceful_timeout=STOP_TIMEOUT_S,  # a step left unfinished is taken up again
                )
            )
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self._stopping, worker)
            try:
                await worker
            except asyncio.CancelledError:
                log.info("fleet worker stopped role=%s", self.role)

    def _beat_loop(self) -> None:
        """This run's heartbeat, and the fleet's last tick (whichever process ran it) for `/healthz`."""
        while not self._stop.wait(BEAT_INTERVAL.total_seconds()):
            try:
                now = self.clock.now()
                counts = not self.gate.near(now)  # the backlog's counts can wait for the burst to pass
                for station in self.stations.values():
                    station.beat(now, counts=counts)
                with self.engine.connect() as connection:
                    ticked = connection.scalar(text(LAST_TICK))
                if ticked is not None:  # the fleet's last tick, whichever process ran it
                    age = max(0.0, time.time() - float(ticked))
                    for station in self.stations.values():
                        with station.vitals.lock:
                            station.vitals.last_tick_at = now - timedelta(seconds=age)
            except Exception:
                log.exception("heartbeat failed")
