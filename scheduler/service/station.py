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
from pathlib import Path

from loa114.scheduler.campaign.columns import VillageReport
from loa114.scheduler.campaign.evaluation import Evaluation, evaluate_if_due
from loa114.scheduler.campaign.importing import ImportSummary, Origin, import_file, store_checked
from loa114.scheduler.campaign.outbox import DeliveryResult
from loa114.scheduler.db.models import Broadcast
from loa114.scheduler.programs.airing import AirResult, Outcome
from loa114.scheduler.programs.alerting import ALERT_BUDGET_S, AlertDesk
from loa114.scheduler.programs.cleanup import CleanupReport, cleanup
from loa114.scheduler.programs.missed import mark_missed
from loa114.scheduler.programs.planner import occurrences
from loa114.scheduler.programs.recovery import reconcile_manifests, resolve_interrupted
from loa114.scheduler.programs.rendering import RenderDesk
from loa114.scheduler.programs.rows import BroadcastKey, plan_rows, remove_folders
from loa114.scheduler.programs.runs import BEAT_INTERVAL, CATCH_UP, beat, last_seen, start_run, stop_run
from loa114.scheduler.programs.writing import BuildResult
from loa114.scheduler.reports.issuing import issue_due
from loa114.scheduler.service.app import App
from loa114.scheduler.service.backlog import Backlog, measure
from loa114.scheduler.store import Joint

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickReport:
    missed: list[AirResult]
    built: list[BuildResult]
    aired: list[AirResult]
    delivered: list[DeliveryResult]


@dataclass
class Vitals:
    """What `/healthz` reports: when the last tick completed, how late the last airing started, when the
    database last took a heartbeat, and what was waiting then."""

    last_tick_at: datetime | None = None
    last_air_at: datetime | None = None
    last_air_lateness_s: float | None = None
    db_ok_at: datetime | None = None
    backlog: Backlog | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def aired(self, result: AirResult, now: datetime) -> None:
        if result.lateness_s is not None:
            with self.lock:
                self.last_air_at, self.last_air_lateness_s = now, result.lateness_s


class Station:
    def __init__(self, app: App, *, playout: ThreadPoolExecutor | None = None):
        """`playout`: the threads that run the adapters, shared by the communes of a fleet process (default:
        this station's own eight)."""
        self.app = app
        self.config = app.config
        self.renders = RenderDesk(app.config, app.store, app.studio)
        self.alerts = AlertDesk(app.config, app.store, app.studio, app.on_air)
        self.run_id: int | None = None
        self.role = "all"  # what this process does (every process does everything today)
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.vitals = Vitals()
        self._catch_up_from: datetime | None = None
        self._owns_playout = playout is None
        self._playout = playout or ThreadPoolExecutor(8, thread_name_prefix="playout")
        self.on_unready: Callable[[Broadcast], None] | None = None  # the runtime renders it on its own lane

    # -- the run: who was up when ---------------------------------------------------------------------

    def start_run(self, now: datetime, *, role: str = "all") -> int:
        """Register this process; account for what happened while no process ran (bounded to a week)."""
        with self.app.store.session() as session:
            since = last_seen(session, now)
            self.run_id = start_run(session, now, host=self.host, pid=self.pid, role=role)
        self.role = role
        with self.vitals.lock:
            self.vitals.db_ok_at = now
        self._catch_up_from = min(since, now) if since else now
        resolved = resolve_interrupted(self.app.on_air, now, self.run_id)
        fixed = reconcile_manifests(self.app.on_air, (since or now) - CATCH_UP)
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

    def beat(self, now: datetime, *, counts: bool = True) -> None:
        """The run's heartbeat, then (`counts`) what is waiting (`backlog`), kept for `/healthz` and
        `/metrics`."""
        if self.run_id is not None:
            with self.app.store.session() as session:
                self.run_id = beat(session, self.run_id, now)
            with self.vitals.lock:
                self.vitals.db_ok_at = now
            if not counts:
                return
            with self.app.store.session() as session:
                backlog = measure(session, self.config, now)
            with self.vitals.lock:
                self.vitals.backlog = backlog
            self.app.metrics.measured(backlog)

    def stop_run(self, now: datetime, *, wait: bool = True) -> None:
        if self.run_id is not None:
            with self.app.store.session() as session:
                stop_run(session, self.run_id, now)
        if self._owns_playout:
            self._playout.shutdown(wait=wait)

    # -- the steps ------------------------------------------------------------------------------------

    def tick(self, now: datetime) -> TickReport:
        """Every step once, in order (the runtime runs them on separate lanes)."""
        if self.run_id is None:
            self.start_run(now)
        self.beat(now)
        self.maintain(now)
        missed = self.mark_missed(now)
        self.evaluate(now)
        built = self.render_due(now)
        aired = self.air_due(now, render_late=True)
        built += self.rerender_offline(now)
        delivered = self.app.outbox.deliver_due(now)
        with self.vitals.lock:
            self.vitals.last_tick_at = now
        return TickReport(missed, [b for b in built if b.built], aired, delivered)

    def maintain(self, now: datetime) -> None:
        """Rows for every occurrence of the horizon (and, after a restart, of what it did not see), and
        rows left airing by a process that died."""
        config = self.config
        start = self._catch_up_from or now - config.schedule.misfire_grace - timedelta(minutes=1)
        end = now + timedelta(days=config.schedule.horizon_days)
        with self.app.store.session() as session:
            removed = plan_rows(session, config, start, end, now)
        remove_folders(config.playout.dir, removed)
        self._catch_up_from = None
        self.resolve_interrupted(now)

    def resolve_interrupted(self, now: datetime) -> list[AirResult]:
        """Broadcasts left airing by a process that stopped beating: aired again within the grace, or failed."""
        return resolve_interrupted(self.app.on_air, now, self.run_id)

    def mark_missed(self, now: datetime) -> list[AirResult]:
        return mark_missed(self.config, self.app.store, now)

    def evaluate(self, now: datetime) -> Evaluation | None:
        """The daily evaluation of the villages (a changed village changes its zone's programs' inputs:
        the render step rebuilds them)."""
        return evaluate_if_due(self.config, self.app.store, now)

    def issue_reports(self, now: datetime) -> list[Path]:
        """The scheduled police reports now due (written to `reports.dir`, queued for their recipients)."""
        return issue_due(self.config, self.app.store, now)

    def air_due(self, now: datetime, *, render_late: bool = False, wait: bool = True) -> list[AirResult]:
        """Claim every due program and publish them (`publish_all`). A program not built yet is rendered
        late here only when `render_late` (one-shot use); the service hands it to its render lane instead."""
        futures = self.publish_all(self.claim_due(now, render_late=render_late), now)
        return [result for f in futures for result in f.result()] if wait else []

    def claim_due(
        self, now: datetime, *, render_late: bool = False, unready: bool = True, joint: Joint | None = None
    ) -> list[Broadcast]:
        """The due programs, claimed in one commit (the airing's as-run start is now; `joint`: in a shard's
        transaction); not yet published. A due program not built yet is built first when `render_late`
        (one-shot use), or else handed to the render lane (`on_unready`) after the claim; `unready=False`
        leaves that to the next round."""
        on_air = self.app.on_air
        if render_late:
            for row in on_air.unready(now):
                if row.kind == "slot":
                    self.renders.build(BroadcastKey.of(row), now)
        claimed = on_air.claim_due(now, self.run_id, joint=joint)
        if unready and not render_late and self.on_unready is not None:
            for row in on_air.unready(now):
                self.on_unready(row)
        return claimed

    def publish(self, row: Broadcast, now: datetime) -> Future[AirResult]:
        """Run a claimed program's playout on its own thread."""
        return self._playout.submit(lambda: self._publish_batch([row], now)[0])

    def publish_all(self, rows: Sequence[Broadcast], now: datetime) -> list[Future[list[AirResult]]]:
        """Publish claimed programs off the caller's thread: when an adapter plays them (a player, a
        stream) each on its own, so one zone playing to the end does not delay the next; otherwise all
        together, their outcomes recorded in one commit."""
        batches = [[row] for row in rows] if self.app.on_air.plays else [list(rows)] if rows else []
        return [self._playout.submit(self._publish_batch, batch, now) for batch in batches]

    def _publish_batch(self, rows: list[Broadcast], now: datetime) -> list[AirResult]:
        return self._aired(self.app.on_air.publish_many(rows, now), now)

    def play_here(self, rows: Sequence[Broadcast], now: datetime) -> list[Outcome]:
        """For the fleet's airing jobs: the claimed programs published on the caller's thread (the folder's
        stamp), their outcomes left for `record` (a shard's together). A player's programs (a command, a
        stream) go to the playout threads instead, each recorded there, and are not returned."""
        if self.app.on_air.plays:
            self.publish_all(rows, now)
            return []
        return [self.app.on_air.play(row, now) for row in rows]

    def record(
        self, played: Sequence[Outcome], now: datetime, *, joint: Joint | None = None
    ) -> list[AirResult]:
        """What `play_here` published, into the rows, as-run records and events (`joint`: a shard's commit)."""
        return self._aired(self.app.on_air.record(played, now, joint=joint), now) if played else []

    def _aired(self, results: list[AirResult], now: datetime) -> list[AirResult]:
        for result in results:
            self.vitals.aired(result, now)
        return results

    def render_due(self, now: datetime) -> list[BuildResult]:
        return self.renders.render_due(now)

    def build(self, day: date, slot_id: str, zone_id: str, now: datetime) -> BuildResult:
        return self.renders.build(BroadcastKey(day, slot_id, zone_id), now)

    def build_days(
        self, first: date, days: int, now: datetime, slot_id: str | None = None, *, force: bool = False
    ) -> list[BuildResult]:
        return self.renders.build_days(first, days, now, slot_id, force=force)

    def refresh(self, now: datetime) -> list[BuildResult]:
        return self.renders.refresh(now)

    def rerender_offline(self, now: datetime) -> list[BuildResult]:
        """Offline-spoken programs ahead are built again online once gTTS answers one short probe
        (the runtime calls this every `audio.gtts_probe_interval`)."""
        if "gtts" not in self.app.audio.engines:
            return []
        return self.renders.rerender_offline(now, lambda: self.app.speaker.probe("gtts"))

    def gtts_cooling_down(self) -> bool | None:
        """Whether the online voice is being skipped after failures (None: not configured)."""
        return self.app.speaker.cooling_down("gtts") if "gtts" in self.app.audio.engines else None

    def import_reports(self, path: Path, now: datetime, *, origin: Origin | None = None) -> ImportSummary:
        """`loa coverage import` and the web's upload: the reports in one transaction, the villages
        evaluated, and the programs whose figures changed rebuilt at once. `origin`: the file's own name
        and who sent it (the web saves an upload under a temporary name)."""
        summary = import_file(self.config, self.app.store, path, now, origin=origin)
        summary.rerendered = len(self.refresh(now))
        return summary

    def submit_report(self, report: VillageReport, now: datetime, origin: Origin) -> ImportSummary:
        """One report typed in the web form (checked by `campaign.entry.check_entry`): stored like an
        imported row, then the villages evaluated and the programs refreshed, like an import."""
        summary = store_checked(self.config, self.app.store, [report], now, origin)
        summary.rerendered = len(self.refresh(now))
        return summary

    def cleanup(self, now: datetime) -> CleanupReport:
        """Keep the disk bounded: old playout folders and least recently used cache entries."""
        return cleanup(self.config, self.app.db, self.app.sound, now)

    def alert(
        self,
        message: str,
        zones: Sequence[str] | None,
        now: datetime,
        *,
        budget_s: float = ALERT_BUDGET_S,
        actor: str | None = None,
    ) -> list[BuildResult | AirResult]:
        """An urgent alert, published at once on the chosen zones (default: all); `actor`: who sent it."""
        return self.alerts.issue(
            message, zones, now, publish=self.publish, run_id=self.run_id, budget_s=budget_s, actor=actor
        )

    def next_airtime(self, now: datetime) -> datetime | None:
        found = occurrences(self.config, now, now + timedelta(days=8))
        return found[0].airtime if found else None

    def next_airtime_text(self, now: datetime) -> str | None:
        moment = self.next_airtime(now)
        return moment.astimezone(self.config.tz).isoformat(timespec="seconds") if moment else None
