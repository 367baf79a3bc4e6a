"""Each village's progress over time against the plan, from its stored reports (the coverage page's chart).

A report is cumulative, so a village's trajectory is simply its reports in date order: the share of its
households with the app on each reported day. The plan is the campaign's one linear line (`rules.progress`):
0 at the start, the household target at the deadline.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.scheduler.campaign.rules import rate
from loa114.scheduler.config import Campaign, Config
from loa114.scheduler.db.models import VillageReportRow


@dataclass(frozen=True)
class Point:
    day: date
    households_installed: int
    household_rate: float


@dataclass(frozen=True)
class Trajectory:
    village_id: str
    name: str
    households: int
    points: tuple[Point, ...]  # by day, oldest first


def expected_line(campaign: Campaign) -> tuple[tuple[date, float], tuple[date, float]]:
    """The planned household rate: (start, 0) to (deadline, target)."""
    return (campaign.start, 0.0), (campaign.deadline, campaign.targets.household_rate)


def trajectories(
    config: Config, session: Session, until: date, villages: Collection[str] | None = None
) -> list[Trajectory]:
    """The villages' reports up to `until` (all villages, or those in `villages`), in config order."""
    chosen = [v for v in config.villages if villages is None or v.id in villages]
    query = (
        select(VillageReportRow.village_id, VillageReportRow.day, VillageReportRow.households_installed)
        .where(VillageReportRow.day <= until)
        .order_by(VillageReportRow.village_id, VillageReportRow.day)
    )
    if villages is not None:
        query = query.where(VillageReportRow.village_id.in_([v.id for v in chosen]))
    rows: dict[str, list[tuple[date, int]]] = {}
    for village_id, day, installed in session.execute(query):
        rows.setdefault(village_id, []).append((day, installed))
    return [
        Trajectory(
            village_id=v.id,
            name=v.name,
            households=v.households,
            points=tuple(Point(d, n, rate(n, v.households)) for d, n in rows.get(v.id, [])),
        )
        for v in chosen
    ]
