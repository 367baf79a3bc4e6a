"""`loa coverage import`: a report file goes in whole or not at all, then the villages are evaluated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scheduler.campaign.evaluation import Evaluation, evaluate_all
from scheduler.campaign.importer import ImportProblem, read_reports
from scheduler.campaign.store import store_reports
from scheduler.errors import InputError
from scheduler.events import CoverageReported, ReportReplaced
from scheduler.service.station import Station


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


def import_file(station: Station, path: Path, now: datetime) -> ImportSummary:
    app = station.app
    today = now.astimezone(app.config.tz).date()
    parsed = read_reports(path, app.config.villages, today=today)
    if parsed.errors:
        raise ImportRejected(path, parsed.errors)
    with app.db.session() as session:
        stored = store_reports(session, parsed.reports, source=path.name, now=now)
        for report, before in stored.replaced:
            after = {key: getattr(report, key) for key in before if key != "unsafe_households"}
            app.events.record(
                session,
                ReportReplaced(
                    at=now,
                    village=report.village_id,
                    day=report.day,
                    before={k: v for k, v in before.items() if k != "unsafe_households"},
                    after=after,
                ),
            )
        app.events.record(
            session,
            CoverageReported(
                at=now,
                source=path.name,
                rows=len(parsed.reports),
                inserted=stored.inserted,
                replaced=len(stored.replaced),
                unchanged=stored.unchanged,
            ),
        )
    evaluation = evaluate_all(app, today, now)
    rebuilt = station.refresh(now)
    return ImportSummary(
        source=path.name,
        rows=len(parsed.reports),
        inserted=stored.inserted,
        replaced=len(stored.replaced),
        unchanged=stored.unchanged,
        warnings=parsed.warnings,
        evaluation=evaluation,
        rerendered=sum(1 for r in rebuilt if r.built),
        lagging=[v.village_id for v in evaluation.villages if v.lagging],
    )
