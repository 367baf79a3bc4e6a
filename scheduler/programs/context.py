"""Builds the template context that `content` renders scripts with, from config and campaign data.

Coverage comes through `CoverageSource`, the seam the coverage-tracking feature fills in; until villages
report, `UnreportedCoverage` gives the commune totals with zero installs and `reported=False`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from content.context import (
    AlertInfo,
    CampaignInfo,
    CommuneInfo,
    CoverageInfo,
    SlotInfo,
    VillageInfo,
    slot_label,
    template_context,
)
from scheduler.campaign.rules import progress
from scheduler.config import Config, Slot


class CoverageSource(Protocol):
    def commune(self, day: date) -> CoverageInfo: ...

    def village(self, day: date, village_id: str) -> VillageInfo: ...

    def lagging_villages(self, zone_id: str, day: date) -> list[str]: ...


class CoverageSnapshot:
    """One build's view of a coverage source: each figure is read once, however many scripts use it."""

    def __init__(self, source: CoverageSource):
        self.source = source
        self._commune: dict[date, CoverageInfo] = {}
        self._villages: dict[tuple[date, str], VillageInfo] = {}

    def commune(self, day: date) -> CoverageInfo:
        if day not in self._commune:
            self._commune[day] = self.source.commune(day)
        return self._commune[day]

    def village(self, day: date, village_id: str) -> VillageInfo:
        key = (day, village_id)
        if key not in self._villages:
            self._villages[key] = self.source.village(day, village_id)
        return self._villages[key]

    def lagging_villages(self, zone_id: str, day: date) -> list[str]:
        return self.source.lagging_villages(zone_id, day)


def expected_rate(config: Config, day: date) -> float:
    return config.campaign.targets.household_rate * progress(config.campaign, day)


@dataclass(frozen=True)
class UnreportedCoverage:
    """Coverage before any village has reported: the plan's totals, nothing installed yet."""

    config: Config

    def commune(self, day: date) -> CoverageInfo:
        villages = self.config.villages
        return CoverageInfo(
            reported=False,
            households=sum(v.households for v in villages),
            households_installed=0,
            household_rate=0.0,
            smartphone_users=sum(v.smartphone_users for v in villages),
            installs=0,
            install_rate=0.0,
            villages_total=len(villages),
            villages_reported=0,
            expected_rate=expected_rate(self.config, day),
        )

    def village(self, day: date, village_id: str) -> VillageInfo:
        v = next(v for v in self.config.villages if v.id == village_id)
        return VillageInfo(
            id=v.id,
            name=v.name,
            households=v.households,
            smartphone_users=v.smartphone_users,
            households_installed=0,
            installs=0,
            household_rate=0.0,
            install_rate=0.0,
            households_missing=v.households,
            expected_rate=expected_rate(self.config, day),
            reasons=(),
            unsafe_households=0,
            last_report=None,
        )

    def lagging_villages(self, zone_id: str, day: date) -> list[str]:
        return []


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


def slot_info(slot: Slot) -> SlotInfo:
    hhmm = slot.time.strftime("%H:%M")
    return SlotInfo(id=slot.id, time=hhmm, label=slot_label(hhmm))


def build_context(
    config: Config,
    coverage: CoverageSource,
    day: date,
    *,
    slot: Slot | None = None,
    villages: Sequence[str] = (),
    alert: tuple[str, datetime, tuple[str, ...]] | None = None,
) -> dict[str, object]:
    """The context for one script on `day` (commune-local), optionally for lagging villages or an alert."""
    alert_info = None
    if alert is not None:
        message, issued_at, zones = alert
        alert_info = AlertInfo(message=message, issued_at=issued_at.astimezone(config.tz), zones=zones)
    return template_context(
        commune=commune_info(config),
        campaign=campaign_info(config, day),
        today=day,
        slot=slot_info(slot) if slot else None,
        coverage=coverage.commune(day),
        village=coverage.village(day, villages[0]) if len(villages) == 1 else None,
        villages=tuple(coverage.village(day, v) for v in villages),
        alert=alert_info,
    )
