"""Reports the service issues on its own schedule: when, exactly once, and delivered with their files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import write_commune
from docx import Document
from sqlalchemy import select

from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import Delivery, Notice
from loa114.scheduler.errors import ConfigError
from loa114.scheduler.reports.issuing import due_reports, issue_due, latest_moment
from loa114.scheduler.service.app import App

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HCM)


@pytest.mark.parametrize(
    ("kind", "when", "now", "expected"),
    [
        ("week", "fri 16:00", local(12, 4, 17), local(12, 4, 16)),  # Friday, after the time
        ("week", "fri 16:00", local(12, 4, 15, 59), local(11, 27, 16)),  # Friday, just before
        ("week", "mon 07:30", local(12, 4, 17), local(11, 30, 7, 30)),
        ("month", "last 16:00", local(12, 4, 9), local(11, 30, 16)),
        ("month", "last 16:00", local(11, 30, 16), local(11, 30, 16)),  # exactly at the moment
        ("month", "last 16:00", local(3, 1, 0), local(2, 28, 16)),  # February's last day
        ("month", "25 08:00", local(12, 4, 9), local(11, 25, 8)),
    ],
)
def test_latest_moment(kind: str, when: str, now: datetime, expected: datetime) -> None:
    assert latest_moment(kind, when, now) == expected


@pytest.fixture
def app(tmp_path: Path) -> App:
    return App.create(load_config(write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")), engines=[])


def test_what_is_due_looks_a_week_back_only(app: App) -> None:
    due = {(d.period.kind, d.period.first.isoformat()) for d in due_reports(app.config, local(12, 4, 17))}
    assert due == {("week", "2026-11-30"), ("month", "2026-11-01")}
    later = {(d.period.kind, d.period.first.isoformat()) for d in due_reports(app.config, local(12, 10, 9))}
    assert later == {("week", "2026-11-30")}  # November's moment (30/11 16:00) is over a week old


def test_each_period_is_issued_once_and_delivered_with_its_files(app: App) -> None:
    now = local(12, 4, 17).astimezone(UTC)
    written = issue_due(app.config, app.store, now)
    assert sorted(p.name for p in written) == [
        "bao-cao-month-2026-11-01.docx",
        "bao-cao-week-2026-11-30.docx",
    ]
    assert all(p.with_suffix(".xlsx").exists() and p.with_suffix(".json").exists() for p in written)
    assert issue_due(app.config, app.store, now) == []  # a restart, or the next round: nothing twice
    with app.store.session() as session:
        notices = session.scalars(select(Notice).where(Notice.village_id == "toan-xa")).all()
        assert sorted(n.kind for n in notices) == ["report-month", "report-week"]
        assert session.scalars(select(Delivery.target)).all() == ["file", "file"]
    results = app.outbox.deliver_due(now)
    assert [r.status for r in results] == ["sent", "sent"]
    folder = app.config.notices.dir / "2026-11-01"
    attached = folder / "bao-cao-month-2026-11-01.docx"
    assert attached.exists() and (folder / "bao-cao-month-2026-11-01.xlsx").exists()
    text = "\n".join(p.text for p in Document(str(attached)).paragraphs)
    assert "tháng 11 năm 2026" in text


def test_a_bad_schedule_names_the_key(tmp_path: Path) -> None:
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    path.write_text(
        path.read_text(encoding="utf-8") + 'reports: {schedule: {week: "thứ sáu 16:00"}}\n', "utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "reports.schedule" in str(caught.value) and "fri 16:00" in str(caught.value)
