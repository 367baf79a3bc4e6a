"""The station's steps as procrastinate tasks: what `loa serve` runs on PostgreSQL, in any number of processes.

Each step is the same domain call the single-process runtime (APScheduler, `runtime.py`) makes; only the
*when* differs. Periodic tasks are deferred by every worker and kept once by procrastinate's unique
constraint on (task, timestamp), so each round runs in exactly one process; the precise jobs (a slot's render
at airtime − lead time, its airing at airtime) carry a queueing lock, so the tick deferring them every minute
from any process leaves one job each. And the work itself is claimed in our own rows (a broadcast by a
conditional update, a delivery by its lease): a job that runs twice, or a process that dies in the middle,
airs nothing twice.

Queues: `schedule` (the tick, taking over a dead worker's jobs), `air` (airing and the air poll: never
behind a render), `work` (renders, evaluation, delivery, probe, cleanup).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from procrastinate import Blueprint, JobContext
from procrastinate.exceptions import AlreadyEnqueued, UniqueViolation
from procrastinate.jobs import Status as JobStatus
from procrastinate.tasks import ConfigureTaskOptions

from loa114.scheduler.programs.planner import occurrences
from loa114.scheduler.service.burst import air_shard

if TYPE_CHECKING:
    from loa114.scheduler.service.fleet import Fleet
    from loa114.scheduler.service.station import Station

log = logging.getLogger(__name__)
jobs = Blueprint()
SCHEDULE_QUEUE, AIR_QUEUE, WORK_QUEUE = "schedule", "air", "work"
HEARTBEAT_S, STALLED_S = 2.0, 8.0  # a worker silent this long is dead: its started jobs run again
PLAN_AHEAD = timedelta(hours=3)
AIR_PRIORITY = 10  # fetched before any other waiting job
AIR_SHARDS = 8  # airing jobs per moment: the communes split so that workers (and processes) share a burst
# Slots air on the minute (HH:MM:00): the heavy rounds run at other seconds of the minute (tick :30, render
# :15, evaluation :40, delivery :50) and the air poll at :02, :07…, so none competes with the 05:30 burst.


def one_at_a_time(step: str) -> ConfigureTaskOptions:
    """A periodic step that walks every commune never runs twice at once (a round that outlasts its period
    would otherwise meet the next one: two evaluations writing the same reports), and at most one round waits."""
    return ConfigureTaskOptions(lock=f"step:{step}", queueing_lock=f"step:{step}")


def _fleet(context: JobContext) -> Fleet:
    fleet: Fleet = context.additional_context["fleet"]
    return fleet


def _each(
    context: JobContext,
    name: str,
    step: Callable[[Station, datetime], Any],
    *,
    yields: bool = True,
    only: Collection[str] | None = None,
) -> None:
    """`step` for every commune of the province (or those in `only`), each on its own (one failing commune
    stops no other), each after any airing of this process (`yields`: every step but airing's)."""
    fleet = _fleet(context)
    for key, station in fleet.stations.items():
        if fleet.stopping:
            return
        if only is not None and key not in only:
            continue
        fleet.run_step(name, functools.partial(step, station), commune=key, yields=yields)


@jobs.periodic(cron="* * * * * 30", periodic_id="tick", **one_at_a_time("tick"))
@jobs.task(name="tick", queue=SCHEDULE_QUEUE, pass_context=True)
def tick(context: JobContext, timestamp: int) -> None:
    """Rows for the horizon, rows left by dead processes, and the precise jobs of the next hours."""
    fleet = _fleet(context)

    def step(station: Station, now: datetime) -> None:
        station.maintain(now)
        defer_precise(fleet, station, now)

    _each(context, "tick", step)


@jobs.periodic(cron="* * * * * 2-59/5", periodic_id="air-poll", **one_at_a_time("air-poll"))
@jobs.task(name="air_poll", queue=AIR_QUEUE, pass_context=True)
def air_poll(context: JobContext, timestamp: int) -> None:
    """The safety net, every 5 s: air what is due, mark what passed as missed, and resolve broadcasts left
    airing by a process that stopped beating (its programs air again here within the grace)."""

    def step(station: Station, now: datetime) -> None:
        station.resolve_interrupted(now)
        station.mark_missed(now)
        station.air_due(now, wait=False)

    fleet = _fleet(context)
    _each(context, "air-poll", step, yields=False, only=fleet.needing_air(fleet.clock.now()))


@jobs.task(name="air", queue=AIR_QUEUE, pass_context=True, priority=AIR_PRIORITY)
def air(context: JobContext, at: str, shard: int | None = None) -> None:
    """The programs due at `at` of one shard of the communes (None: all), claimed, published and recorded
    together (`burst.air_shard`), on this job's thread unless a player plays them. The shards run at once,
    in one process or spread over several: a province's 05:30 is neither one long job nor dozens of threads
    taking turns at the interpreter lock."""
    fleet = _fleet(context)
    now = fleet.clock.now()
    mine = [(key, station) for key, station in fleet.stations.items() if shard in (None, fleet.shard_of(key))]
    with fleet.gate.airing():
        aired = air_shard(fleet, mine, now)
    log.info(
        "airing job at=%s shard=%s communes=%d claimed=%d recorded=%d joint=%s started_late_s=%.3f claim_s=%.3f"
        " publish_s=%.3f record_s=%.3f",
        at, shard, len(mine), aired.claimed, aired.recorded, aired.joint,
        (now - datetime.fromisoformat(at)).total_seconds(), (aired.claimed_at - now).total_seconds(),
        (aired.published_at - aired.claimed_at).total_seconds(),
        (fleet.clock.now() - aired.published_at).total_seconds(),
    )  # fmt: skip


@jobs.periodic(cron="* * * * * 15", periodic_id="render", **one_at_a_time("render"))
@jobs.task(name="render", queue=WORK_QUEUE, pass_context=True)
def render(context: JobContext, timestamp: int) -> None:
    """Each commune's due programs as a job of its own, so the processes share a province's rendering."""
    fleet = _fleet(context)
    for key in fleet.stations:
        fleet.render_soon(key)


@jobs.task(name="render_slot", queue=WORK_QUEUE, pass_context=True)
def render_slot(context: JobContext, commune: str, slot_key: str) -> None:
    """What is due in `commune` (`slot_key` names the job: a slot's, or `soon` for whatever is due)."""
    fleet = _fleet(context)
    station = fleet.stations.get(commune)
    if station is not None:
        fleet.run_step("render", lambda now: _render_now(station, now), commune=commune)


def _render_now(station: Station, now: datetime) -> None:
    station.render_due(now)
    station.air_due(now, wait=False)  # a program built late, within the grace, airs now


@jobs.periodic(cron="* * * * * 40", periodic_id="evaluate", **one_at_a_time("evaluate"))
@jobs.task(name="evaluate", queue=WORK_QUEUE, pass_context=True)
def evaluate(context: JobContext, timestamp: int) -> None:

    def step(station: Station, now: datetime) -> None:
        station.evaluate(now)
        station.issue_reports(now)
        station.app.outbox.deliver_due(now)

    _each(context, "evaluate", step)


@jobs.periodic(cron="* * * * * 50", periodic_id="deliver", **one_at_a_time("deliver"))
@jobs.task(name="deliver", queue=WORK_QUEUE, pass_context=True)
def deliver(context: JobContext, timestamp: int) -> None:
    _each(context, "deliver", lambda station, now: station.app.outbox.deliver_due(now))


@jobs.periodic(cron="*/5 * * * * 25", periodic_id="probe", **one_at_a_time("probe"))
@jobs.task(name="probe", queue=WORK_QUEUE, pass_context=True)
def probe(context: JobContext, timestamp: int) -> None:
    _each(context, "probe", lambda station, now: station.rerender_offline(now))


@jobs.periodic(cron="15 3 * * *", periodic_id="cleanup", **one_at_a_time("cleanup"))
@jobs.task(name="cleanup", queue=WORK_QUEUE, pass_context=True)
def cleanup(context: JobContext, timestamp: int) -> None:
    _each(context, "cleanup", lambda station, now: station.cleanup(now))


@jobs.periodic(cron="* * * * * 4-59/5", periodic_id="take-over")
@jobs.task(name="take_over", queue=SCHEDULE_QUEUE, pass_context=True)
async def take_over(context: JobContext, timestamp: int) -> None:
    """Jobs a dead worker had started (it stopped beating) are run again by the living ones; a periodic
    round that has a twin waiting already (its queueing lock) is closed instead, which frees its lock for
    the twin. Each job on its own: one that cannot be taken over holds up no other."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_S):
        try:
            await manager.retry_job(job)
            log.warning("stalled job taken over job=%s task=%s", job.id, job.task_name)
        except UniqueViolation:  # the same round is waiting: it does the work
            assert job.id is not None
            await manager.finish_job_by_id_async(job.id, status=JobStatus.FAILED, delete_job=False)
            log.warning("stalled job closed, its twin waits job=%s task=%s", job.id, job.task_name)
        except Exception:
            log.exception("stalled job not taken over job=%s task=%s", job.id, job.task_name)


def defer_precise(fleet: Fleet, station: Station, now: datetime) -> int:
    """Defer the slots' renders (at airtime − lead time, per commune) and airings (at airtime, one job per
    shard of the communes airing at that moment) of the next hours; a job already waiting under the same lock is
    left alone. Returns how many were deferred."""
    config = station.config
    commune = config.commune.id
    lead = config.schedule.lead_time
    deferred = 0
    shard = fleet.shard_of(commune)
    for occ in occurrences(config, now, now + max(PLAN_AHEAD, lead * 2)):
        key = f"{occ.day.isoformat()}:{occ.slot.id}"
        at = occ.airtime.astimezone(UTC).isoformat(timespec="seconds")
        plan: list[tuple[Any, datetime, str, dict[str, Any]]] = [
            (air, occ.airtime, f"air:{at}:{shard}", {"at": at, "shard": shard})
        ]
        if occ.airtime - lead > now:
            plan.append(
                (
                    render_slot,
                    occ.airtime - lead,
                    f"render:{commune}:{key}",
                    {"commune": commune, "slot_key": key},
                )
            )
        for task, run_at, lock, kwargs in plan:
            try:
                task.configure(schedule_at=fleet.clock.to_real(run_at), queueing_lock=lock).defer(**kwargs)
                deferred += 1
            except AlreadyEnqueued:
                pass
    return deferred
