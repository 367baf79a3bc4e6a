"""Village report files (CSV, XLSX): what a clerk imports becomes reports, or every problem with its place."""

from __future__ import annotations

import gc
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from loa114.scheduler.campaign.columns import UnsafeHousehold, VillageReport
from loa114.scheduler.campaign.importer import ImportProblem, ParsedImport, fold, read_reports
from loa114.scheduler.config import Village

TODAY = date(2026, 3, 10)
VILLAGES = [
    Village(id="na-pan", name="Nà Pàn", households=142, smartphone_users=318, zone="trung-tam"),
    Village(id="khon-pau", name="Khòn Pẩu", households=96, smartphone_users=187, zone="phia-bac"),
    Village(id="ban-chu", name="Bản Chu", households=1500, smartphone_users=3000, zone="trung-tam"),
]
EN = "date,village,households_installed,installs"
VI = "Ngày,Thôn,Số hộ đã cài,Số người đã cài"


def write(tmp_path: Path, text: str, name: str = "baocao.csv", *, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path) -> ParsedImport:
    return read_reports(path, VILLAGES, today=TODAY)


def read_csv(tmp_path: Path, *lines: str) -> ParsedImport:
    return read(write(tmp_path, "\n".join(lines) + "\n"))


def places(result: ParsedImport) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in result.errors]


def test_english_headers_and_ids(tmp_path: Path) -> None:
    result = read_csv(tmp_path, EN, "2026-03-05,na-pan,40,90", "2026-03-05,khon-pau,10,12")
    assert result.errors == [] and result.warnings == []
    assert result.reports == [
        VillageReport("na-pan", date(2026, 3, 5), 40, 90, row=2),
        VillageReport("khon-pau", date(2026, 3, 5), 10, 12, row=3),
    ]


def test_vietnamese_headers_and_names_regardless_of_case_and_diacritics(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path,
        VI,
        "05/03/2026,NÀ PÀN,40,90",
        "5/3/2026,khon pau,10,12",
        "06/03/2026,  Thôn   Nà Pàn ,41,91",
        "06/03/2026,Ban Chu,1,1",
    )
    assert result.errors == []
    assert [(r.village_id, r.day, r.row) for r in result.reports] == [
        ("na-pan", date(2026, 3, 5), 2),
        ("khon-pau", date(2026, 3, 5), 3),
        ("na-pan", date(2026, 3, 6), 4),
        ("ban-chu", date(2026, 3, 6), 5),
    ]


def test_header_spellings_heads_use(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path, "STT,ngay bao cao,THÔN/BẢN,Số hộ đã cài đặt,Số người đã cài đặt", "1,05/03/2026,Nà Pàn,4,9"
    )
    assert result.errors == [] and result.warnings == []
    assert result.reports == [VillageReport("na-pan", date(2026, 3, 5), 4, 9, row=2)]


def test_utf8_bom_and_semicolons(tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffNgày;Thôn;Số hộ đã cài;Số người đã cài\r\n05/03/2026;Nà Pàn;40;90\r\n")
    result = read(path)
    assert result.errors == []
    assert result.reports == [VillageReport("na-pan", date(2026, 3, 5), 40, 90, row=2)]


def test_every_column_and_the_unsafe_household_list(tmp_path: Path) -> None:
    header = (
        "Ngày;Thôn;Số hộ đã cài;Số người đã cài;Số người dùng điện thoại thông minh;Số hộ đã đến;"
        "Số hộ có bình chữa cháy;Số hộ có lối thoát nạn thứ hai;Số hộ điện không an toàn;Hộ chưa bảo đảm an toàn PCCC"
    )
    unsafe = '"Nhà ông Hoàng Văn A: thiếu bình chữa cháy; Hộ số 12: chưa có lối thoát nạn thứ hai\nHộ số 7;"'
    result = read_csv(tmp_path, header, f"05/03/2026;Nà Pàn;40;90;320;100;55;30;4;{unsafe}")
    assert result.errors == []
    assert result.reports == [
        VillageReport(
            "na-pan",
            date(2026, 3, 5),
            40,
            90,
            smartphone_users=320,
            households_visited=100,
            with_extinguisher=55,
            with_second_exit=30,
            unsafe_electrics=4,
            unsafe_households=(
                UnsafeHousehold("Nhà ông Hoàng Văn A", "thiếu bình chữa cháy"),
                UnsafeHousehold("Hộ số 12", "chưa có lối thoát nạn thứ hai"),
                UnsafeHousehold("Hộ số 7", ""),
            ),
            row=2,
        )
    ]


def test_blank_optional_cells_are_none(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path, VI + ",Số hộ đã đến,Hộ chưa bảo đảm an toàn PCCC", "05/03/2026,Nà Pàn,40,90,,"
    )
    assert result.errors == []
    assert result.reports[0].households_visited is None
    assert result.reports[0].unsafe_households == ()


def test_xlsx_with_date_cells_and_whole_floats(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Ngày", "Thôn", "Số hộ đã cài", "Số người đã cài", "Số hộ đã đến"])
    sheet.append([datetime(2026, 3, 5, 8, 30), "Nà Pàn", 40, 90.0, 0])
    sheet.append([date(2026, 3, 5), "khon-pau", 12.0, "13", 20])
    sheet.append([46085, "khon-pau", 11, 12, None])  # a date cell that lost its format: Excel's day number
    sheet.append(["2026-03-06", "Khòn Pẩu", "1.250", 1300, None])  # 1.250 > 96 households: one error
    path = tmp_path / "baocao.xlsx"
    book.save(path)
    result = read(path)
    assert places(result) == [(5, "Số hộ đã cài")]
    assert "1250" in result.errors[0].message
    sheet.delete_rows(5)
    book.save(path)
    result = read(path)
    assert result.errors == []
    assert result.reports == [
        VillageReport("na-pan", date(2026, 3, 5), 40, 90, households_visited=0, row=2),
        VillageReport("khon-pau", date(2026, 3, 5), 12, 13, households_visited=20, row=3),
        VillageReport("khon-pau", date(2026, 3, 4), 11, 12, row=4),
    ]


def test_xlsx_empty_rows_keep_spreadsheet_numbering(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["date", "village", "households_installed", "installs"])
    sheet.cell(row=5, column=1, value=date(2026, 3, 5))
    sheet.cell(row=5, column=2, value="Nà Pàn")
    sheet.cell(row=5, column=3, value=-1)
    sheet.cell(row=5, column=4, value=3)
    book.save(tmp_path / "r.xlsx")
    assert places(read(tmp_path / "r.xlsx")) == [(5, "households_installed")]


def test_csv_rows_are_records_even_with_line_breaks_in_a_cell(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path,
        VI + ",Hộ chưa bảo đảm an toàn PCCC",
        '05/03/2026,Nà Pàn,40,90,"Hộ số 1: thiếu bình\nHộ số 2: thiếu bình"',
        "",
        "05/03/2026,Nà Pàn,40,90,",
    )
    assert [p.row for p in result.errors] == [4]
    assert "dòng 2" in result.errors[0].message


@pytest.mark.parametrize("text", ["2026-03-05", "05/03/2026", "5/3/2026", " 2026-3-5 "])
def test_date_formats(tmp_path: Path, text: str) -> None:
    result = read_csv(tmp_path, EN, f"{text},na-pan,1,1")
    assert result.errors == []
    assert result.reports[0].day == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-03-10", True), ("10/03/2026", True), ("2026-03-11", False), ("11/03/2026", False)],
)
def test_future_dates_are_errors_today_is_fine(tmp_path: Path, text: str, ok: bool) -> None:
    result = read_csv(tmp_path, VI, f"{text},Nà Pàn,1,1")
    if ok:
        assert result.errors == []
    else:
        assert places(result) == [(2, "Ngày")]
        assert "sau hôm nay" in result.errors[0].message


@pytest.mark.parametrize("text", ["32/01/2026", "2026-02-30", "hôm qua", "03/2026", ""])
def test_bad_or_missing_dates(tmp_path: Path, text: str) -> None:
    result = read_csv(tmp_path, VI, f"{text},Nà Pàn,1,1")
    assert places(result) == [(2, "Ngày")]
    assert result.reports == []


@pytest.mark.parametrize(
    ("cell", "value"),
    [("12", 12), (" 12 ", 12), ("012", 12), ("12.0", 12), ("1.250", 1250), ("0", 0)],
)
def test_count_formats(tmp_path: Path, cell: str, value: int) -> None:
    result = read_csv(tmp_path, VI, f'05/03/2026,Bản Chu,"{cell}",1300')
    assert result.errors == []
    assert result.reports[0].households_installed == value


def test_large_counts(tmp_path: Path) -> None:
    town = Village(id="pho", name="Khu phố", households=60_000, smartphone_users=150_000, zone="z")
    path = write(tmp_path, f"{EN}\n2026-03-05,pho,54321,123456\n2026-03-06,pho,60001,123456\n")
    result = read_reports(path, [town], today=TODAY)
    assert places(result) == [(3, "households_installed")]
    path = write(tmp_path, f"{EN}\n2026-03-05,pho,54321,123456\n")
    report = read_reports(path, [town], today=TODAY).reports[0]
    assert (report.households_installed, report.installs) == (54321, 123456)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("-1", "không được âm"),
        ("12.5", "số nguyên"),
        ("12,5", "số nguyên"),
        ("mười", "số nguyên"),
        ("", "thiếu"),
    ],
)
def test_bad_counts_name_row_and_column(tmp_path: Path, cell: str, words: str) -> None:
    result = read_csv(tmp_path, VI, "05/03/2026,Nà Pàn,1,5", f'05/03/2026,Khòn Pẩu,"{cell}",5')
    assert places(result) == [(3, "Số hộ đã cài")]
    assert words in result.errors[0].message
    assert result.reports == []


def test_optional_count_errors_name_their_column(tmp_path: Path) -> None:
    result = read_csv(tmp_path, VI + ",Số hộ có bình chữa cháy", "05/03/2026,Nà Pàn,1,5,-3")
    assert places(result) == [(2, "Số hộ có bình chữa cháy")]


@pytest.mark.parametrize(("installed", "ok"), [(142, True), (143, False)])
def test_households_installed_at_most_households(tmp_path: Path, installed: int, ok: bool) -> None:
    result = read_csv(tmp_path, VI, f"05/03/2026,Nà Pàn,{installed},300")
    assert places(result) == ([] if ok else [(2, "Số hộ đã cài")])
    if not ok:
        assert "142" in result.errors[0].message


@pytest.mark.parametrize(
    "header",
    ["Số hộ đã đến", "Số hộ có bình chữa cháy", "Số hộ có lối thoát nạn thứ hai", "Số hộ điện không an toàn"],
)
@pytest.mark.parametrize(("value", "ok"), [(142, True), (143, False)])
def test_checklist_counts_at_most_households(tmp_path: Path, header: str, value: int, ok: bool) -> None:
    result = read_csv(tmp_path, f"{VI},{header}", f"05/03/2026,Nà Pàn,10,20,{value}")
    assert places(result) == ([] if ok else [(2, header)])


@pytest.mark.parametrize(("installs", "ok"), [(40, True), (39, False)])
def test_installs_at_least_households_installed(tmp_path: Path, installs: int, ok: bool) -> None:
    result = read_csv(tmp_path, VI, f"05/03/2026,Nà Pàn,40,{installs}")
    assert places(result) == ([] if ok else [(2, "Số người đã cài")])


@pytest.mark.parametrize(("installs", "warned"), [(318, False), (319, True)])
def test_installs_above_the_configured_estimate_warn(tmp_path: Path, installs: int, warned: bool) -> None:
    result = read_csv(tmp_path, VI, f"05/03/2026,Nà Pàn,40,{installs}")
    assert result.errors == []
    assert len(result.reports) == 1  # a warning does not stop the import
    assert [(w.row, w.column) for w in result.warnings] == ([(2, "Số người đã cài")] if warned else [])
    if warned:
        assert "cập nhật" in result.warnings[0].message and "318" in result.warnings[0].message


def test_the_rows_own_estimate_replaces_the_configured_one(tmp_path: Path) -> None:
    header = VI + ",Số người dùng điện thoại thông minh"
    result = read_csv(tmp_path, header, "05/03/2026,Nà Pàn,40,350,350", "06/03/2026,Nà Pàn,40,200,199")
    assert result.errors == []
    assert [w.row for w in result.warnings] == [3]
    assert "199" in result.warnings[0].message


def test_duplicate_village_and_date_names_both_rows(tmp_path: Path) -> None:
    result = read_csv(tmp_path, EN, "2026-03-05,na-pan,1,1", "2026-03-06,na-pan,2,2", "05/03/2026,Nà Pàn,3,3")
    assert places(result) == [(4, "village")]
    assert "dòng 2" in result.errors[0].message
    assert result.reports == []


def test_unknown_village_did_you_mean(tmp_path: Path) -> None:
    result = read_csv(tmp_path, VI, "05/03/2026,Nà Pàn,1,1", "05/03/2026,Na Pan 2,1,1")
    assert [str(p) for p in result.errors] == [
        "baocao.csv: dòng 3, cột Thôn: không có thôn 'Na Pan 2'; có phải 'Nà Pàn'?"
    ]
    assert result.reports == []


def test_unknown_village_without_a_close_name_lists_the_villages(tmp_path: Path) -> None:
    result = read_csv(tmp_path, EN, "2026-03-05,Hà Nội,1,1", "2026-03-05,,1,1", "2026-03-05,khon-pu,1,1")
    assert places(result) == [(2, "village"), (3, "village"), (4, "village")]
    assert "Nà Pàn, Khòn Pẩu, Bản Chu" in result.errors[0].message
    assert "thiếu tên thôn" in result.errors[1].message
    assert "có phải 'Khòn Pẩu'?" in result.errors[2].message


def test_names_that_fold_alike_must_use_the_id(tmp_path: Path) -> None:
    villages = [*VILLAGES, Village(id="na-pan-2", name="Na Pan", households=5, smartphone_users=5, zone="z")]
    result = read_reports(
        write(tmp_path, f"{EN}\n2026-03-05,Nà Pàn,1,1\n2026-03-05,na-pan-2,1,1\n"), villages, today=TODAY
    )
    assert places(result) == [(2, "village")]
    assert "mã thôn" in result.errors[0].message


def test_every_problem_is_collected_not_just_the_first(tmp_path: Path) -> None:
    result = read_csv(
        tmp_path,
        VI,
        "05/03/2026,Nà Pàn,40,90",
        "32/03/2026,Nà Pàn,-1,abc",
        "05/03/2026,Nowhere,1000,1",
    )
    assert places(result) == [(3, "Ngày"), (3, "Số hộ đã cài"), (3, "Số người đã cài"), (4, "Thôn")]
    assert result.reports == []


def test_unsafe_household_entries(tmp_path: Path) -> None:
    header = VI + ",Hộ chưa bảo đảm an toàn PCCC"
    result = read_csv(
        tmp_path,
        header,
        "05/03/2026,Nà Pàn,1,1,: thiếu bình chữa cháy",
        "06/03/2026,Nà Pàn,1,1,Hộ ông B (0912 345 678): thiếu bình",
        "07/03/2026,Nà Pàn,1,1,Hộ số 3;;",
    )
    assert places(result) == [(2, "Hộ chưa bảo đảm an toàn PCCC"), (3, "Hộ chưa bảo đảm an toàn PCCC")]
    assert "thiếu tên chủ hộ" in result.errors[0].message
    assert "số điện thoại" in result.errors[1].message


def test_more_unsafe_households_than_the_village_has(tmp_path: Path) -> None:
    villages = [Village(id="tiny", name="Tí Hon", households=2, smartphone_users=9, zone="z")]
    header = VI + ",Hộ chưa bảo đảm an toàn PCCC"
    path = write(tmp_path, f"{header}\n05/03/2026,tiny,1,1,A;B\n06/03/2026,tiny,1,1,A;B;C\n")
    result = read_reports(path, villages, today=TODAY)
    assert places(result) == [(3, "Hộ chưa bảo đảm an toàn PCCC")]


def test_unknown_columns_warn_and_serial_numbers_are_ignored(tmp_path: Path) -> None:
    result = read_csv(tmp_path, "STT," + VI + ",Ghi chú", "1,05/03/2026,Nà Pàn,1,1,đã xong")
    assert result.errors == []
    assert [(w.row, w.column) for w in result.warnings] == [(1, "Ghi chú")]
    assert len(result.reports) == 1


def test_missing_required_columns(tmp_path: Path) -> None:
    result = read_csv(tmp_path, "Ngày,Thôn,Số hộ", "05/03/2026,Nà Pàn,1")
    assert [(p.row, p.column) for p in result.errors] == [(1, None), (1, None)]
    messages = " ".join(p.message for p in result.errors)
    assert "Số hộ đã cài" in messages and "Số người đã cài" in messages
    assert result.reports == []


def test_the_header_must_be_row_1(tmp_path: Path) -> None:
    result = read_csv(tmp_path, "BÁO CÁO THÔN NÀ PÀN,,,", VI, "05/03/2026,Nà Pàn,1,1")
    assert [str(p) for p in result.errors] == [
        "baocao.csv: dòng 1: phải là dòng tiêu đề, với các cột Ngày, Thôn, Số hộ đã cài, Số người đã cài"
    ]
    assert result.warnings == []


def test_a_column_given_twice(tmp_path: Path) -> None:
    result = read_csv(tmp_path, VI + ",installs", "05/03/2026,Nà Pàn,1,1,1")
    assert places(result) == [(1, "installs")]


@pytest.mark.parametrize(("content", "row"), [("", None), ("\n\n", 1)])
def test_empty_files(tmp_path: Path, content: str, row: int | None) -> None:
    result = read(write(tmp_path, content))
    assert [(p.row, p.message) for p in result.errors] == [(row, "tệp trống, không có dòng tiêu đề")]


def test_header_without_data_rows(tmp_path: Path) -> None:
    result = read_csv(tmp_path, VI, ",Nà Pàn,,", ",,,")
    assert [p.message for p in result.errors] == ["tệp không có dòng số liệu nào"]


def test_files_that_cannot_be_read_are_problems_not_exceptions(tmp_path: Path) -> None:
    missing = read(tmp_path / "none.csv")
    assert [str(p) for p in missing.errors] == ["none.csv: không tìm thấy tệp"]
    old_excel = read(write(tmp_path, "x", "old.xls"))
    assert ".xlsx" in old_excel.errors[0].message
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    assert "định dạng" in read(pdf).errors[0].message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 definitely not a workbook")
    assert "Excel" in read(broken).errors[0].message
    assert (
        read(write(tmp_path, "x", "fake.xlsx")).errors[0].message
        == "tệp không phải là tệp Excel .xlsx hợp lệ"
    )


def test_an_xlsx_damaged_half_way_is_a_problem(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["date", "village", "households_installed", "installs"])
    for i in range(2000):
        book.active.append([date.fromordinal(date(2020, 1, 1).toordinal() + i), "na-pan", 1, 1])
    book.save(tmp_path / "ok.xlsx")
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as whole, zipfile.ZipFile(tmp_path / "cut.xlsx", "w") as cut:
        for item in whole.infolist():
            data = whole.read(item.filename)
            cut.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    result = read(tmp_path / "cut.xlsx")
    assert len(result.errors) == 1 and "hỏng" in result.errors[0].message
    assert result.errors[0].row is not None and result.errors[0].row > 2
    assert result.reports == []


def test_a_csv_saved_in_a_windows_code_page_names_the_line(tmp_path: Path) -> None:
    days = [date.fromordinal(date(2017, 1, 1).toordinal() + i) for i in range(3000)]
    lines = [EN] + [f"{day},na-pan,1,1" for day in days] + ["2026-03-05,Bản Chu,1,1"]
    # Excel's "CSV" on a Vietnamese Windows: code page 1258, diacritics as combining marks
    path = write(tmp_path, unicodedata.normalize("NFD", "\n".join(lines) + "\n"), encoding="cp1258")
    result = read(path)
    assert [(p.row, p.column) for p in result.errors] == [(3002, None)]
    assert "UTF-8" in result.errors[0].message


def test_ten_thousand_rows_with_one_bad_row_give_only_errors(tmp_path: Path) -> None:
    villages = [
        Village(id=f"t{i}", name=f"Thôn {i}", households=100, smartphone_users=200, zone="z")
        for i in range(100)
    ]
    lines = [EN]
    for d in range(100):
        day = date(2025, 11, 1).toordinal() + d
        lines += [f"{date.fromordinal(day).isoformat()},t{i},{d % 50},{d % 50 + 1}" for i in range(100)]
    lines[5001] = lines[5001].rsplit(",", 1)[0] + ",-7"
    path = write(tmp_path, "\n".join(lines) + "\n")
    good = read_reports(write(tmp_path, "\n".join(lines[:5001]) + "\n", "good.csv"), villages, today=TODAY)
    assert len(good.reports) == 5000 and good.errors == []
    result = read_reports(path, villages, today=TODAY)
    assert [(p.row, p.column) for p in result.errors] == [(5002, "installs")]
    assert result.reports == []
    assert gc.isenabled()  # the collector paused for the bulk read is running again


def test_problem_text_names_file_row_and_column() -> None:
    file = Path("/data/baocao.xlsx")
    assert str(ImportProblem(file, 5, "Thôn", "x")) == "baocao.xlsx: dòng 5, cột Thôn: x"
    assert str(ImportProblem(file, 1, None, "x")) == "baocao.xlsx: dòng 1: x"
    assert str(ImportProblem(file, None, None, "x")) == "baocao.xlsx: x"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nà Pàn", "na pan"),
        ("  KHÒN   Pẩu ", "khon pau"),
        ("Đồng Đăng", "dong dang"),
        ("Số hộ đã cài", "so ho da cai"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
