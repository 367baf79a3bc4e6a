"""`loa serve`: APScheduler 3 in one process decides *when* each step of the station runs, on its own lane.

Airing has its own executor and takes no lock (claiming a ready program is one conditional update), so no
render, evaluation, delivery or HTTP request can hold it up:

- executor `air`: `air:<date>:<slot>` at each airtime (within `misfire_grace`), `air-poll` every 10 s (the
  safety net: claims what is due, marks what passed as missed), `beat` every 4 s (the run's heartbeat);
- executor `default`, one job each, never two of a kind at once: `tick` (rows for the horizon, rows left
  airing by a dead process, the precise jobs), `render` every minute and `render:<date>:<slot>` at airtime
  − lead time, `evaluate` (villages, then the police reports due), `deliver`, `probe` (gTTS back? speak the offline items online again), `cleanup`.

The database rows are the truth; APScheduler keeps nothing durable, so its in-memory job store is enough.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from loa114.scheduler.clock import Clock, utcnow
from loa114.scheduler.db.models import Broadcast
from loa114.scheduler.programs.planner import occurrences
from loa114.scheduler.programs.runs import BEAT_INTERVAL
from loa114.scheduler.service.station import Station

log = logging.getLogger(__name__)
TICK_SECONDS = 60
AIR_POLL_SECONDS = 10
STOP_TIMEOUT_S = 10.0  # a step still running after this is abandoned at shutdown (a restart resolves it)


class Runtime:
    def __init__(self, station: Station, clock: Clock):
        self.station = station
        self.clock = clock
        config = station.config
        self.scheduler = BackgroundScheduler(
            timezone=config.tz,
            executors={"default": ThreadPoolExecutor(10), "air": ThreadPoolExecutor(4)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._stop = threading.Event()
        self._busy = 0
        self._idle = threading.Condition()
        station.on_unready = self._render_soon

    # -- the plan of precise jobs ---------------------------------------------------------------------

    def job_plan(self, now: datetime) -> list[tuple[str, datetime, str, int | None]]:
        """(job id, airtime-clock run time, kind, misfire grace s) for every upcoming slot job."""
        config = self.station.config
        schedule = config.schedule
        horizon = now + timedelta(days=schedule.horizon_days)
        plan: list[tuple[str, datetime, str, int | None]] = []
        for occ in occurrences(config, now, horizon):
            key = f"{occ.day.isoformat()}:{occ.slot.id}"
            render_at = occ.airtime - schedule.lead_time
            if render_at > now:
                plan.append((f"render:{key}", render_at, "render", None))
            plan.append((f"air:{key}", occ.airtime, "air", int(schedule.misfire_grace.total_seconds())))
        return plan

    def schedule_jobs(self, now: datetime) -> None:
        for job_id, run_at, kind, grace in self.job_plan(now):
            self.scheduler.add_job(
                self.render if kind == "render" else self.air,
                DateTrigger(run_date=self.clock.to_real(run_at)),
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=grace,
                executor="air" if kind == "air" else "default",
            )

    # -- the steps, each on its lane ------------------------------------------------------------------

    def _run(self, name: str, step: Callable[[datetime], Any]) -> None:
        """Run one step as of the clock's now; a failing step is logged, never kills its lane."""
        if self._stop.is_set():
            return
        with self._idle:
            self._busy += 1
        now = self.clock.now()
        try:
            step(now)
        except Exception:
            log.exception("step failed kind=%s now=%s", name, now.isoformat())
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def tick(self) -> None:
        def step(now: datetime) -> None:
            self.station.maintain(now)
            if not self._stop.is_set():
                self.schedule_jobs(now)
            with self.station.vitals.lock:
                self.station.vitals.last_tick_at = now

        self._run("tick", step)

    def render(self) -> None:
        def step(now: datetime) -> None:
            self.station.render_due(now)
            self.station.air_due(now, wait=False)  # a program built late, within the grace, airs now

        self._run("render", step)

    def air(self) -> None:
        self._run("air", lambda now: self.station.air_due(now, wait=False))

    def air_poll(self) -> None:
        def step(now: datetime) -> None:
            self.station.mark_missed(now)
            self.station.air_due(now, wait=False)

        self._run("air-poll", step)

    def beat(self) -> None:
        self._run("beat", self.station.beat)

    def evaluate(self) -> None:
        def step(now: datetime) -> None:
            evaluation = self.station.evaluate(now)
            issued = self.station.issue_reports(now)
            if issued or (evaluation is not None and (evaluation.reminders or evaluation.escalations)):
                self._soon("deliver")  # new notices go out now, not at the next round

        self._run("evaluate", step)

    def deliver(self) -> None:
        self._run("deliver", self.station.app.outbox.deliver_due)

    def probe(self) -> None:
        self._run("probe", self.station.rerender_offline)

    def cleanup(self) -> None:
        self._run("cleanup", self.station.cleanup)

    def _render_soon(self, row: Broadcast) -> None:
        """A program is due and not built: render now, on the render lane (airing does not wait for it)."""
        self._soon("render")

    def _soon(self, job_id: str) -> None:
        job = self.scheduler.get_job(job_id)
        if job is not None:
            job.modify(next_run_time=utcnow())

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Register the run (catching up on what happened while no process ran), then start every lane;
        the tick and the render step run at once."""
        self.station.start_run(self.clock.now())
        audio = self.station.config.audio
        every = [
            ("beat", self.beat, BEAT_INTERVAL.total_seconds(), "air", True),
            ("air-poll", self.air_poll, AIR_POLL_SECONDS, "air", True),
            ("tick", self.tick, TICK_SECONDS, "default", True),
            ("render", self.render, TICK_SECONDS, "default", True),
            ("evaluate", self.evaluate, TICK_SECONDS, "default", True),
            ("deliver", self.deliver, TICK_SECONDS, "default", False),
            ("probe", self.probe, audio.gtts_probe_interval.total_seconds(), "default", False),
        ]
        for job_id, func, seconds, executor, at_once in every:
            first = {"next_run_time": utcnow()} if at_once else {}  # None would add the job paused
            self.scheduler.add_job(
                func,
                IntervalTrigger(seconds=seconds),
                id=job_id,
                name=job_id,
                replace_existing=True,
                executor=executor,
                **first,
            )
        self.scheduler.add_job(
            self.cleanup, CronTrigger(hour=3, minute=15), id="cleanup", name="cleanup", replace_existing=True
        )
        self.scheduler.start()
        for adapter in self.station.app.adapters:
            adapter.start()
        log.info(
            "runtime started jobs=%d next_airtime=%s", len(self.scheduler.get_jobs()), self.next_airtime()
        )

    def next_airtime(self) -> str | None:
        return self.station.next_airtime_text(self.clock.now())

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    def install_signal_handlers(self) -> None:
        def handle(signum: int, _frame: FrameType | None) -> None:
            log.info("signal received signum=%d: shutting down", signum)
            self._stop.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def wait(self) -> None:
        self._stop.wait()

    def stop(self) -> bool:
        """Stop taking new work, wait (up to `STOP_TIMEOUT_S`) for the steps in progress, record the stop;
        False when some step is still running (e.g. a delivery to a gateway that never answers).

        `shutdown(wait=True)` would hold APScheduler's job-store lock while a running tick adds jobs: a
        deadlock. So the scheduler stops without waiting, and our own count of running steps is waited on.
        """
        self._stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._idle:
            idle = self._idle.wait_for(lambda: self._busy == 0, timeout=STOP_TIMEOUT_S)
            if not idle:
                log.warning(
                    "steps still running at shutdown busy=%d: a restart resolves their work", self._busy
                )
        for adapter in self.station.app.adapters:
            adapter.close()
        self.station.stop_run(self.clock.now())
        log.info("runtime stopped")
        return idle
