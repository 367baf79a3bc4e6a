"""`loa serve`: APScheduler 3 in one process decides *when* to call the station.

Jobs (explicit ids, `replace_existing`): `render:<date>:<slot>` at airtime − lead_time (a late render still
runs), `air:<date>:<slot>` at airtime (within `misfire_grace`, else APScheduler skips it and the tick marks
it missed), and `tick` every minute as the safety net that also catches up after a restart. The database
rows are the truth; APScheduler keeps nothing durable, so its in-memory job store is enough.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.clock import Clock, utcnow
from scheduler.planner import occurrences
from scheduler.station import Station

log = logging.getLogger(__name__)
TICK_SECONDS = 60


class Runtime:
    def __init__(self, station: Station, clock: Clock):
        self.station = station
        self.clock = clock
        config = station.app.config
        self.scheduler = BackgroundScheduler(
            timezone=config.tz, job_defaults={"coalesce": True, "max_instances": 1}
        )
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one station step at a time in this process

    def job_plan(self, now: datetime) -> list[tuple[str, datetime, str, int | None]]:
        """(job id, airtime-clock run time, kind, misfire grace s) for every upcoming slot job."""
        config = self.station.app.config
        schedule = config.schedule
        horizon = now + timedelta(days=schedule.horizon_days)
        plan = []
        for occ in occurrences(config, now, horizon):
            key = f"{occ.day.isoformat()}:{occ.slot.id}"
            render_at = occ.airtime - schedule.lead_time
            if render_at > now:
                plan.append((f"render:{key}", render_at, "render", None))
            plan.append((f"air:{key}", occ.airtime, "air", int(schedule.misfire_grace.total_seconds())))
        return plan

    def schedule_jobs(self, now: datetime) -> None:
        for job_id, run_at, kind, grace in self.job_plan(now):
            func = self.render if kind == "render" else self.air
            self.scheduler.add_job(
                func,
                DateTrigger(run_date=self.clock.to_real(run_at)),
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=grace,
            )

    def step(self, kind: str) -> None:
        """Run one station step as of the clock's now; a failing step is logged, never kills the loop."""
        with self._lock:
            now = self.clock.now()
            try:
                if kind == "tick":
                    self.station.tick(now)
                    if not self._stop.is_set():
                        self.schedule_jobs(now)
                elif kind == "render":
                    self.station.render_due(now)
                else:
                    self.station.air_due(now)
            except Exception:
                log.exception("step failed kind=%s now=%s", kind, now.isoformat())

    def tick(self) -> None:
        self.step("tick")

    def render(self) -> None:
        self.step("render")

    def air(self) -> None:
        self.step("air")

    def start(self) -> None:
        """Start the jobs; the first tick runs at once (catch up: mark missed, render late, air what is due)."""
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=TICK_SECONDS),
            id="tick",
            name="tick",
            replace_existing=True,
            next_run_time=utcnow(),
        )
        self.scheduler.start()
        log.info(
            "runtime started jobs=%d next_airtime=%s", len(self.scheduler.get_jobs()), self.next_airtime()
        )

    def next_airtime(self) -> str | None:
        moment = self.station.next_airtime(self.clock.now())
        return moment.astimezone(self.station.app.config.tz).isoformat(timespec="seconds") if moment else None

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

    def stop(self) -> None:
        """Stop taking new work, then wait for the step in progress to finish (it is never cut short).

        `shutdown(wait=True)` would hold APScheduler's job-store lock while a running tick adds jobs: a
        deadlock. So the scheduler stops without waiting, and our own step lock is what we wait on.
        """
        self._stop.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        with self._lock:
            pass
        log.info("runtime stopped")
