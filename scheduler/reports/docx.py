"""The report as DOCX in the Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP): A4, Times New
Roman 13–14, the issuing body beside the national motto, the number, place and date lines, the title,
sections I–V, "Nơi nhận" and the signature block."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from loa114.scheduler.reports.difficulties import section_iv
from loa114.scheduler.reports.figures import ReportFigures
from loa114.scheduler.reports.wording import SECTIONS, percent, village_status

FONT = "Times New Roman"


@dataclass(frozen=True)
class Heading:
    """What the police fill in once (config `reports`): who issues the report, to whom it goes."""

    issuer: str  # e.g. "CÔNG AN XÃ LỢI BÁC"
    parent: str  # e.g. "CÔNG AN TỈNH LẠNG SƠN"
    number: str  # e.g. "Số:      /BC-CAX"
    signer_title: str  # e.g. "TRƯỞNG CÔNG AN XÃ"
    recipients: tuple[str, ...]  # "Nơi nhận" lines


def to_docx(figures: ReportFigures, heading: Heading, difficulties: str = "", proposals: str = "") -> bytes:
    document = docx.Document()
    _page_and_font(document)
    _letterhead(document, figures, heading)
    _title(document, figures)
    _propaganda(document, figures)
    _installation(document, figures)
    _safety(document, figures)
    _text_section(document, SECTIONS["difficulties"], section_iv(difficulties, figures.difficulties))
    _text_section(document, SECTIONS["proposals"], proposals)
    _closing(document, heading)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_and_font(document: Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Vietnamese text uses the same face
    style.paragraph_format.space_after = Pt(3)
    document.styles["Table Grid"].font.size = Pt(11)  # table text, set once rather than on every run


def _paragraph(document: Document, text: str = "", *, bold: bool = False, italic: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None, size: int | None = None) -> None:  # fmt: skip
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align


def _cell_lines(cell: _Cell, lines: Sequence[tuple[str, bool, bool]]) -> None:
    """Centred lines in a table cell: (text, bold, italic)."""
    cell.paragraphs[0].text = ""
    for i, (text, bold, italic) in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic


def _letterhead(document: Document, figures: ReportFigures, heading: Heading) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_lines(left, [(heading.parent, False, False), (heading.issuer, True, False), ("", False, False),
                       (heading.number, False, False)])  # fmt: skip
    _cell_lines(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
                        ("Độc lập - Tự do - Hạnh phúc", True, False)])  # fmt: skip
    day = figures.issued_on
    place = f"{figures.commune}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    _paragraph(document, place, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _title(document: Document, figures: ReportFigures) -> None:
    _paragraph(document, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    subtitle = f"Kết quả triển khai ứng dụng “Báo cháy 114” {figures.period.title}"
    _paragraph(document, subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=14)
    if not figures.has_data:
        _paragraph(document, "Trong kỳ báo cáo chưa có số liệu phát thanh và chưa có thôn nào gửi báo cáo.",
                   italic=True)  # fmt: skip


def _table(document: Document, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = document.add_table(rows=len(rows) + 1, cols=len(header))  # all rows at once: add_row is O(n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (cells, row) in enumerate(zip(table.rows, [header, *rows], strict=True)):  # rows[i] is O(n)
        for cell, value in zip(cells.cells, row, strict=True):
            run = cell.paragraphs[0].add_run(str(value))
            if i == 0:
                run.bold = True


def _propaganda(document: Document, figures: ReportFigures) -> None:
    p = figures.propaganda
    total = p.total
    _paragraph(document, SECTIONS["propaganda"], bold=True)
    _paragraph(document, f"Hệ thống loa đã phát {total.confirmed + total.played} buổi theo lịch "
               f"({total.minutes:g} phút), {total.unconfirmed} buổi đã đưa ra nhưng chưa được xác nhận, "
               f"{total.missed} buổi bị lỡ, {total.failed} buổi lỗi; {p.alerts} thông báo khẩn; "
               f"{p.reminders_sent} thông báo nhắc và {p.escalations_sent} báo cáo vượt cấp đã gửi.")  # fmt: skip
    _table(document, ["Khung giờ", "Cụm loa", "Theo lịch", "Đã phát", "Chưa xác nhận", "Lỡ", "Lỗi", "Phút"],
           [[t.slot, t.zone_name, t.scheduled, t.confirmed + t.played, t.unconfirmed, t.missed, t.failed,
             f"{t.minutes:g}"] for t in [*p.tallies, total]])  # fmt: skip
    if p.reasons:
        _paragraph(
            document, "Lý do bị lỡ hoặc lỗi: " + "; ".join(f"{r} ({n} buổi)" for r, n in p.reasons) + "."
        )
    if p.scripts:
        _paragraph(document, "Các bài đã phát: " + "; ".join(f"{t} ({n} lần)" for _, t, n in p.scripts) + ".")


def _installation(document: Document, figures: ReportFigures) -> None:
    from loa114.scheduler.reports.chart import progress_png

    t = figures.totals
    _paragraph(document, SECTIONS["installation"], bold=True)
    if t.reported:
        _paragraph(document, f"Toàn xã {t.households_installed}/{t.households} hộ đã cài đặt ứng dụng "
                   f"({percent(t.household_rate)}, kế hoạch {percent(t.expected_rate)}); {t.installs}/"
                   f"{t.smartphone_users} người dùng điện thoại thông minh đã cài ({percent(t.install_rate)}); "
                   f"{t.villages_reported}/{t.villages_total} thôn đã báo cáo.")  # fmt: skip
    rows = [[v.name, v.households, v.households_installed, percent(v.household_rate) if v.reported else "—",
             v.smartphone_users, v.installs, percent(v.install_rate) if v.reported else "—",
             percent(v.expected_rate), village_status(v)] for v in figures.villages]  # fmt: skip
    rows.append(["Toàn xã", t.households, t.households_installed, percent(t.household_rate), t.smartphone_users,
                 t.installs, percent(t.install_rate), percent(t.expected_rate), ""])  # fmt: skip
    _table(document, ["Thôn", "Số hộ", "Hộ đã cài", "Tỷ lệ", "Người dùng ĐTTM", "Người đã cài", "Tỷ lệ",
                      "Kế hoạch", "Tình trạng"], rows)  # fmt: skip
    png = progress_png(figures.trajectory, "Tỷ lệ hộ đã cài đặt “Báo cháy 114” — toàn xã")
    if png is not None:
        document.add_picture(io.BytesIO(png), width=Mm(160))


def _safety(document: Document, figures: ReportFigures) -> None:
    _paragraph(document, SECTIONS["safety"], bold=True)

    def shown(value: int | None) -> str:
        return "—" if value is None else str(value)

    rows = [[s.village_name, s.households, shown(s.visited), shown(s.with_extinguisher), shown(s.with_second_exit),
             shown(s.unsafe_electrics), s.unsafe_listed] for s in figures.safety]  # fmt: skip
    _table(document, ["Thôn", "Số hộ", "Đã đến", "Có bình chữa cháy", "Có lối thoát thứ hai",
                      "Điện không an toàn", "Còn trong danh sách"], rows)  # fmt: skip
    listed = sum(s.unsafe_listed for s in figures.safety)
    _paragraph(document, f"Còn {listed} hộ trong danh sách chưa bảo đảm an toàn phòng cháy, chữa cháy.")


def _text_section(document: Document, title: str, text: str) -> None:
    _paragraph(document, title, bold=True)
    for line in (text.strip() or "Không có.").splitlines():
        _paragraph(document, line)


def _closing(document: Document, heading: Heading) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    for line in heading.recipients:
        left.add_paragraph(f"- {line};").runs[0].font.size = Pt(11)
    _cell_lines(right, [(heading.signer_title, True, False), ("(Ký, ghi rõ họ tên)", False, True)])
