"""The campaign's loop on a real database: import → coverage → lagging → reminders → loudspeakers.

A fake Apprise *target* (a custom schema registered with Apprise's own decorator) stands in for SMS/Zalo
gateways, so the real Apprise notifier and the real outbox run. Dates are explicit; nothing sleeps.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import apprise
import pytest
from conftest import SCRIPTS, write_commune
from sqlalchemy import func, select

from loa114.scheduler.campaign.evaluation import evaluate_all
from loa114.scheduler.campaign.importing import ImportRejected
from loa114.scheduler.campaign.listing import notices_on
from loa114.scheduler.campaign.outbox import LEASE, Outbox
from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import Delivery, Event, Notice, VillageReportRow
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SENT: list[dict[str, str]] = []
FAILING: set[str] = set()


@apprise.decorators.notify(on="loaflow")
def _fake_gateway(
    body: str, title: str, notify_type: str, meta: dict, *args: object, **kwargs: object
) -> bool:
    target = meta["url"]
    if any(key in target for key in FAILING):
        return False
    SENT.append({"url": target, "title": title, "body": body})
    return True


@pytest.fixture(autouse=True)
def _reset_gateway() -> Iterator[None]:
    SENT.clear()
    FAILING.clear()
    yield


VILLAGE_SCRIPT = """\
---
id: nhac-thon
title: Nhắc thôn chậm tiến độ
audience: village
priority: 7
---
Thôn {{ village.name }} còn {{ village.households_missing }} hộ chưa cài Báo cháy 114.
"""


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM).astimezone(UTC)


def open_flow(tmp_path: Path, db_url: str, *, escalate_after: int = 3) -> Station:
    path = write_commune(tmp_path, db_url, scripts={**SCRIPTS, "nhac-thon": VILLAGE_SCRIPT})
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "zone: trung-tam}",
        "zone: trung-tam, contacts: [{name: Hoàng Văn Tuấn, role: Trưởng thôn, notify: ['loaflow://gw/na-pan-head']},"
        " {name: Lộc Văn Bình, role: Tổ trưởng ANTT}]}",
    )
    text += (
        "escalation: {contacts: [{name: Trưởng Công an xã, role: Trưởng Công an xã, notify: ['loaflow://gw/police']}]}\n"
        f"reminders: {{quiet_hours: '21:00-06:30', escalate_after: {escalate_after}, max_attempts: 3,"
        " retry_backoff: 5m, evaluate_at: '07:00'}\n"
        "notices: {dir: notices}\n"
    )
    path.write_text(text, encoding="utf-8")
    return Station(App.create(load_config(path)))


def write_csv(
    path: Path, rows: list[str], header: str = "date,village,households_installed,installs"
) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def count(station: Station, model: type) -> int:
    with station.app.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def kinds(station: Station) -> list[str]:
    with station.app.db.session() as session:
        return list(session.scalars(select(Event.kind).order_by(Event.id)))


# Campaign 2026-02-10 → 2026-12-31. On 2026-11-30 the expected rate is 90.4 %, so 81 % is the line.
DAY = date(2026, 11, 30)


def test_import_evaluates_and_queues_one_reminder_per_lagging_village(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    csv = write_csv(tmp_path / "bao-cao.csv", ["2026-11-30,Nà Pàn,60,200", "2026-11-30,khon-pau,90,180"])
    summary = station.import_reports(csv, at(DAY))
    assert (summary.rows, summary.inserted, summary.replaced, summary.unchanged) == (2, 2, 0, 0)
    assert summary.lagging == ["na-pan"]  # 60/142 = 42 %; Khòn Pẩu 90/96 = 94 %, 180/187 = 96 %
    assert "CoverageReported" in kinds(station) and "VillageLagging" in kinds(station)
    (notice,) = notices_on(station.config, station.app.db, DAY)
    assert notice["village"] == "na-pan" and notice["kind"] == "reminder"
    assert notice["reasons"] == ["household_behind", "install_behind"]
    with station.app.db.session() as session:
        body = session.scalars(select(Notice.body)).one()
    assert "Nà Pàn" in body and "82 hộ chưa có ai cài đặt" in body  # 142 − 60

    again = station.import_reports(csv, at(DAY, 10))  # same file again: nothing changes, nothing queued
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 2)
    assert count(station, Notice) == 1 and count(station, VillageReportRow) == 2


def test_later_report_for_same_day_replaces_and_is_audited(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    station.import_reports(write_csv(tmp_path / "a.csv", ["2026-11-30,na-pan,60,200"]), at(DAY))
    summary = station.import_reports(
        write_csv(tmp_path / "b.csv", ["2026-11-30,na-pan,130,300"]), at(DAY, 11)
    )
    assert summary.replaced == 1 and summary.evaluation.recovered == ["na-pan"]
    with station.app.db.session() as session:
        (event,) = session.scalars(select(Event).where(Event.kind == "ReportReplaced")).all()
        assert event.payload["before"]["households_installed"] == 60
        assert event.payload["after"]["households_installed"] == 130
        assert session.scalars(select(VillageReportRow.households_installed)).all() == [130]
    assert "VillageRecovered" in kinds(station)


def test_bad_row_in_large_file_leaves_database_untouched(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    last = date(2026, 11, 30)
    rows = [
        f"{last - timedelta(days=i // 2)},{'na-pan' if i % 2 else 'khon-pau'},{90 - i // 200},{180 - i // 100}"
        for i in range(9_999)
    ]
    rows.insert(7_000, "2026-06-01,Nà Pan Mới,5,5")
    with pytest.raises(ImportRejected) as caught:
        station.import_reports(write_csv(tmp_path / "lon.csv", rows), at(date(2026, 12, 1)))
    (problem,) = caught.value.problems
    assert problem.row == 7_002  # header is row 1
    assert count(station, VillageReportRow) == 0 and count(station, Notice) == 0
    assert "CoverageReported" not in kinds(station)


def test_evaluate_is_idempotent(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    first = evaluate_all(station.config, station.app.store, DAY, at(DAY))
    second = evaluate_all(station.config, station.app.store, DAY, at(DAY, 12))
    assert sorted(first.started_lagging) == ["khon-pau", "na-pan"]  # nobody ever reported: stale and behind
    assert second.started_lagging == [] and second.reminders == []
    assert count(station, Notice) == 2
    assert kinds(station).count("VillageLagging") == 2


def test_escalation_after_three_reminders_without_progress(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    station.import_reports(
        write_csv(tmp_path / "a.csv", ["2026-11-28,na-pan,60,200", "2026-11-28,khon-pau,95,185"]),
        at(date(2026, 11, 28)),
    )
    escalations = []
    for offset in range(4):  # 28, 29, 30 Nov, 1 Dec: reminders every day, no progress
        day = date(2026, 11, 28) + timedelta(days=offset)
        escalations.append(len(evaluate_all(station.config, station.app.store, day, at(day)).escalations))
    assert escalations == [0, 0, 1, 1]  # the third reminder day escalates; once per day from then on
    with station.app.db.session() as session:
        escalation = session.scalars(
            select(Notice).where(Notice.kind == "escalation").order_by(Notice.day)
        ).first()
        assert escalation is not None and escalation.village_id == "na-pan"
        targets = {d.target for d in escalation.deliveries}
    assert targets == {"loaflow://gw/police", "file"}


def test_progress_prevents_escalation(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    for offset, installed in enumerate([60, 60, 61]):  # one more household on the third day
        day = date(2026, 11, 28) + timedelta(days=offset)
        rows = [f"{day},na-pan,{installed},200", f"{day},khon-pau,95,185"]
        station.import_reports(write_csv(tmp_path / f"{offset}.csv", rows), at(day))
    assert count(station, Notice) > 0
    with station.app.db.session() as session:
        assert session.scalar(select(func.count()).where(Notice.kind == "escalation")) == 0


def test_delivery_quiet_hours_retries_and_failure(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    evaluate_all(station.config, station.app.store, DAY, at(DAY, 20, 30))
    night = at(DAY, 22, 0)
    assert station.app.outbox.deliver_due(night) == []  # quiet hours: deferred, not lost
    assert SENT == []

    FAILING.add("na-pan-head")
    morning = at(DAY + timedelta(days=1), 6, 30)
    results = station.app.outbox.deliver_due(morning)
    by_target = {r.target: r.status for r in results}
    assert by_target["file"] == "sent" and by_target["loaflow://gw/…"] == "pending"
    assert list((tmp_path / "notices").rglob("*.docx")) and list((tmp_path / "notices").rglob("*.txt"))
    assert station.app.outbox.deliver_due(morning + timedelta(minutes=4)) == []  # backoff: 5 min
    second = station.app.outbox.deliver_due(morning + timedelta(minutes=5))
    assert [r.status for r in second] == ["pending"]  # attempt 2; next in 10 min
    assert station.app.outbox.deliver_due(morning + timedelta(minutes=14)) == []
    third = station.app.outbox.deliver_due(morning + timedelta(minutes=15))
    assert [r.status for r in third] == ["failed"]  # max_attempts 3: failed, error kept
    (row,) = [n for n in notices_on(station.config, station.app.db, DAY) if n["village"] == "na-pan"]
    assert row["status"] == "failed" and row["attempts"] == 4 and row["last_error"]

    FAILING.clear()
    assert station.app.outbox.retry(row["id"], morning + timedelta(minutes=20)) == 1
    (sent,) = station.app.outbox.deliver_due(morning + timedelta(minutes=20))
    assert sent.status == "sent"
    assert [s["url"] for s in SENT] == ["loaflow://gw/na-pan-head"]
    assert "Nà Pàn" in SENT[0]["title"]


def test_crash_during_send_is_retried_once_after_the_lease(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    evaluate_all(station.config, station.app.store, DAY, at(DAY))
    now = at(DAY, 9, 5)

    def dying(target: str, directory: Path) -> object:
        raise SystemExit("killed while sending")

    with pytest.raises(SystemExit):
        Outbox(station.config, station.app.store, notifiers=dying).deliver_due(now)  # type: ignore[arg-type]
    station.app.close()

    restarted = Station(App.create(station.app.config))
    assert restarted.app.outbox.deliver_due(now + timedelta(minutes=1)) != []  # the other deliveries go out
    sent_before = len(SENT)
    with restarted.app.db.session() as session:
        waiting = session.scalars(select(Delivery).where(Delivery.status == "pending")).all()
        assert len(waiting) == 1 and waiting[0].attempts == 0  # the interrupted one: leased, not lost
    later = restarted.app.outbox.deliver_due(now + LEASE)
    assert [r.status for r in later] == ["sent"]
    assert restarted.app.outbox.deliver_due(now + LEASE + timedelta(hours=1)) == []  # nothing twice
    assert len(SENT) == sent_before + (1 if later[0].target != "file" else 0)


def test_lagging_village_gets_its_own_announcement_and_rerender(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    monday = date(2026, 11, 30)
    station.import_reports(
        write_csv(tmp_path / "a.csv", ["2026-11-29,na-pan,60,200", "2026-11-29,khon-pau,95,185"]),
        at(date(2026, 11, 29), 18),
    )
    station.tick(at(monday, 3, 30))  # builds the 05:30 programs
    folder = tmp_path / "playout/2026-11-30/sang/trung-tam"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    village_items = [i for i in manifest["items"] if i["script"] == "nhac-thon"]
    assert [i["villages"] for i in village_items] == [["na-pan"]]
    assert "Thôn Nà Pàn còn 82 hộ" in village_items[0]["text"]
    north = json.loads(
        (tmp_path / "playout/2026-11-30/sang/phia-bac/manifest.json").read_text(encoding="utf-8")
    )
    assert "nhac-thon" not in [i["script"] for i in north["items"]]  # Khòn Pẩu is on track

    summary = station.import_reports(
        write_csv(tmp_path / "b.csv", ["2026-11-30,na-pan,140,310"]), at(monday, 3, 40)
    )
    assert summary.evaluation.recovered == ["na-pan"]
    assert summary.rerendered == 2  # both zones: the commune figures every program reads have changed
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "nhac-thon" not in [i["script"] for i in manifest["items"]]
