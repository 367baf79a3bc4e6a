"""The campaign's figures as the rest of the service reads them: each village's coverage on a date (from
its latest report), the commune's totals, which villages of a zone lag, and the commune and campaign as
templates and notices name them.

`CoverageSource` is the seam: the service reads the database (`campaign.store.DatabaseCoverage`);
`loa check` and the samples read a commune where nothing is reported yet (`NoReports`). Both give the
same shapes, computed by the same rules — and this module imports no database, so `loa check` starts
without one.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from loa114.content.context import CampaignInfo, CommuneInfo, CoverageInfo, VillageCoverage
from loa114.scheduler.campaign.rules import Latest, commune_totals, evaluate
from loa114.scheduler.config import Config


class CoverageSource(Protocol):
    def villages(self, day: date) -> list[VillageCoverage]: ...


class Figures:
    """Everything templates and lists ask of a coverage source, read from its villages."""

    def __init__(
        self, config: Config, source: CoverageSource, *, memo: dict[date, list[VillageCoverage]] | None = None
    ):
        self.config = config
        self.source = source
        self._memo = memo

    def snapshot(self) -> Figures:
        """These figures read once per day however often asked (one build reads each once)."""
        return Figures(self.config, self.source, memo={})

    def villages(self, day: date) -> list[VillageCoverage]:
        if self._memo is None:
            return self.source.villages(day)
        if day not in self._memo:
            self._memo[day] = self.source.villages(day)
        return self._memo[day]

    def commune(self, day: date) -> CoverageInfo:
        return commune_totals(self.villages(day), self.config.campaign, day)

    def village(self, day: date, village_id: str) -> VillageCoverage:
        return next(v for v in self.villages(day) if v.id == village_id)

    def lagging_villages(self, zone_id: str, day: date) -> list[str]:
        in_zone = {v.id for v in self.config.villages_in(zone_id)}
        return [v.id for v in self.villages(day) if v.id in in_zone and v.lagging]


class NoReports:
    """A commune where no village has reported yet (`loa check` renders scripts against it)."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def villages(self, day: date) -> list[VillageCoverage]:
        return evaluate_villages(self.config, {}, day)


def evaluate_villages(config: Config, latest: dict[str, Latest], day: date) -> list[VillageCoverage]:
    return [evaluate(v, latest.get(v.id), config.campaign, day) for v in config.villages]


def campaign_info(config: Config, day: date) -> CampaignInfo:
    c = config.campaign
    return CampaignInfo(
        name=c.name,
        start=c.start,
        deadline=c.deadline,
        days_left=max(0, (c.deadline - day).days),
        household_target=c.targets.household_rate,
        install_target=c.targets.install_rate,
    )


def commune_info(config: Config) -> CommuneInfo:
    return CommuneInfo(name=config.commune.name, province=config.commune.province)
