"""Every figure of a report, computed once from the database for one period.

Sources: the broadcast rows and their items (what aired, how, and why not), the outbox (reminders and
escalations actually sent), the stored village reports (installation and fire-safety figures as of the
period's last day; the difficulties the villages wrote within the period, `difficulties.gather`). A period with no data gives the same shape with zeros and `has_data` False.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from loa114.content.context import CoverageInfo, VillageCoverage
from loa114.scheduler.campaign.rules import commune_totals, evaluate, progress
from loa114.scheduler.campaign.store import latest_as_of
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Broadcast, BroadcastItem, Delivery, Notice, Status, VillageReportRow
from loa114.scheduler.programs.outcomes import sentence
from loa114.scheduler.reports.difficulties import VillageDifficulty, gather
from loa114.scheduler.reports.periods import Period
from loa114.scheduler.store import Store

ON_AIR = (Status.AIRED, Status.PUBLISHED)
_Point = tuple[date, float, float]


@dataclass(frozen=True)
class AirTally:
    """The broadcasts of one slot in one zone over the period, by outcome."""

    slot: str
    zone: str
    zone_name: str
    scheduled: int = 0
    confirmed: int = 0  # aired, confirmed by the operator
    played: int = 0  # aired by a player (`playout.command`) with no one confirming
    unconfirmed: int = 0  # published to the folder, nobody confirmed
    missed: int = 0
    failed: int = 0
    minutes: float = 0.0  # on air: aired or published


@dataclass(frozen=True)
class Propaganda:
    tallies: list[AirTally]
    reasons: list[tuple[str, int]]  # why broadcasts were missed or failed (Vietnamese), most frequent first
    scripts: list[tuple[str, str, int]]  # (script id, title, times on air), most frequent first
    alerts: int
    reminders_sent: int
    escalations_sent: int

    @property
    def total(self) -> AirTally:
        fields = ("scheduled", "confirmed", "played", "unconfirmed", "missed", "failed")
        sums = {f: sum(getattr(t, f) for t in self.tallies) for f in fields}
        return AirTally("", "", "Toàn xã", **sums, minutes=round(sum(t.minutes for t in self.tallies), 1))


@dataclass(frozen=True)
class Safety:
    """Household fire-safety conditions of one village (latest report on or before the period's end)."""

    village_id: str
    village_name: str
    households: int
    visited: int | None
    with_extinguisher: int | None
    with_second_exit: int | None
    unsafe_electrics: int | None
    unsafe_listed: int  # households still on the unsafe list


@dataclass(frozen=True)
class ReportFigures:
    commune: str
    province: str
    period: Period
    generated_at: datetime
    issued_on: date  # commune-local date of `generated_at` (the date line of the report)
    propaganda: Propaganda
    villages: list[VillageCoverage]
    totals: CoverageInfo
    trajectory: list[tuple[date, float, float]]  # (day, commune household rate, expected rate)
    safety: list[Safety]
    difficulties: list[VillageDifficulty]  # what the villages wrote within the period, for section IV

    @property
    def has_data(self) -> bool:
        return self.propaganda.total.scheduled > 0 or self.totals.reported


def compute(config: Config, store: Store, period: Period, now: datetime) -> ReportFigures:
    """The whole report for `period`, as of `now` (days after `now` are not counted yet)."""
    with store.session() as session:
        propaganda = _propaganda(config, session, period)
        latest = latest_as_of(session, period.last)
        villages = [evaluate(v, latest.get(v.id), config.campaign, period.last) for v in config.villages]
        safety = _safety(config, session, period.last)
        trajectory = _trajectory(config, session, period)
        difficulties = gather(config, session, period)
    return ReportFigures(
        commune=config.commune.name,
        province=config.commune.province,
        period=period,
        generated_at=now,
        issued_on=now.astimezone(config.tz).date(),
        propaganda=propaganda,
        villages=villages,
        totals=commune_totals(villages, config.campaign, period.last),
        trajectory=trajectory,
        safety=safety,
        difficulties=difficulties,
    )


def _bounds(config: Config, period: Period) -> tuple[datetime, datetime]:
    """The period's commune-local days as a UTC half-open interval."""
    start = datetime.combine(period.first, time.min, tzinfo=config.tz)
    end = datetime.combine(period.last + timedelta(days=1), time.min, tzinfo=config.tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _propaganda(config: Config, session: Session, period: Period) -> Propaganda:
    in_period = and_(Broadcast.day >= period.first, Broadcast.day <= period.last)
    zones = {z.id: z.name for z in config.zones}
    counts: dict[tuple[str, str], Counter[str]] = {}
    minutes: dict[tuple[str, str], float] = {}
    reasons: Counter[str] = Counter()
    alerts = 0
    rows = session.execute(
        select(Broadcast.kind, Broadcast.slot_id, Broadcast.zone_id, Broadcast.status, Broadcast.reason,
               Broadcast.confirmed_by, Broadcast.duration_s).where(in_period)
    ).all()  # fmt: skip
    for kind, slot, zone, status, reason, confirmed_by, duration in rows:
        if kind != "slot":
            alerts += status in ON_AIR
            continue
        tally = counts.setdefault((slot, zone), Counter())
        tally["scheduled"] += 1
        tally[_outcome(status, confirmed_by)] += 1
        if status in ON_AIR:
            minutes[(slot, zone)] = minutes.get((slot, zone), 0.0) + (duration or 0.0) / 60
        if status in (Status.MISSED, Status.FAILED):
            reasons[sentence(reason) if reason else "không rõ lý do"] += 1
    slot_order = {s.id: i for i, s in enumerate(config.slots)}
    tallies = [
        AirTally(
            slot,
            zone,
            zones.get(zone, zone),
            **{k: c[k] for k in ("scheduled", "confirmed", "played", "unconfirmed", "missed", "failed")},
            minutes=round(minutes.get((slot, zone), 0.0), 1),
        )  # fmt: skip
        for (slot, zone), c in sorted(counts.items(), key=lambda kv: (slot_order.get(kv[0][0], 99), kv[0][1]))
    ]
    return Propaganda(
        tallies=tallies,
        reasons=reasons.most_common(),
        scripts=_scripts(session, in_period),
        alerts=alerts,
        **_notices_sent(config, session, period),
    )


def _outcome(status: str, confirmed_by: str | None) -> str:
    if status == Status.AIRED:
        return "confirmed" if confirmed_by else "played"
    outcomes: dict[str, str] = {
        Status.PUBLISHED: "unconfirmed",
        Status.MISSED: "missed",
        Status.FAILED: "failed",
    }
    return outcomes.get(status, "other")


def _scripts(session: Session, in_period: ColumnElement[bool]) -> list[tuple[str, str, int]]:
    aired = func.count(BroadcastItem.id)
    rows = session.execute(
        select(BroadcastItem.script_id, func.max(BroadcastItem.title), aired)
        .join(Broadcast, Broadcast.id == BroadcastItem.broadcast_id)
        .where(in_period, Broadcast.kind == "slot", Broadcast.status.in_(ON_AIR))
        .group_by(BroadcastItem.script_id)
        .order_by(aired.desc(), BroadcastItem.script_id)
    ).all()
    return [(script_id, title, count) for script_id, title, count in rows]


def _notices_sent(config: Config, session: Session, period: Period) -> dict[str, int]:
    """Notices with at least one delivery sent within the period, by kind."""
    start, end = _bounds(config, period)
    sent = (
        select(Notice.kind, func.count(func.distinct(Notice.id)))
        .join(Delivery, Delivery.notice_id == Notice.id)
        .where(Delivery.status == "sent", Delivery.sent_at >= start, Delivery.sent_at < end)
        .group_by(Notice.kind)
    )
    by_kind: dict[str, int] = {kind: count for kind, count in session.execute(sent)}
    return {"reminders_sent": by_kind.get("reminder", 0), "escalations_sent": by_kind.get("escalation", 0)}


def _safety(config: Config, session: Session, day: date) -> list[Safety]:
    newest = (
        select(VillageReportRow.village_id, func.max(VillageReportRow.day).label("day"))
        .where(VillageReportRow.day <= day)
        .group_by(VillageReportRow.village_id)
        .subquery()
    )
    rows = {
        r.village_id: r
        for r in session.scalars(
            select(VillageReportRow).join(
                newest,
                and_(
                    VillageReportRow.village_id == newest.c.village_id, VillageReportRow.day == newest.c.day
                ),
            )
        )
    }
    out = []
    for village in config.villages:
        row = rows.get(village.id)
        out.append(
            Safety(
                village.id,
                village.name,
                village.households,
                row.households_visited if row else None,
                row.with_extinguisher if row else None,
                row.with_second_exit if row else None,
                row.unsafe_electrics if row else None,
                len(row.unsafe_households or []) if row else 0,
            )  # fmt: skip
        )
    return out


def _trajectory(config: Config, session: Session, period: Period) -> list[tuple[date, float, float]]:
    """The commune's household rate on each report day up to the period's end, against the plan (for the
    chart): one pass over the reports, keeping each village's latest figure as the days go by."""
    households = {v.id: v.households for v in config.villages}
    total = sum(households.values())
    rows = session.execute(
        select(VillageReportRow.day, VillageReportRow.village_id, VillageReportRow.households_installed)
        .where(VillageReportRow.day <= period.last)
        .order_by(VillageReportRow.day)
    )
    latest: dict[str, int] = {}
    installed, points = 0, list[_Point]()
    for day, village_id, count in rows:
        if village_id not in households:
            continue  # a village no longer in the config
        installed += count - latest.get(village_id, 0)
        latest[village_id] = count
        expected = config.campaign.targets.household_rate * progress(config.campaign, day)
        point = (day, installed / total if total else 0.0, expected)
        if points and points[-1][0] == day:
            points[-1] = point
        else:
            points.append(point)
    return _thin(points, 60)


def _thin(points: list[_Point], most: int) -> list[_Point]:
    """At most `most` points, evenly spread, always keeping the last (a chart needs no more)."""
    if len(points) <= most:
        return points
    step = len(points) / most
    return [*(points[int(i * step)] for i in range(most - 1)), points[-1]]
