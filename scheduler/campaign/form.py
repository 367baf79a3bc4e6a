"""The blank XLSX form a village head fills in, shaped so that `read_reports` accepts it unchanged.

The headers come from `COLUMNS` (Vietnamese first) and the explanations from `NOTES`, so the form, its
instructions and the importer cannot drift apart. Excel's own checks (whole numbers ≥ 0, a real date
not after today, a village from the list) catch most slips while the head is typing, before the file
ever reaches the commune police.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from loa114.scheduler.campaign.columns import (
    COLUMNS,
    COUNT_FIELDS,
    MAX_DIFFICULTIES,
    MAX_DIFFICULTIES_SHOWN,
    NOTES,
)
from loa114.scheduler.config import Village
from loa114.scheduler.files import write_atomic

logger = logging.getLogger(__name__)

REPORT_SHEET = "Báo cáo"
GUIDE_SHEET = "Hướng dẫn"
VILLAGES_SHEET = "Danh sách thôn"
FIELDS = tuple(COLUMNS)
SPARE_ROWS = 200  # formatted, validated rows below the villages, for reports of further dates
_WIDTHS = {"day": 13, "village": 20, "unsafe_households": 60, "difficulties": 50}
_HEADER_FILL = PatternFill("solid", start_color="FFF2CC")


def write_template(path: Path, villages: Sequence[Village], *, today: date) -> None:
    """Write the blank form to `path` atomically (a half-written form is never left behind)."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = REPORT_SHEET
    last_row = 1 + len(villages) + SPARE_ROWS
    _report_sheet(sheet, villages, last_row)
    _guide_sheet(book.create_sheet(GUIDE_SHEET), today)
    _villages_sheet(book.create_sheet(VILLAGES_SHEET), villages)
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(Path(path), buffer.getvalue())
    logger.info("wrote report form %s for %d villages", path, len(villages))


def _column(field: str) -> str:
    letter: str = get_column_letter(FIELDS.index(field) + 1)
    return letter


def _report_sheet(sheet: Worksheet, villages: Sequence[Village], last_row: int) -> None:
    for index, field in enumerate(FIELDS, 1):
        cell = sheet.cell(row=1, column=index, value=COLUMNS[field][0])
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        comment = Comment(NOTES[field], "Công an xã")
        comment.width, comment.height = 320, 110
        cell.comment = comment
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(field, 16)
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "A2"

    day_col, village_col, unsafe_col = _column("day"), _column("village"), _column("unsafe_households")
    notes_col = _column("difficulties")
    for row in range(2, last_row + 1):
        sheet[f"{day_col}{row}"].number_format = "DD/MM/YYYY"
        sheet[f"{unsafe_col}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet[f"{notes_col}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
    for row, village in enumerate(villages, 2):
        sheet[f"{village_col}{row}"] = village.name

    dates = DataValidation(type="date", operator="lessThanOrEqual", formula1="TODAY()", allow_blank=True)
    _explain(dates, "day", "Ngày không hợp lệ", "Nhập ngày dạng ngày/tháng/năm, không sau hôm nay.")
    dates.add(f"{day_col}2:{day_col}{last_row}")
    # stored without "=": the file format keeps formulas bare, and Excel repairs a file that has one
    names = DataValidation(
        type="list", formula1=f"'{VILLAGES_SHEET}'!$B$2:$B${len(villages) + 1}", allow_blank=True
    )
    _explain(names, "village", "Thôn không có trong danh sách", "Chọn tên thôn trong danh sách của xã.")
    names.errorStyle = "warning"  # a head may still type a name; the importer says "có phải …?"
    names.add(f"{village_col}2:{village_col}{last_row}")
    sheet.add_data_validation(dates)
    sheet.add_data_validation(names)
    notes = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1=str(MAX_DIFFICULTIES), allow_blank=True
    )
    _explain(
        notes,
        "difficulties",
        "Quá dài",
        f"Viết ngắn gọn, tối đa {MAX_DIFFICULTIES_SHOWN} ký tự.",
    )
    notes.add(f"{notes_col}2:{notes_col}{last_row}")
    sheet.add_data_validation(notes)
    for field in COUNT_FIELDS:
        whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        _explain(whole, field, "Phải là số nguyên", "Nhập số nguyên từ 0 trở lên, không ghi chữ.")
        column = _column(field)
        whole.add(f"{column}2:{column}{last_row}")
        sheet.add_data_validation(whole)


def _explain(validation: DataValidation, field: str, error_title: str, error: str) -> None:
    validation.promptTitle = _shorten(COLUMNS[field][0], 32)  # Excel's limits: 32 characters
    validation.prompt = _shorten(NOTES[field], 255)  # and 255
    validation.errorTitle = error_title
    validation.error = error
    validation.showInputMessage = True
    validation.showErrorMessage = True


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _villages_sheet(sheet: Worksheet, villages: Sequence[Village]) -> None:
    """The commune's list: the names the form accepts, and the totals the numbers are checked against."""
    headers = ("Mã thôn", "Tên thôn", "Số hộ", "Số người dùng điện thoại thông minh")
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for village in villages:
        sheet.append((village.id, village.name, village.households, village.smartphone_users))
    for letter, width in zip("ABCD", (14, 22, 10, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True  # read-only reference; the names feed the village drop-down


def _guide_sheet(sheet: Worksheet, today: date) -> None:
    shown = today.strftime("%d/%m/%Y")
    lines = [
        ("HƯỚNG DẪN ĐIỀN BÁO CÁO CÀI ĐẶT ỨNG DỤNG “BÁO CHÁY 114”", True),
        (f"Mẫu do Công an xã lập ngày {shown}.", False),
        ("", False),
        ("1. Ai điền: Trưởng thôn hoặc Tổ trưởng tổ an ninh trật tự của thôn.", False),
        ("2. Mỗi dòng là số liệu của một thôn vào một ngày. Tên thôn đã điền sẵn ở trang “Báo cáo”; "
         "chỉ điền dòng của thôn mình, các dòng khác để trống.", False),
        (f"3. Cột “Ngày”: ngày báo cáo, dạng ngày/tháng/năm, ví dụ {shown}. Không ghi ngày sau hôm nay.", False),
        ("4. Số liệu là số CỘNG DỒN từ đầu đợt đến ngày báo cáo (tổng đến nay), "
         "không phải số mới tăng thêm trong tuần.", False),
        ("5. “Số hộ đã cài”: số hộ có ít nhất 01 người đã cài ứng dụng; không lớn hơn số hộ của thôn. "
         "“Số người đã cài” không nhỏ hơn “Số hộ đã cài”.", False),
        ("6. Chỉ ghi số nguyên (ví dụ 125), không ghi chữ. Cột nào chưa có số liệu thì để trống; "
         "hai cột “Số hộ đã cài” và “Số người đã cài” là bắt buộc.", False),
        ("7. Nếu số người đã cài nhiều hơn số người dùng điện thoại thông minh của thôn "
         "(trang “Danh sách thôn”), ghi số mới vào cột “Số người dùng điện thoại thông minh”.", False),
        ("8. Cột “Hộ chưa bảo đảm an toàn PCCC”: mỗi hộ một dòng (nhấn Alt+Enter để xuống dòng) "
         "hoặc cách nhau bằng dấu chấm phẩy “;”. Ghi tên chủ hộ hoặc số nhà, dấu hai chấm “:”, "
         "rồi điều còn thiếu.", False),
        ("    Ví dụ: Nhà ông Hoàng Văn A: thiếu bình chữa cháy; Hộ số 12: chưa có lối thoát nạn thứ hai", False),
        ("    Chỉ ghi tên chủ hộ hoặc số nhà; không ghi số điện thoại, số CCCD hay thông tin cá nhân khác.", False),
        ("9. Cột “Khó khăn, vướng mắc” (không bắt buộc): khó khăn của thôn khi vận động cài ứng dụng, "
         "ví dụ: Nhiều hộ chưa có điện thoại thông minh. Nội dung này được tổng hợp vào mục IV "
         "của báo cáo Công an xã gửi cấp trên.", False),
        ("10. Không đổi tên, không xóa các cột và dòng tiêu đề. Lưu tệp dạng .xlsx "
         "(hoặc CSV UTF-8) và gửi Công an xã.", False),
    ]  # fmt: skip
    for row, (text, bold) in enumerate(lines, 1):
        cell = sheet.cell(row=row, column=1, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=13)
    sheet.column_dimensions["A"].width = 110
