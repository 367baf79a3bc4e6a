"""The campaign's figures as the rest of the service reads them: each village's coverage on a date (from
its latest report), the commune's totals, which villages of a zone lag, and the commune and campaign as
templates and notices name them.

`CoverageSource` is the seam: the service reads the database (`DatabaseCoverage`); `loa check` and the
samples read a commune where nothing is reported yet (`NoReports`). Both give the same shapes, computed
by the same rules.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Protocol

from sqlalchemy import func, select

from loa114.content.context import CampaignInfo, CommuneInfo, CoverageInfo, VillageCoverage
from loa114.scheduler.campaign.rules import Latest, commune_totals, evaluate
from loa114.scheduler.campaign.store import latest_as_of
from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Event


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


class DatabaseCoverage:
    """Each village's latest report on or before the day, evaluated by the rules.

    Kept per (day, newest event id): reports are only ever stored with an event in the same transaction
    (`CoverageReported`, `ReportReplaced`), so an unchanged newest event means unchanged figures — a page
    asked for by twenty people reads the reports once."""

    KEPT = 8  # (day, version) entries

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self._kept: dict[tuple[date, int], list[VillageCoverage]] = {}
        self._lock = threading.Lock()

    def villages(self, day: date) -> list[VillageCoverage]:
        with self.db.session() as session:
            key = (day, session.scalar(select(func.max(Event.id))) or 0)
            with self._lock:
                kept = self._kept.get(key)
            if kept is not None:
                return list(kept)  # the values are frozen; the list is the caller's
            latest = latest_as_of(session, day)
        villages = _evaluate_all(self.config, latest, day)
        with self._lock:
            if len(self._kept) >= self.KEPT:
                self._kept.pop(next(iter(self._kept)))
            self._kept[key] = villages
        return list(villages)


class NoReports:
    """A commune where no village has reported yet (`loa check` renders scripts against it)."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def villages(self, day: date) -> list[VillageCoverage]:
        return _evaluate_all(self.config, {}, day)


def _evaluate_all(config: Config, latest: dict[str, Latest], day: date) -> list[VillageCoverage]:
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
