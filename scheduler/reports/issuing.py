"""Reports the service issues on its own: on schedule (e.g. Friday 16:00 for the week, the month's last day
at 16:00 for the month), written to `reports.dir` and sent to `reports.recipients` through the outbox.

Idempotent: the outbox's unique (village, day, kind) key — here ("toan-xa", the period's first day,
"report-week"/"report-month") — says whether a period's report was issued; a restart issues what it
missed, up to a week back, and never twice.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from loa114.content.notices import Notice as NoticeText
from loa114.scheduler.campaign.compose import Target
from loa114.scheduler.campaign.queue import COMMUNE, NoticeDraft, queue_notice
from loa114.scheduler.config import Config
from loa114.scheduler.config.values import parse_report_when
from loa114.scheduler.db.models import Notice
from loa114.scheduler.files import write_atomic
from loa114.scheduler.reports.docx import to_docx
from loa114.scheduler.reports.figures import compute
from loa114.scheduler.reports.heading import heading_of
from loa114.scheduler.reports.notes import notes_of
from loa114.scheduler.reports.periods import Period, period_of
from loa114.scheduler.reports.writers import to_json
from loa114.scheduler.reports.xlsx import to_xlsx
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)

CATCH_UP = timedelta(days=7)


@dataclass(frozen=True)
class Due:
    period: Period
    at: datetime  # the scheduled moment (aware, commune time)


def latest_moment(kind: str, when: str, now: datetime) -> datetime:
    """The last scheduled moment of `kind` at or before `now` (aware, in `now`'s timezone)."""
    day_spec, clock = parse_report_when(kind, when)
    day = now.date()
    for _ in range(62):  # at most two months back: always enough for a weekly or monthly moment
        if _matches(kind, day_spec, day) and datetime.combine(day, clock, tzinfo=now.tzinfo) <= now:
            return datetime.combine(day, clock, tzinfo=now.tzinfo)
        day -= timedelta(days=1)
    raise AssertionError("no moment in two months")  # unreachable with a valid schedule


def _matches(kind: str, day_spec: int | str, day: date) -> bool:
    if kind == "week":
        return day.weekday() == day_spec
    if day_spec == "last":
        return day.day == calendar.monthrange(day.year, day.month)[1]
    return day.day == day_spec


def due_reports(config: Config, now: datetime) -> list[Due]:
    """The scheduled reports whose moment passed within the last week, newest moment per kind."""
    local = now.astimezone(config.tz)
    due = []
    for kind, when in config.reports.schedule.items():
        moment = latest_moment(kind, when, local)
        if local - moment <= CATCH_UP:
            due.append(Due(period_of(kind, moment.date(), config), moment))
    return due


def issue_due(config: Config, store: Store, now: datetime) -> list[Path]:
    """Write and queue every due report not issued yet; the DOCX paths written."""
    written = []
    for due in due_reports(config, now):
        kind = f"report-{due.period.kind}"
        with store.session() as session:
            issued = session.scalar(
                select(Notice.id).where(
                    Notice.village_id == COMMUNE, Notice.day == due.period.first, Notice.kind == kind
                )
            )
        if issued is not None:
            continue
        files = write_report(config, store, due.period, now)
        with store.session() as session:
            queue_notice(store, session, _draft(config, due.period, files), now)
        log.info("report issued period=%s first=%s files=%s", due.period.kind, due.period.first, files[0])
        written.append(files[0])
    return written


def write_report(config: Config, store: Store, period: Period, now: datetime) -> list[Path]:
    """DOCX, XLSX and JSON of `period` into `reports.dir` (atomically); their paths, DOCX first."""
    figures, notes = compute(config, store, period, now), notes_of(store, period)
    stem = config.reports.dir / f"bao-cao-{period.kind}-{period.first.isoformat()}"
    payload = to_json(figures, notes.difficulties, notes.proposals)
    outputs = {
        ".docx": to_docx(figures, heading_of(config), notes.difficulties, notes.proposals),
        ".xlsx": to_xlsx(figures, notes.difficulties, notes.proposals),
        ".json": json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    paths = []
    for suffix, data in outputs.items():
        path = stem.with_suffix(suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        paths.append(path)
    return paths


def _draft(config: Config, period: Period, files: list[Path]) -> NoticeDraft:
    title = f"Báo cáo kết quả triển khai ứng dụng Báo cháy 114 — {period.title}"
    body = (
        f"{heading_of(config).issuer} gửi báo cáo {period.title}.\n\n"
        f"Tệp đính kèm: {', '.join(p.name for p in files[:2])} (bản Word để ký, bảng số liệu Excel)."
    )
    return NoticeDraft(
        village_id=COMMUNE,
        day=period.first,
        kind=f"report-{period.kind}",
        reasons=(),
        text=NoticeText(kind=f"report-{period.kind}", title=title, body=body),
        targets=[Target(r, "Nơi nhận báo cáo") for r in config.reports.recipients],
        attachments=tuple(str(p) for p in files[:2]),
    )
