"""A village's "khó khăn, vướng mắc": read from CSV and XLSX files, checked like every other cell, stored
beside the figures (migration 0006), and refused — never cut — when too long."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import write_commune
from openpyxl import Workbook, load_workbook
from sqlalchemy import insert, select, text

from loa114.scheduler.campaign.columns import MAX_DIFFICULTIES, VillageReport
from loa114.scheduler.campaign.form import write_template
from loa114.scheduler.campaign.importer import ParsedImport, read_reports
from loa114.scheduler.campaign.store import latest_report, store_reports
from loa114.scheduler.cli import main
from loa114.scheduler.config import Village
from loa114.scheduler.db.engine import Database, upgrade
from loa114.scheduler.db.models import VillageReportRow

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
VILLAGES = [
    Village(id="na-pan", name="Nà Pàn", households=142, smartphone_users=318, zone="trung-tam"),
    Village(id="khon-pau", name="Khòn Pẩu", households=96, smartphone_users=187, zone="phia-bac"),
]
TEXT = "Nhiều hộ chưa có điện thoại thông minh."


def read_csv(tmp_path: Path, *lines: str) -> ParsedImport:
    path = tmp_path / "bao-cao.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_reports(path, VILLAGES, today=TODAY)


@pytest.mark.parametrize("header", ["Khó khăn, vướng mắc", "kho_khan", "KHO KHAN, VUONG MAC", "difficulties"])
def test_the_column_under_each_of_its_names(tmp_path: Path, header: str) -> None:
    result = read_csv(
        tmp_path, f'Ngày;Thôn;Số hộ đã cài;Số người đã cài;"{header}"', f"03/12/2026;Nà Pàn;40;90;{TEXT}"
    )
    assert result.errors == [] and result.warnings == []
    assert result.reports == [VillageReport("na-pan", TODAY, 40, 90, difficulties=TEXT, row=2)]


def test_text_is_cleaned_and_lines_are_kept_blank_is_empty(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path,
        "Ngày,Thôn,Số hộ đã cài,Số người đã cài,Khó khăn",
        '03/12/2026,Nà Pàn,40,90,"  Sóng yếu\x0b(dán từ Word)\x07\r\nThiếu\tngười hướng dẫn  "',
        "03/12/2026,Khòn Pẩu,10,12,   ",
    )
    assert result.errors == []
    assert (
        [r.difficulties for r in result.reports]
        == [
            "Sóng yếu\n(dán từ Word)\nThiếu người hướng dẫn",  # Word's line break is a line break; the bell is gone
            "",
        ]
    )


def test_decomposed_diacritics_become_composed(tmp_path: Path) -> None:
    decomposed = "Kho\u0301 khăn"  # "Khó" typed with a combining accent (macOS, some phones)
    result = read_csv(
        tmp_path, "date,village,households_installed,installs,kho_khan", f"2026-12-03,na-pan,1,1,{decomposed}"
    )
    assert result.reports[0].difficulties == "Khó khăn"


def test_files_without_the_column_import_as_before(tmp_path: Path) -> None:
    result = read_csv(tmp_path, "date,village,households_installed,installs", "2026-12-03,na-pan,40,90")
    assert result.errors == [] and result.reports == [VillageReport("na-pan", TODAY, 40, 90, row=2)]
    assert result.reports[0].difficulties == ""


def test_over_long_text_is_an_error_naming_row_and_column_not_cut(tmp_path: Path) -> None:
    long = "Khó " * (MAX_DIFFICULTIES // 4) + "x"  # 2,001 characters
    exact = "ă" * MAX_DIFFICULTIES
    result = read_csv(
        tmp_path,
        'Ngày,Thôn,Số hộ đã cài,Số người đã cài,"Khó khăn, vướng mắc"',
        f"03/12/2026,Nà Pàn,40,90,{exact}",
        f"03/12/2026,Khòn Pẩu,10,12,{long}",
    )
    assert result.reports == []
    (problem,) = result.errors
    assert (problem.row, problem.column) == (3, "Khó khăn, vướng mắc")
    assert problem.message == "dài 2.001 ký tự, quá giới hạn 2.000 ký tự: viết ngắn gọn lại"
    assert str(problem) == f"bao-cao.csv: dòng 3, cột Khó khăn, vướng mắc: {problem.message}"


def test_a_row_with_only_a_difficulty_still_needs_its_date(tmp_path: Path) -> None:
    result = read_csv(tmp_path, "Ngày,Thôn,Số hộ đã cài,Số người đã cài,kho_khan", f",Nà Pàn,,,{TEXT}")
    assert [(p.row, p.column, p.message) for p in result.errors][0] == (2, "Ngày", "thiếu ngày báo cáo")


def test_xlsx_with_and_without_the_column(tmp_path: Path) -> None:
    for name, header, cell in (
        ("co.xlsx", "Khó khăn, vướng mắc", f"{TEXT}\nĐường vào bản xa"),
        ("khong.xlsx", None, None),
    ):
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Ngày", "Thôn", "Số hộ đã cài", "Số người đã cài", *([header] if header else [])])
        sheet.append([datetime(2026, 12, 3), "Nà Pàn", 40, 90, *([cell] if header else [])])
        book.save(tmp_path / name)
        result = read_reports(tmp_path / name, VILLAGES, today=TODAY)
        assert result.errors == []
        assert result.reports[0].difficulties == (f"{TEXT}\nĐường vào bản xa" if header else "")


def test_xlsx_over_long_cell_names_row_and_column(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ngày", "Thôn", "Số hộ đã cài", "Số người đã cài", "kho_khan"])
    sheet.append([datetime(2026, 12, 3), "Nà Pàn", 40, 90, "a" * (MAX_DIFFICULTIES + 1)])
    book.save(tmp_path / "dai.xlsx")
    result = read_reports(tmp_path / "dai.xlsx", VILLAGES, today=TODAY)
    assert [(p.row, p.column) for p in result.errors] == [(2, "kho_khan")] and result.reports == []


def test_the_blank_form_has_the_column_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(path, VILLAGES, today=TODAY)
    book = load_workbook(path)
    sheet = book["Báo cáo"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "Khó khăn, vướng mắc"
    column = "ABCDEFGHIJK"[len(headers) - 1]
    rule = next(v for v in sheet.data_validations.dataValidation if f"{column}2" in str(v.sqref))
    assert (rule.type, rule.operator, rule.formula1) == (
        "textLength",
        "lessThanOrEqual",
        str(MAX_DIFFICULTIES),
    )
    assert rule.error == "Viết ngắn gọn, tối đa 2.000 ký tự."
    assert sheet[f"{column}1"].comment.text.startswith("Khó khăn, vướng mắc của thôn khi triển khai")
    assert any("Khó khăn, vướng mắc" in str(row[0].value) for row in book["Hướng dẫn"].iter_rows())
    sheet["A2"], sheet["C2"], sheet["D2"], sheet[f"{column}2"] = datetime(2026, 12, 3), 40, 90, TEXT
    book.save(path)
    result = read_reports(path, VILLAGES, today=TODAY)
    assert result.errors == [] and result.reports[0].difficulties == TEXT


def test_cli_import_of_an_over_long_text_exits_2_naming_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    path = tmp_path / "bao-cao.csv"
    path.write_text(
        f"Ngày,Thôn,Số hộ đã cài,Số người đã cài,kho_khan\n30/11/2026,Nà Pàn,60,200,{'x' * 2001}\n",
        encoding="utf-8",
    )
    code = main(["--config", str(config), "--now", "2026-11-30T09:00+07:00", "coverage", "import", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "dòng 2, cột kho_khan: dài 2.001 ký tự, quá giới hạn 2.000 ký tự" in err
    path.write_text(
        f"Ngày,Thôn,Số hộ đã cài,Số người đã cài,kho_khan\n30/11/2026,Nà Pàn,60,200,{TEXT}\n",
        encoding="utf-8",
    )
    code = main(["--config", str(config), "--now", "2026-11-30T09:00+07:00", "coverage", "import", str(path)])
    assert code == 0, capsys.readouterr().err
    database = Database(f"sqlite:///{tmp_path / 'loa.db'}")
    with database.session() as session:
        assert session.scalars(select(VillageReportRow.difficulties)).all() == [TEXT]
    database.dispose()


def test_stored_compared_and_replaced_like_the_figures(db_url: str) -> None:
    database = Database(db_url).migrate()
    report = VillageReport("na-pan", TODAY, 40, 90, difficulties=TEXT)
    with database.session() as session:
        assert store_reports(session, [report], source="a.csv", now=NOW).inserted == 1
    with database.session() as session:
        assert store_reports(session, [report], source="a.csv", now=NOW).unchanged == 1
        assert latest_report(session, "na-pan", TODAY) == report
    changed = VillageReport("na-pan", TODAY, 40, 90, difficulties="Đã khắc phục.")
    with database.session() as session:
        stored = store_reports(session, [changed], source="b.csv", now=NOW)
    assert [(new.difficulties, before["difficulties"]) for new, before in stored.replaced] == [
        ("Đã khắc phục.", TEXT)
    ]
    with database.session() as session:
        assert session.scalars(select(VillageReportRow.difficulties)).all() == ["Đã khắc phục."]
    database.dispose()


def test_migration_0006_gives_earlier_reports_an_empty_text(db_url: str) -> None:
    database = Database(db_url)
    upgrade(database.engine, "0005")
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO village_reports (village_id, day, households_installed, installs, unsafe_households, imported_at)"
            " VALUES ('na-pan', '2026-12-01', 1, 1, '[]', '2026-12-01 00:00:00')"
        ))  # fmt: skip
    database.migrate()
    with database.session() as session:
        assert session.scalars(select(VillageReportRow.difficulties)).all() == [""]
        session.execute(insert(VillageReportRow), [{"village_id": "khon-pau", "day": TODAY, "households_installed": 1,
                                                    "installs": 1, "unsafe_households": [], "imported_at": NOW}])  # fmt: skip
    with database.session() as session:
        assert (
            session.scalars(
                select(VillageReportRow.difficulties).where(VillageReportRow.village_id == "khon-pau")
            ).one()
            == ""
        )
    database.dispose()
