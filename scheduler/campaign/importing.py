"""`loa coverage import` and the web's report form: reports go in whole or not at all, then the villages
are evaluated.

A file and a form are stored the same way (`store_checked`): a (village, date) already reported with other
figures is replaced and the replacement audited, an equal one changes nothing. (The programs whose
figures changed are rebuilt by the service right after: `Station.import_reports` / `submit_report`.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from loa114.scheduler.campaign.columns import VillageReport
from loa114.scheduler.campaign.evaluation import Evaluation, evaluate_all
from loa114.scheduler.campaign.importer import ImportProblem, read_reports
from loa114.scheduler.campaign.store import store_reports
from loa114.scheduler.config import Config
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import CoverageReported, ReportReplaced
from loa114.scheduler.store import Store


class ImportRejected(InputError):
    """The file has errors; nothing was imported. Carries every problem (row, column, message)."""

    def __init__(self, path: Path, problems: list[ImportProblem]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} lỗi, không nhập dòng nào")


@dataclass
class ImportSummary:
    source: str
    rows: int
    inserted: int
    replaced: int
    unchanged: int
    warnings: list[ImportProblem]
    evaluation: Evaluation
    rerendered: int = 0
    lagging: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Origin:
    """Where checked reports come from: `source` (a file name, "biểu mẫu web"), `actor` (who; None: the
    command line)."""

    source: str
    actor: str | None = None


def import_file(
    config: Config, store: Store, path: Path, now: datetime, *, origin: Origin | None = None
) -> ImportSummary:
    """Read and check `path`; store it only when every row is right (else `ImportRejected`)."""
    today = now.astimezone(config.tz).date()
    parsed = read_reports(path, config.villages, today=today)
    if parsed.errors:
        raise ImportRejected(path, parsed.errors)
    summary = store_checked(config, store, parsed.reports, now, origin or Origin(path.name))
    summary.warnings = parsed.warnings
    return summary


def store_checked(
    config: Config, store: Store, reports: Sequence[VillageReport], now: datetime, origin: Origin
) -> ImportSummary:
    """Store reports already checked (by `read_reports` or `entry.check_entry`) in one transaction,
    audited with `origin.actor`, then evaluate every village on today's date."""
    with store.session() as session:
        stored = store_reports(session, reports, source=origin.source, now=now)
        for report, before in stored.replaced:
            figures = {k: v for k, v in before.items() if k != "unsafe_households"}
            after = {key: getattr(report, key) for key in figures}
            event = ReportReplaced(
                at=now, village=report.village_id, day=report.day, before=figures, after=after
            )
            store.record(session, event, actor=origin.actor)
        reported = CoverageReported(
            at=now,
            source=origin.source,
            rows=len(reports),
            inserted=stored.inserted,
            replaced=len(stored.replaced),
            unchanged=stored.unchanged,
        )
        store.record(session, reported, actor=origin.actor)
    evaluation = evaluate_all(config, store, now.astimezone(config.tz).date(), now)
    return ImportSummary(
        source=origin.source,
        rows=len(reports),
        inserted=stored.inserted,
        replaced=len(stored.replaced),
        unchanged=stored.unchanged,
        warnings=[],
        evaluation=evaluation,
        lagging=[v.id for v in evaluation.villages if v.lagging],
    )
