"""Live campaign figures for templates and the planner, read from the village reports."""

from __future__ import annotations

from datetime import date

from content.context import CoverageInfo, VillageInfo
from scheduler.campaign.rules import VillageCoverage, commune_totals, evaluate
from scheduler.campaign.store import latest_as_of
from scheduler.config import Config
from scheduler.db.engine import Database


class DatabaseCoverage:
    """The `CoverageSource` the service uses: each village's latest report on or before the day."""

    def __init__(self, config: Config, db: Database):
        self.config = config
        self.db = db

    def villages(self, day: date) -> list[VillageCoverage]:
        with self.db.session() as session:
            latest = latest_as_of(session, day)
        campaign = self.config.campaign
        return [evaluate(v, latest.get(v.id), campaign, day) for v in self.config.villages]

    def commune(self, day: date) -> CoverageInfo:
        return commune_totals(self.villages(day), self.config.campaign, day)

    def village(self, day: date, village_id: str) -> VillageInfo:
        coverage = next(c for c in self.villages(day) if c.village_id == village_id)
        return village_info(self.config, coverage)

    def lagging_villages(self, zone_id: str, day: date) -> list[str]:
        in_zone = {v.id for v in self.config.villages_in(zone_id)}
        return [c.village_id for c in self.villages(day) if c.village_id in in_zone and c.lagging]


def village_info(config: Config, coverage: VillageCoverage) -> VillageInfo:
    name = next(v.name for v in config.villages if v.id == coverage.village_id)
    return VillageInfo(
        id=coverage.village_id,
        name=name,
        households=coverage.households,
        smartphone_users=coverage.smartphone_users,
        households_installed=coverage.households_installed,
        installs=coverage.installs,
        household_rate=coverage.household_rate,
        install_rate=coverage.install_rate,
        households_missing=coverage.households_missing,
        expected_rate=coverage.expected_household,
        reasons=coverage.reasons,
        unsafe_households=coverage.unsafe_households,
        last_report=coverage.last_report,
    )
