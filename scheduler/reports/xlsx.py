"""The report as XLSX: one sheet per section, numbers stored as numbers and rates as percentages, so the
province can add communes up."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from loa114.scheduler.reports.difficulties import section_iv
from loa114.scheduler.reports.figures import ReportFigures
from loa114.scheduler.reports.wording import SECTIONS, village_status

PERCENT = "0.0%"
BOLD = Font(bold=True)


def to_xlsx(figures: ReportFigures, difficulties: str = "", proposals: str = "") -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook has one sheet
    book.remove(first)
    _propaganda(book.create_sheet("I. Tuyên truyền"), figures)
    _installation(book.create_sheet("II. Cài đặt"), figures)
    _safety(book.create_sheet("III. An toàn PCCC"), figures)
    notes = book.create_sheet("IV-V")
    _rows(notes, [[SECTIONS["difficulties"]], [section_iv(difficulties, figures.difficulties)], [],
                  [SECTIONS["proposals"]], [proposals or "Không có."]])  # fmt: skip
    notes["A2"].alignment = Alignment(wrap_text=True, vertical="top")  # one village per line
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(sheet: Worksheet, rows: Sequence[Sequence[Any]], *, header: bool = False) -> None:
    for row in rows:
        sheet.append(list(row))
        if header:
            for cell in sheet[sheet.max_row]:
                cell.font = BOLD
            header = False


def _heading(sheet: Worksheet, figures: ReportFigures, section: str) -> None:
    sheet.append([f"{figures.commune} — {figures.period.title}"])
    sheet.append([SECTIONS[section]])
    sheet["A1"].font = sheet["A2"].font = BOLD
    sheet.append([])


def _propaganda(sheet: Worksheet, figures: ReportFigures) -> None:
    p = figures.propaganda
    _heading(sheet, figures, "propaganda")
    columns = ["Khung giờ", "Cụm loa", "Theo lịch", "Đã phát (xác nhận)", "Đã phát (máy phát)",
               "Đã đưa ra, chưa xác nhận", "Bị lỡ", "Lỗi", "Số phút phát"]  # fmt: skip
    rows = [[t.slot, t.zone_name, t.scheduled, t.confirmed, t.played, t.unconfirmed, t.missed, t.failed, t.minutes]
            for t in [*p.tallies, p.total]]  # fmt: skip
    _rows(sheet, [columns, *rows], header=True)
    sheet.append([])
    _rows(sheet, [["Lý do bị lỡ / lỗi", "Số buổi"], *[[r, n] for r, n in p.reasons]], header=True)
    sheet.append([])
    _rows(sheet, [["Mã bài", "Tên bài", "Số lần phát"], *[[s, t, n] for s, t, n in p.scripts]], header=True)
    sheet.append([])
    _rows(sheet, [["Thông báo khẩn đã phát", p.alerts], ["Thông báo nhắc đã gửi", p.reminders_sent],
                  ["Báo cáo vượt cấp đã gửi", p.escalations_sent]])  # fmt: skip


def _installation(sheet: Worksheet, figures: ReportFigures) -> None:
    _heading(sheet, figures, "installation")
    columns = ["Thôn", "Số hộ", "Hộ đã cài", "Tỷ lệ hộ", "Người dùng điện thoại thông minh", "Người đã cài",
               "Tỷ lệ người", "Kế hoạch", "Tình trạng"]  # fmt: skip
    _rows(sheet, [columns], header=True)
    for v in figures.villages:
        rates = (v.household_rate, v.install_rate) if v.reported else (None, None)
        sheet.append([v.name, v.households, v.households_installed, rates[0], v.smartphone_users, v.installs,
                      rates[1], v.expected_rate, village_status(v)])  # fmt: skip
        _percent(sheet, (4, 7, 8))
    t = figures.totals
    sheet.append(["Toàn xã", t.households, t.households_installed, t.household_rate, t.smartphone_users,
                  t.installs, t.install_rate, t.expected_rate, f"{t.villages_reported}/{t.villages_total} thôn đã báo cáo"])  # fmt: skip
    _percent(sheet, (4, 7, 8))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _safety(sheet: Worksheet, figures: ReportFigures) -> None:
    _heading(sheet, figures, "safety")
    columns = ["Thôn", "Số hộ", "Hộ đã đến", "Hộ có bình chữa cháy", "Hộ có lối thoát thứ hai",
               "Hộ có điện không an toàn", "Hộ còn trong danh sách chưa an toàn"]  # fmt: skip
    _rows(sheet, [columns], header=True)
    for s in figures.safety:
        sheet.append([s.village_name, s.households, s.visited, s.with_extinguisher, s.with_second_exit,
                      s.unsafe_electrics, s.unsafe_listed])  # fmt: skip


def _percent(sheet: Worksheet, columns: tuple[int, ...]) -> None:
    for column in columns:
        sheet.cell(row=sheet.max_row, column=column).number_format = PERCENT
