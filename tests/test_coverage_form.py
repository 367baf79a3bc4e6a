"""The blank XLSX form: what a village head sees, and that a filled-in copy imports as it should."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from loa114.scheduler.campaign.columns import COLUMNS, COUNT_FIELDS, NOTES, UnsafeHousehold, VillageReport
from loa114.scheduler.campaign.form import write_template
from loa114.scheduler.campaign.importer import read_reports
from loa114.scheduler.config import load_config

ROOT = Path(__file__).resolve().parent.parent
VILLAGES = load_config(ROOT / "config.yaml").villages
TODAY = date(2026, 3, 10)
HEADERS = [headers[0] for headers in COLUMNS.values()]


def letter(field: str) -> str:
    return "ABCDEFGHIJK"[list(COLUMNS).index(field)]


def form(tmp_path: Path) -> Path:
    path = tmp_path / "mau-bao-cao.xlsx"
    write_template(path, VILLAGES, today=TODAY)
    return path


def report_sheet(path: Path) -> Worksheet:
    sheet = load_workbook(path)["Báo cáo"]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_the_report_sheet_a_head_fills_in(tmp_path: Path) -> None:
    sheet = report_sheet(form(tmp_path))
    assert sheet.parent.sheetnames[:2] == ["Báo cáo", "Hướng dẫn"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert all(sheet.column_dimensions[letter(f)].width >= 12 for f in COLUMNS)
    # every header explains itself in a note, from the same text the importer's docs use
    assert [cell.comment.text for cell in sheet[1]] == [NOTES[f] for f in COLUMNS]
    names = [sheet[f"B{row}"].value for row in range(2, 2 + len(VILLAGES))]
    assert names == [v.name for v in VILLAGES]
    assert sheet["A2"].value is None and sheet["C2"].value is None  # left for the head
    assert sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet[f"A{1 + len(VILLAGES) + 50}"].number_format == "DD/MM/YYYY"  # spare rows too


def test_excel_checks_counts_and_dates_while_typing(tmp_path: Path) -> None:
    sheet = report_sheet(form(tmp_path))
    validations = sheet.data_validations.dataValidation
    for field in COUNT_FIELDS:
        rule = next(v for v in validations if f"{letter(field)}2" in v.sqref)
        assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert rule.prompt == NOTES[field]  # whole note, not cut at Excel's 255 characters
        assert f"{letter(field)}{1 + len(VILLAGES) + 50}" in rule.sqref
    dates = next(v for v in validations if "A2" in v.sqref)
    assert (dates.type, dates.operator, dates.formula1) == ("date", "lessThanOrEqual", "TODAY()")
    village = next(v for v in validations if "B2" in v.sqref)
    assert village.type == "list" and not village.formula1.startswith("=")
    assert "C2" not in dates.sqref and "J2" not in village.sqref


def test_the_guide_sheet(tmp_path: Path) -> None:
    guide = load_workbook(form(tmp_path))["Hướng dẫn"]
    text = "\n".join(str(cell.value) for cell in guide["A"] if cell.value)
    for words in (
        "Trưởng thôn",
        "CỘNG DỒN",
        "10/03/2026",
        "Alt+Enter",
        "Hộ số 12: chưa có lối thoát nạn thứ hai",
    ):
        assert words in text
    assert "không ghi số điện thoại" in text


def test_a_filled_in_form_imports(tmp_path: Path) -> None:
    path = form(tmp_path)
    book = load_workbook(path)
    sheet = book["Báo cáo"]
    # Nà Pàn (row 2) and Khòn Pẩu (row 4) report; the other villages' rows stay as printed
    sheet["A2"] = datetime(2026, 3, 9)
    sheet["C2"], sheet["D2"], sheet["F2"], sheet["G2"], sheet["H2"] = 60, 130, 100, 90, 41
    sheet["J2"] = "Nhà ông Hoàng Văn A: thiếu bình chữa cháy\nHộ số 12: chưa có lối thoát nạn thứ hai"
    sheet["A4"] = datetime(2026, 3, 10)
    sheet["C4"], sheet["D4"], sheet["E4"] = 20, 25, 190
    spare = 2 + len(VILLAGES)
    sheet[f"A{spare}"], sheet[f"B{spare}"] = datetime(2026, 3, 2), "Nà Pàn"
    sheet[f"C{spare}"], sheet[f"D{spare}"] = 50, 100
    filled = tmp_path / "nop-lai.xlsx"
    book.save(filled)

    result = read_reports(filled, VILLAGES, today=TODAY)
    assert result.errors == [] and result.warnings == []
    assert result.reports == [
        VillageReport(
            "na-pan",
            date(2026, 3, 9),
            60,
            130,
            households_visited=100,
            with_extinguisher=90,
            with_second_exit=41,
            unsafe_households=(
                UnsafeHousehold("Nhà ông Hoàng Văn A", "thiếu bình chữa cháy"),
                UnsafeHousehold("Hộ số 12", "chưa có lối thoát nạn thứ hai"),
            ),
            row=2,
        ),
        VillageReport("khon-pau", date(2026, 3, 10), 20, 25, smartphone_users=190, row=4),
        VillageReport("na-pan", date(2026, 3, 2), 50, 100, row=spare),
    ]


def test_a_mistake_in_the_form_is_named_by_its_cell(tmp_path: Path) -> None:
    path = form(tmp_path)
    book = load_workbook(path)
    sheet = book["Báo cáo"]
    sheet["A3"], sheet["C3"], sheet["D3"] = datetime(2026, 3, 9), 119, 200  # Bản Chu has 118 households
    book.save(path)
    result = read_reports(path, VILLAGES, today=TODAY)
    assert [str(p) for p in result.errors] == [
        "mau-bao-cao.xlsx: dòng 3, cột Số hộ đã cài: 119 lớn hơn số hộ của thôn Bản Chu (118)"
    ]
    assert result.reports == []


def test_the_blank_form_is_not_an_empty_import(tmp_path: Path) -> None:
    result = read_reports(form(tmp_path), VILLAGES, today=TODAY)
    assert [p.message for p in result.errors] == ["tệp không có dòng số liệu nào"]


def test_written_atomically_over_an_older_form(tmp_path: Path) -> None:
    path = tmp_path / "forms" / "mau.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"old")
    write_template(path, VILLAGES[:2], today=TODAY)
    assert [p.name for p in path.parent.iterdir()] == ["mau.xlsx"]  # no temporary file left beside it
    assert report_sheet(path)["B3"].value == VILLAGES[1].name
