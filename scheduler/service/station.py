"""The service's steps, each testable with an explicit `now`, and the commands built from the same parts.

The runtime (APScheduler) calls each step on its own lane — airing never waits for rendering, evaluation
or delivery; `tick(now)` runs them all in order, for tests and one-shot commands.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from content.text import clean_text
from scheduler.campaign.evaluation import Evaluation, evaluate_if_due
from scheduler.campaign.outbox import DeliveryResult, deliver_due
from scheduler.db.models import Broadcast, Status
from scheduler.errors import InputError
from scheduler.events import AlertIssued
from scheduler.programs.airing import (
    AirResult,
    claim,
    due_for_air,
    mark_missed,
    publish,
    reconcile_manifests,
    resolve_interrupted,
)
from scheduler.programs.cleanup import CleanupReport, cleanup
from scheduler.programs.planner import Occurrence, airtime_of, occurrences
from scheduler.programs.rows import plan_rows, remove_folders
from scheduler.programs.studio import BuildResult, ProgramBuilds
from scheduler.service.app import App
from scheduler.service.runs import BEAT_INTERVAL, CATCH_UP, beat, last_seen, start_run, stop_run

log = logging.getLogger(__name__)
RERENDER_MARGIN = timedelta(minutes=2)  # a ready program this close to airtime is left as it is
ALERT_BUDGET_S = 3.0  # how long an urgent alert waits for the online voice before the offline one speaks


@dataclass(frozen=True)
class TickReport:
    missed: list[AirResult]
    built: list[BuildResult]
    aired: list[AirResult]
    delivered: list[DeliveryResult]


@dataclass
class Vitals:
    """What `/healthz` reports: when the last tick completed, and how late the last airing started."""

    last_tick_at: datetime | None = None
    last_air_at: datetime | None = None
    last_air_lateness_s: float | None = None
    db_ok_at: datetime | None = None  # the last heartbeat the database took
    lock: threading.Lock = field(default_factory=threading.Lock)

    def aired(self, result: AirResult, now: datetime) -> None:
        if result.lateness_s is not None:
            with self.lock:
                self.last_air_at, self.last_air_lateness_s = now, result.lateness_s


class Station:
    def __init__(self, app: App):
        self.app = app
        self.builds = ProgramBuilds(app)
        self.run_id: int | None = None
        self.vitals = Vitals()
        self._catch_up_from: datetime | None = None
        self._render_lock = threading.Lock()
        self._playout = ThreadPoolExecutor(8, thread_name_prefix="playout")
        self.on_unready: Callable[[Broadcast], None] | None = None  # the runtime renders it on its own lane

    # -- the run: who was up when ---------------------------------------------------------------------

    def start_run(self, now: datetime, *, role: str = "all") -> int:
        """Register this process; account for what happened while no process ran (bounded to a week)."""
        with self.app.db.session() as session:
            since = last_seen(session, now)
            self.run_id = start_run(session, now, host=socket.gethostname(), pid=os.getpid(), role=role)
        with self.vitals.lock:
            self.vitals.db_ok_at = now
        self._catch_up_from = min(since, now) if since else now
        resolved = resolve_interrupted(self.app, now, self.run_id)
        fixed = reconcile_manifests(self.app, (since or now) - CATCH_UP)
        log.info(
            "run started run=%s role=%s catch_up_from=%s interrupted_resolved=%d manifests_fixed=%d",
            self.run_id, role, self._catch_up_from.isoformat(timespec="seconds"), len(resolved), fixed,
        )  # fmt: skip
        return self.run_id

    @contextmanager
    def running(self, clock: Callable[[], datetime], *, role: str) -> Iterator[int]:
        """A run for a one-shot command that airs (`loa alert`): registered, beating in the background
        while the command works (a player may take minutes), stopped at the end."""
        run_id = self.start_run(clock(), role=role)
        done = threading.Event()

        def beat_loop() -> None:
            while not done.wait(BEAT_INTERVAL.total_seconds()):
                self.beat(clock())

        thread = threading.Thread(target=beat_loop, name="heartbeat", daemon=True)
        thread.start()
        try:
            yield run_id
        finally:
            done.set()
            thread.join()
            self.stop_run(clock())

    def beat(self, now: datetime) -> None:
        if self.run_id is not None:
            with self.app.db.session() as session:
                self.run_id = beat(session, self.run_id, now)
            with self.vitals.lock:
                self.vitals.db_ok_at = now

    def stop_run(self, now: datetime, *, wait: bool = True) -> None:
        if self.run_id is not None:
            with self.app.db.session() as session:
                stop_run(session, self.run_id, now)
        self._playout.shutdown(wait=wait)

    # -- the steps ------------------------------------------------------------------------------------

    def tick(self, now: datetime) -> TickReport:
        """Every step once, in order (the runtime runs them on separate lanes)."""
        if self.run_id is None:
            self.start_run(now)
        self.beat(now)
        self.maintain(now)
        missed = mark_missed(self.app, now)
        self.evaluate(now)
        built = self.render_due(now)
        aired = self.air_due(now, render_late=True)
        built += self.rerender_offline(now)
        delivered = deliver_due(self.app, now)
        with self.vitals.lock:
            self.vitals.last_tick_at = now
        return TickReport(missed, [b for b in built if b.built], aired, delivered)

    def maintain(self, now: datetime) -> None:
        """Rows for every occurrence of the horizon (and, after a restart, of what it did not see), and
        rows left airing by a process that died."""
        config = self.app.config
        start = self._catch_up_from or now - config.schedule.misfire_grace - timedelta(minutes=1)
        end = now + timedelta(days=config.schedule.horizon_days)
        with self.app.db.session() as session:
            removed = plan_rows(session, config, start, end, now)
        remove_folders(config.playout.dir, removed)
        self._catch_up_from = None
        resolve_interrupted(self.app, now, self.run_id)

    def mark_missed(self, now: datetime) -> list[AirResult]:
        return mark_missed(self.app, now)

    def cleanup(self, now: datetime) -> CleanupReport:
        """Keep the disk bounded: old playout folders and least recently used cache entries."""
        return cleanup(self.app, now)

    def evaluate(self, now: datetime) -> Evaluation | None:
        """The daily evaluation of the villages (a changed village changes its zone's programs' inputs:
        the render step rebuilds them)."""
        return evaluate_if_due(self.app, now)

    def air_due(self, now: datetime, *, render_late: bool = False, wait: bool = True) -> list[AirResult]:
        """Claim every due program and publish each on its own playout thread: a player that plays one
        zone's program to the end must not delay the next zone. A program not built yet is rendered late
        here only when `render_late` (one-shot use); the service hands it to its render lane instead."""
        futures: list[Future[AirResult]] = []
        for row in due_for_air(self.app, now):
            if row.status == Status.PLANNED:
                if render_late and row.kind == "slot":
                    self.build(row.day, row.slot_id, row.zone_id, now)
                elif self.on_unready is not None:
                    self.on_unready(row)
                    continue
                else:
                    continue
            got = claim(self.app, row.id, now, self.run_id)
            if got is not None:
                futures.append(self._playout.submit(self._publish, got, now))
        return [f.result() for f in futures] if wait else []

    def _publish(self, row: Broadcast, now: datetime) -> AirResult:
        result = publish(self.app, row, now)
        self.vitals.aired(result, now)
        return result

    def render_due(self, now: datetime) -> list[BuildResult]:
        """Build what is due within the lead time, and rebuild every ready program whose inputs changed
        (down to `RERENDER_MARGIN` before airtime)."""
        with self._render_lock:
            results = [
                self.build(o.day, o.slot.id, zone_id, now)
                for o in self.upcoming(now)
                for zone_id in self.app.config.slot_zones(o.slot)
            ]
            seen = {(r.day, r.slot, r.zone) for r in results}
            for row in self._ready_ahead(now):
                if (row.day, row.slot_id, row.zone_id) not in seen:
                    results.append(self.build(row.day, row.slot_id, row.zone_id, now))
        return results

    def upcoming(self, now: datetime) -> list[Occurrence]:
        """Slots whose program should exist by now: airtime within the lead time (or the grace, late)."""
        schedule = self.app.config.schedule
        return occurrences(
            self.app.config, now - schedule.misfire_grace, now + schedule.lead_time + timedelta(seconds=1)
        )

    def build(
        self, day: date, slot_id: str, zone_id: str, now: datetime, *, rebuild: str | None = None
    ) -> BuildResult:
        slot = self.app.config.slot(slot_id)
        near = airtime_of(day, slot, self.app.config.tz) - now < RERENDER_MARGIN
        # too close to airtime to start over: only a missing program is built (unless asked)
        return self.builds.build_slot(
            day, slot, zone_id, now, rebuild=rebuild, refresh=rebuild is not None or not near
        )

    def _ready_ahead(self, now: datetime, *criteria: object) -> list[Broadcast]:
        """Slot programs that are built and whose airtime is far enough ahead to build them again."""
        with self.app.db.session() as session:
            return list(
                session.scalars(
                    select(Broadcast)
                    .where(
                        Broadcast.status == Status.READY,
                        Broadcast.kind == "slot",
                        Broadcast.airtime > now + RERENDER_MARGIN,
                        *criteria,  # type: ignore[arg-type]
                    )
                    .order_by(Broadcast.airtime, Broadcast.zone_id)
                ).all()
            )

    def refresh(self, now: datetime) -> list[BuildResult]:
        """Rebuild the ready programs whose inputs changed (after an import or an evaluation)."""
        with self._render_lock:
            return [
                r
                for r in (self.build(b.day, b.slot_id, b.zone_id, now) for b in self._ready_ahead(now))
                if r.built
            ]

    def build_days(
        self, first: date, days: int, now: datetime, slot_id: str | None = None, *, force: bool = False
    ) -> list[BuildResult]:
        """`loa program build`: every slot (or one) of `days` days from `first`, every zone — missing
        programs built, stale ones rebuilt (saying why), `force` rebuilds every one not yet aired."""
        config = self.app.config
        if slot_id is not None:
            try:
                config.slot(slot_id)
            except KeyError:
                raise InputError(f"--slot: không có khung giờ {slot_id!r} trong cấu hình") from None
        results = []
        with self._render_lock:
            for offset in range(days):
                day = first + timedelta(days=offset)
                for slot in config.slots:
                    if (slot_id and slot.id != slot_id) or not slot.runs_on(day):
                        continue
                    if airtime_of(day, slot, config.tz) < now - config.schedule.misfire_grace:
                        continue  # its airtime has passed: it would only be marked missed
                    for zone_id in config.slot_zones(slot):
                        reason = "dựng lại theo yêu cầu (--force)" if force else None
                        results.append(self.build(day, slot.id, zone_id, now, rebuild=reason))
        return results

    def rerender_offline(self, now: datetime) -> list[BuildResult]:
        """Programs spoken by the offline voice are built again online once gTTS answers again (asked
        once per call — the runtime calls this every `audio.gtts_probe_interval`)."""
        if "gtts" not in self.app.audio.engines:
            return []
        rows = self._ready_ahead(now, Broadcast.offline_items > 0)
        if not rows or not self.app.speaker.probe("gtts"):
            return []
        reason = "đọc lại bằng giọng trực tuyến (gTTS trả lời trở lại)"
        with self._render_lock:
            return [self.build(row.day, row.slot_id, row.zone_id, now, rebuild=reason) for row in rows]

    # -- urgent alerts --------------------------------------------------------------------------------

    def alert(
        self, message: str, zones: Sequence[str] | None, now: datetime, *, budget_s: float = ALERT_BUDGET_S
    ) -> list[BuildResult | AirResult]:
        """An urgent alert: spoken (the online voice gets `budget_s`) and published at once on the chosen
        zones (default: all)."""
        config = self.app.config
        known = [z.id for z in config.zones]
        chosen = list(zones) if zones else known
        unknown = [z for z in chosen if z not in known]
        if unknown:
            raise InputError(
                f"--zones: không có cụm loa {', '.join(unknown)}; các cụm loa: {', '.join(known)}"
            )
        message = clean_text(message)
        if not message.strip():
            raise InputError("nội dung thông báo khẩn đang trống")
        script = self.app.library(now).urgent()
        if script is None:
            raise InputError(f"thư mục {config.scripts.dir} không có bài mẫu thông báo khẩn (urgent: true)")
        local = now.astimezone(config.tz)
        slot_id = self._free_alert_slot(local.date(), f"khan-{local:%H%M%S}")
        names = tuple(config.zone(z).name for z in chosen)
        outcomes: list[BuildResult | AirResult] = []
        futures = []
        for zone_id in chosen:
            where = (zone_id, slot_id, local.date())
            built = self.builds.build_alert(script, message, where, now, zones=names, budget_s=budget_s)
            outcomes.append(built)
            got = claim(self.app, built.broadcast_id, now, self.run_id) if built.built else None
            if got is not None:
                futures.append(self._playout.submit(self._publish, got, now))
        outcomes += [f.result() for f in futures]
        with self.app.db.session() as session:
            ids = tuple(o.broadcast_id for o in outcomes if isinstance(o, BuildResult))
            self.app.events.record(
                session, AlertIssued(at=now, message=message, zones=tuple(chosen), broadcasts=ids)
            )
        return outcomes

    def _free_alert_slot(self, day: date, base: str) -> str:
        """`khan-HHMMSS`, or `khan-HHMMSS-2`, `-3`… when alerts come within the same second."""
        with self.app.db.session() as session:
            taken = set(
                session.scalars(
                    select(Broadcast.slot_id).where(Broadcast.day == day, Broadcast.slot_id.startswith(base))
                )
            )
        slot_id, n = base, 1
        while slot_id in taken:
            n += 1
            slot_id = f"{base}-{n}"
        return slot_id

    def next_airtime(self, now: datetime) -> datetime | None:
        found = occurrences(self.app.config, now, now + timedelta(days=8))
        return found[0].airtime if found else None
