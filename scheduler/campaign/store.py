"""Village reports in the database: one transaction per import, and the latest figures as of a date.

An import is all or nothing. Each (village, date) is one row (the unique constraint is the key): a row
equal to what is stored changes nothing, a different one replaces it and the replacement is audited.

Writes go through the DB-API `executemany` with values converted once by SQLAlchemy's own bind processors
for the dialect (dates, the import time, JSON): the ORM's per-row bookkeeping made a million-row import
take a minute (bench/coverage.py), this takes seconds — on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, func, select
from sqlalchemy.orm import Session

from loa114.content.context import VillageCoverage
from loa114.scheduler.campaign.columns import COUNT_FIELDS, UnsafeHousehold, VillageReport
from loa114.scheduler.campaign.figures import evaluate_villages
from loa114.scheduler.campaign.rules import Latest
from loa114.scheduler.config import Config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Event, VillageReportRow

COUNTS = COUNT_FIELDS
FIELDS = (*COUNTS, "unsafe_households", "difficulties")
TABLE = cast(Table, VillageReportRow.__table__)  # a mapped class's table; typed as its base FromClause
BATCH = 50_000


@dataclass(frozen=True)
class StoreResult:
    inserted: int
    replaced: list[tuple[VillageReport, dict[str, object]]]  # the new report and the values it replaced
    unchanged: int


def _figures(report: VillageReport) -> tuple[Any, ...]:
    """The stored values of a report, comparable with what `_existing` reads back."""
    unsafe = tuple((u.label, u.missing) for u in report.unsafe_households)
    return (*(getattr(report, f) for f in COUNTS), unsafe, report.difficulties)


def _existing(
    session: Session, reports: Sequence[VillageReport]
) -> dict[tuple[str, date], tuple[int, tuple[Any, ...]]]:
    first = min(r.day for r in reports)
    last = max(r.day for r in reports)
    villages = {r.village_id for r in reports}
    columns = [TABLE.c[f] for f in FIELDS]
    query = select(TABLE.c.id, TABLE.c.village_id, TABLE.c.day, *columns).where(
        TABLE.c.day >= first, TABLE.c.day <= last
    )
    if len(villages) <= 500:
        query = query.where(TABLE.c.village_id.in_(villages))
    found = {}
    for row in session.execute(query):
        unsafe = tuple((u.get("label", ""), u.get("missing", "")) for u in row[-2] or ())
        found[(row[1], row[2])] = (row[0], (*row[3:-2], unsafe, row[-1] or ""))
    return found


def store_reports(
    session: Session, reports: Sequence[VillageReport], *, source: str, now: datetime
) -> StoreResult:
    """Insert new (village, date) rows, replace changed ones, leave equal ones alone — in the caller's transaction."""
    if not reports:
        return StoreResult(0, [], 0)
    existing = _existing(session, reports)
    new, changed, replaced, unchanged = [], [], [], 0
    for report in reports:
        figures = _figures(report)
        found = existing.get((report.village_id, report.day))
        if found is None:
            new.append((report, figures))
        elif found[1] == figures:
            unchanged += 1
        else:
            changed.append((found[0], figures))
            before = dict(zip(FIELDS, found[1], strict=True))
            del before["unsafe_households"]  # the audit compares counts and the difficulties text
            replaced.append((report, before))
    writer = _Writer(session, source, now)
    new.sort(key=lambda pair: (pair[0].village_id, pair[0].day))  # in index order: a third faster on SQLite
    writer.insert(new)
    writer.update(changed)
    return StoreResult(len(new), replaced, unchanged)


class _Writer:
    """Bulk writes on the session's own DB-API connection (same transaction), values bound per dialect."""

    def __init__(self, session: Session, source: str, now: datetime):
        connection = session.connection()
        self.dialect = connection.dialect
        self.cursor = connection.connection.cursor()
        self.mark = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self._day = self._processor("day")
        self._json = self._processor("unsafe_households")
        self.source = source
        self.stamp = self._processor("imported_at")(now)
        self._days: dict[date, Any] = {}
        self._empty = self._json([])

    def _processor(self, column: str) -> Callable[[Any], Any]:
        column_type = TABLE.c[column].type.dialect_impl(self.dialect)
        return column_type.bind_processor(self.dialect) or (lambda value: value)

    def _values(self, figures: tuple[Any, ...]) -> list[Any]:
        unsafe = figures[-2]
        stored = (
            self._json([{"label": label, "missing": missing} for label, missing in unsafe])
            if unsafe
            else self._empty
        )
        return [*figures[:-2], stored, figures[-1]]

    def _day_value(self, day: date) -> Any:
        value = self._days.get(day)
        if value is None:
            value = self._days[day] = self._day(day)
        return value

    def insert(self, rows: list[tuple[VillageReport, tuple[Any, ...]]]) -> None:
        names = ("village_id", "day", *FIELDS, "source", "imported_at")
        sql = f"INSERT INTO {TABLE.name} ({', '.join(names)}) VALUES ({', '.join([self.mark] * len(names))})"
        for start in range(0, len(rows), BATCH):
            params = [
                (
                    report.village_id,
                    self._day_value(report.day),
                    *self._values(figures),
                    self.source,
                    self.stamp,
                )
                for report, figures in rows[start : start + BATCH]
            ]
            self.cursor.executemany(sql, params)

    def update(self, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        assignments = ", ".join(f"{name} = {self.mark}" for name in (*FIELDS, "source", "imported_at"))
        sql = f"UPDATE {TABLE.name} SET {assignments} WHERE id = {self.mark}"
        for start in range(0, len(rows), BATCH):
            params = [
                (*self._values(figures), self.source, self.stamp, row_id)
                for row_id, figures in rows[start : start + BATCH]
            ]
            self.cursor.executemany(sql, params)


def latest_as_of(session: Session, day: date) -> dict[str, Latest]:
    """Each village's latest report on or before `day`, with the latest smartphone estimate given."""
    newest = (
        select(VillageReportRow.village_id, func.max(VillageReportRow.day).label("day"))
        .where(VillageReportRow.day <= day)
        .group_by(VillageReportRow.village_id)
        .subquery()
    )
    rows = session.execute(
        select(
            VillageReportRow.village_id,
            VillageReportRow.day,
            VillageReportRow.households_installed,
            VillageReportRow.installs,
            VillageReportRow.unsafe_households,
        ).join(
            newest,
            and_(VillageReportRow.village_id == newest.c.village_id, VillageReportRow.day == newest.c.day),
        )
    ).all()
    estimate_day = (
        select(VillageReportRow.village_id, func.max(VillageReportRow.day).label("day"))
        .where(VillageReportRow.day <= day, VillageReportRow.smartphone_users.is_not(None))
        .group_by(VillageReportRow.village_id)
        .subquery()
    )
    estimates = dict(
        session.execute(
            select(VillageReportRow.village_id, VillageReportRow.smartphone_users).join(
                estimate_day,
                and_(
                    VillageReportRow.village_id == estimate_day.c.village_id,
                    VillageReportRow.day == estimate_day.c.day,
                ),
            )
        ).all()
    )
    return {
        r.village_id: Latest(
            day=r.day,
            households_installed=r.households_installed,
            installs=r.installs,
            smartphone_users=estimates.get(r.village_id),
            unsafe_households=len(r.unsafe_households or []),
        )
        for r in rows
    }


def latest_report(session: Session, village_id: str, day: date) -> VillageReport | None:
    """The village's latest report on or before `day`, whole (the web form starts from its figures)."""
    row = session.scalars(
        select(VillageReportRow)
        .where(VillageReportRow.village_id == village_id, VillageReportRow.day <= day)
        .order_by(VillageReportRow.day.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    unsafe = tuple(
        UnsafeHousehold(u.get("label", ""), u.get("missing", "")) for u in row.unsafe_households or ()
    )
    counts = {name: getattr(row, name) for name in COUNTS}
    return VillageReport(
        village_id=row.village_id,
        day=row.day,
        unsafe_households=unsafe,
        difficulties=row.difficulties or "",
        **counts,
    )


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
        self._evaluating = threading.Lock()  # also guards the writes to `_kept` (reads are atomic dict gets)

    def villages(self, day: date) -> list[VillageCoverage]:
        with self.db.session() as session:
            key = (day, session.scalar(select(func.max(Event.id))) or 0)
            kept = self._kept.get(key)
            if kept is None:
                with self._evaluating:  # twenty pages asking at once after a report: evaluated once
                    kept = self._kept.get(key)
                    if kept is None:
                        kept = evaluate_villages(self.config, latest_as_of(session, day), day)
                        if len(self._kept) >= self.KEPT:
                            self._kept.pop(next(iter(self._kept)))
                        self._kept[key] = kept
        return list(kept)  # the values are frozen; the list is the caller's
