"""The police's report: every figure against a fixture counted by hand, in JSON, XLSX and DOCX alike."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import write_commune
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import insert

from loa114.scheduler.cli import main
from loa114.scheduler.config import Config, load_config
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Broadcast, BroadcastItem, Delivery, Notice, VillageReportRow
from loa114.scheduler.events import EventLog
from loa114.scheduler.reports.docx import to_docx
from loa114.scheduler.reports.figures import compute
from loa114.scheduler.reports.heading import heading_of
from loa114.scheduler.reports.periods import period_of
from loa114.scheduler.reports.writers import to_json
from loa114.scheduler.reports.xlsx import to_xlsx
from loa114.scheduler.store import Store

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=HCM).astimezone(UTC)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=HCM).astimezone(UTC)


def broadcast(day: date, slot: str, zone: str, status: str, **extra: object) -> dict[str, object]:
    hour = 5 if slot == "sang" else 17
    row = {"day": day, "slot_id": slot, "zone_id": zone, "kind": "slot", "airtime": at(day, hour),
           "status": status, "offline_items": 0, "updated_at": NOW}  # fmt: skip
    return {**row, **extra}


@dataclass(frozen=True)
class World:
    config: Config
    store: Store


@pytest.fixture
def world(tmp_path: Path) -> World:
    """One week (Mon 30/11 – Sun 06/12/2026) counted by hand, plus rows just outside it."""
    config = load_config(write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}"))
    store = Store.open(Database(config.database.url).migrate(), EventLog())
    mon, tue = date(2026, 11, 30), date(2026, 12, 1)
    rows = [
        broadcast(mon, "sang", "trung-tam", "aired", duration_s=600.0, confirmed_by="operator"),
        broadcast(mon, "sang", "phia-bac", "aired", duration_s=300.0),  # a player aired it
        broadcast(mon, "chieu", "trung-tam", "published", duration_s=480.0),
        broadcast(tue, "sang", "trung-tam", "missed", reason="service_down"),
        broadcast(tue, "sang", "phia-bac", "failed", reason="playout_failed"),
        broadcast(tue, "khan-1", "trung-tam", "aired", kind="alert", duration_s=60.0),
        broadcast(date(2026, 11, 29), "chieu", "trung-tam", "aired", duration_s=900.0),  # the week before
    ]
    with store.session() as session:
        session.execute(insert(Broadcast), rows)
        ids = [b.id for b in session.query(Broadcast).order_by(Broadcast.id)]
        items = [(ids[0], "goi-114", "Gọi 114"), (ids[0], "cai-dat", "Cài đặt"), (ids[1], "goi-114", "Gọi 114"),
                 (ids[2], "goi-114", "Gọi 114"), (ids[6], "cai-dat", "Cài đặt")]  # fmt: skip
        session.execute(insert(BroadcastItem), [
            {"broadcast_id": b, "position": i, "script_id": s, "title": t, "engine": "offline", "offline": True,
             "duration_s": 100.0, "sha256": "0" * 64, "file": "items/x.mp3"} for i, (b, s, t) in enumerate(items)
        ])  # fmt: skip
        for kind, sent_at, status in (("reminder", at(tue, 9), "sent"), ("escalation", at(date(2026, 12, 8), 9), "sent"),
                                      ("reminder", None, "pending")):  # fmt: skip
            notice = Notice(village_id="khon-pau", day=(sent_at or at(mon, 9)).date(), kind=kind, reasons=[],
                            title="t", body="b", created_at=NOW)  # fmt: skip
            notice.deliveries.append(Delivery(target="file", recipient="x", status=status, attempts=1,
                                              next_attempt_at=NOW, sent_at=sent_at, updated_at=NOW))  # fmt: skip
            session.add(notice)
        for day, installed, extinguishers in ((date(2026, 11, 28), 71, 40), (date(2026, 12, 10), 100, 60)):
            session.add(VillageReportRow(
                village_id="na-pan", day=day, households_installed=installed, installs=150, with_extinguisher=extinguishers,
                with_second_exit=10, unsafe_electrics=5, unsafe_households=[{"name": "a"}, {"name": "b"}],
                imported_at=NOW))  # fmt: skip
    return World(config, store)


def week(world: World) -> dict[str, Any]:
    config, store = world.config, world.store
    return to_json(compute(config, store, period_of("week", date(2026, 12, 2), config), NOW))


def test_propaganda_counts_by_outcome_slot_and_zone(world: World) -> None:
    p = week(world)["propaganda"]
    assert isinstance(p, dict)
    total = p["total"]
    assert (total["scheduled"], total["confirmed"], total["played"], total["unconfirmed"], total["missed"],
            total["failed"]) == (5, 1, 1, 1, 1, 1)  # fmt: skip
    assert total["minutes"] == round((600 + 300 + 480) / 60, 1)  # aired and published, not the week before
    by_key = {(t["slot"], t["zone"]): t for t in p["by_slot_and_zone"]}
    assert by_key[("sang", "trung-tam")]["confirmed"] == 1 and by_key[("sang", "trung-tam")]["missed"] == 1
    assert [k for k in by_key] == [("sang", "phia-bac"), ("sang", "trung-tam"), ("chieu", "trung-tam")]
    assert p["reasons"] == [{"reason": "dịch vụ không chạy lúc đến giờ phát", "count": 1},
                            {"reason": "thiết bị phát báo lỗi", "count": 1}]  # fmt: skip
    assert p["scripts"] == [{"script_id": "goi-114", "title": "Gọi 114", "times": 3},
                            {"script_id": "cai-dat", "title": "Cài đặt", "times": 1}]  # fmt: skip
    assert (p["alerts"], p["reminders_sent"], p["escalations_sent"]) == (1, 1, 0)


def test_installation_and_safety_as_of_the_last_day(world: World) -> None:
    report = week(world)
    villages = {v["id"]: v for v in report["installation"]["villages"]}  # type: ignore[index]
    assert villages["na-pan"]["households_installed"] == 71  # the 10/12 report is after the week
    assert villages["na-pan"]["household_rate"] == pytest.approx(71 / 142)
    assert (
        villages["khon-pau"]["household_rate"] is None and villages["khon-pau"]["status"] == "chưa có số liệu"
    )
    totals = report["installation"]["totals"]  # type: ignore[index]
    assert (totals["households"], totals["households_installed"], totals["villages_reported"]) == (238, 71, 1)
    safety = {s["village_id"]: s for s in report["safety"]}  # type: ignore[union-attr]
    assert (safety["na-pan"]["with_extinguisher"], safety["na-pan"]["unsafe_listed"]) == (40, 2)
    assert safety["khon-pau"]["with_extinguisher"] is None


def test_xlsx_holds_the_same_numbers_as_numbers(world: World) -> None:
    config, store = world.config, world.store
    figures = compute(config, store, period_of("week", date(2026, 12, 2), config), NOW)
    book = load_workbook(io.BytesIO(to_xlsx(figures)))
    assert book.sheetnames == ["I. Tuyên truyền", "II. Cài đặt", "III. An toàn PCCC", "IV-V"]
    install = book["II. Cài đặt"]
    row = next(r for r in install.iter_rows(values_only=False) if r[0].value == "Nà Pàn")
    assert row[1].value == 142 and row[2].value == 71 and row[3].value == pytest.approx(0.5)
    assert row[3].number_format == "0.0%"
    total = next(r for r in install.iter_rows(values_only=True) if r[0] == "Toàn xã")
    assert total[1:3] == (238, 71)
    air = next(r for r in book["I. Tuyên truyền"].iter_rows(values_only=True) if r[1] == "Toàn xã")
    assert air[2:8] == (5, 1, 1, 1, 1, 1)


def test_docx_has_the_administrative_layout_and_the_figures(world: World) -> None:
    config, store = world.config, world.store
    figures = compute(config, store, period_of("week", date(2026, 12, 2), config), NOW)
    document = Document(
        io.BytesIO(to_docx(figures, heading_of(config), proposals="Tăng cường tuyên truyền."))
    )
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.styles["Normal"].font.name == "Times New Roman"
    head = [c.text for c in document.tables[0].rows[0].cells]
    assert "CÔNG AN XÃ LỢI BÁC" in head[0] and "Số:" in head[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head[1] and "Độc lập - Tự do - Hạnh phúc" in head[1]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Lợi Bác, ngày 07 tháng 12 năm 2026" in text
    assert "Kết quả triển khai ứng dụng “Báo cháy 114” tuần từ ngày 30/11/2026 đến ngày 06/12/2026" in text
    for title in (
        "I. KẾT QUẢ TUYÊN TRUYỀN",
        "II. KẾT QUẢ CÀI ĐẶT",
        "III. ĐIỀU KIỆN AN TOÀN",
        "IV. KHÓ KHĂN",
        "V. ĐỀ XUẤT",
    ):
        assert title in text
    assert "Tăng cường tuyên truyền." in text and "Còn 2 hộ trong danh sách" in text
    villages = document.tables[2]
    assert [c.text for c in villages.rows[1].cells][:4] == ["Nà Pàn", "142", "71", "50,0%"]
    closing = [c.text for c in document.tables[-1].rows[0].cells]
    assert "Nơi nhận:" in closing[0] and "Phòng PC07 Công an tỉnh Lạng Sơn" in closing[0]
    assert "TRƯỞNG CÔNG AN XÃ" in closing[1]
    assert len(document.inline_shapes) == 1  # the progress chart


def test_an_empty_period_still_gives_a_valid_report(world: World) -> None:
    config, store = world.config, world.store
    figures = compute(config, store, period_of("week", date(2026, 3, 4), config), NOW)
    assert not figures.has_data and figures.propaganda.total.scheduled == 0
    text = "\n".join(p.text for p in Document(io.BytesIO(to_docx(figures, heading_of(config)))).paragraphs)
    assert "chưa có số liệu" in text
    load_workbook(io.BytesIO(to_xlsx(figures)))


def test_a_month_spanning_the_deadline_expects_the_whole_target(world: World) -> None:
    config, store = world.config, world.store
    period = period_of("month", date(2026, 12, 15), config)
    assert (period.first, period.last) == (date(2026, 12, 1), date(2026, 12, 31))
    report = to_json(compute(config, store, period, NOW + timedelta(days=30)))
    assert report["installation"]["totals"]["expected_rate"] == pytest.approx(  # type: ignore[index]
        config.campaign.targets.household_rate
    )


def test_cli_writes_each_format_and_refuses_misuse(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(world.config.source)
    for fmt in ("json", "xlsx", "docx"):
        out = tmp_path / f"bao-cao.{fmt}"
        code = main(["--config", config, "--now", "2026-12-07T09:00", "report", "--period", "week",
                     "--date", "02/12/2026", "--format", fmt, "-o", str(out)])  # fmt: skip
        assert code == 0 and out.stat().st_size > 0
    assert json.loads((tmp_path / "bao-cao.json").read_text(encoding="utf-8"))["propaganda"]["alerts"] == 1
    capsys.readouterr()
    for args, says in ((["--period", "year"], "không có kỳ báo cáo 'year'"),
                       (["--format", "pdf"], "không có định dạng 'pdf'"),
                       (["--format", "xlsx"], "phải có đuôi .xlsx")):  # fmt: skip
        code = main(["--config", config, "report", *args, "-o", str(tmp_path / "x.docx")])
        _, err = capsys.readouterr()
        assert code == 2 and says in err and err.count("\n") == 1
