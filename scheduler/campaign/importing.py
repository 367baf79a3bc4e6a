"""`loa coverage import`: a report file goes in whole or not at all, then the villages are evaluated.

(The programs whose figures changed are rebuilt by the service right after: `Station.import_reports`.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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


def import_file(config: Config, store: Store, path: Path, now: datetime) -> ImportSummary:
    today = now.astimezone(config.tz).date()
    parsed = read_reports(path, config.villages, today=today)
    if parsed.errors:
        raise ImportRejected(path, parsed.errors)
    with store.session() as session:
        stored = store_reports(session, parsed.reports, source=path.name, now=now)
        for report, before in stored.replaced:
            figures = {k: v for k, v in before.items() if k != "unsafe_households"}
            after = {key: getattr(report, key) for key in figures}
            event = ReportReplaced(
                at=now, village=report.village_id, day=report.day, before=figures, after=after
            )
            store.record(session, event)
        reported = CoverageReported(
            at=now,
            source=path.name,
            rows=len(parsed.reports),
            inserted=stored.inserted,
            replaced=len(stored.replaced),
            unchanged=stored.unchanged,
        )
        store.record(session, reported)
    evaluation = evaluate_all(config, store, today, now)
    return ImportSummary(
        source=path.name,
        rows=len(parsed.reports),
        inserted=stored.inserted,
        replaced=len(stored.replaced),
        unchanged=stored.unchanged,
        warnings=parsed.warnings,
        evaluation=evaluation,
        lagging=[v.id for v in evaluation.villages if v.lagging],
    )
