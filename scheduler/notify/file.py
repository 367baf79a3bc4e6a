"""The channel that always works: the notice as a printable Word file and a plain-text file.

Many village heads have no smartphone; the commune office prints the notice and hands it over. Each
notice becomes ``<directory>/<YYYY-MM-DD>/<village_id>-<kind>-<notice_id>.docx`` (A4, Times New Roman,
as Vietnamese administrative documents are printed) and the same name with ``.txt`` (UTF-8 with a BOM
and CRLF line ends, so even an old Notepad shows the diacritics). Each file is written to a temporary
name and moved into place, so a clerk never opens half a notice; sending the same notice again rewrites
the same two files.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import date
from pathlib import Path, PurePosixPath

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor

from loa114.scheduler.files import write_atomic
from loa114.scheduler.notify.base import DeliveryError, Message, Notifier

logger = logging.getLogger(__name__)

FONT = "Times New Roman"
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class FileNotifier(Notifier):
    """Writes each notice as .docx and .txt into a dated folder under ``directory``."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def paths(self, message: Message) -> tuple[Path, Path]:
        """Where ``message`` is written: (docx, txt)."""
        for label, part in (("village_id", message.village_id), ("kind", message.kind)):
            if not _SAFE_PART.fullmatch(part):
                raise DeliveryError(
                    self.name,
                    f"không đặt được tên tệp cho thông báo: {label} không hợp lệ {part!r}",
                    permanent=True,
                )
        docx, txt = relative_paths(message.day, message.village_id, message.kind, message.notice_id)
        return self.directory / docx, self.directory / txt

    def send(self, target: str, message: Message) -> str | None:
        docx_path, txt_path = self.paths(message)
        try:
            docx_path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(docx_path, _docx_bytes(message))
            write_atomic(txt_path, _txt_bytes(message))
            for attachment in message.attachments:  # beside the notice, under their own names
                write_atomic(docx_path.parent / attachment.name, attachment.read_bytes())
        except OSError as exc:
            raise DeliveryError(
                target or self.name,
                f"không ghi được tệp thông báo vào {docx_path.parent}: {exc.strerror or exc}",
            ) from None
        logger.info("notice %s written to %s", message.notice_id, docx_path)
        return f"written {docx_path} and {txt_path.name}"


def relative_paths(
    day: date, village_id: str, kind: str, notice_id: int
) -> tuple[PurePosixPath, PurePosixPath]:
    """Where a notice's two files are inside the notices folder: (docx, txt) — also how the web finds them."""
    stem = f"{village_id}-{kind}-{notice_id}"
    return PurePosixPath(day.isoformat(), f"{stem}.docx"), PurePosixPath(day.isoformat(), f"{stem}.txt")


def _txt_bytes(message: Message) -> bytes:
    text = f"{message.title}\n\n{message.body}\n"
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig")


def _docx_bytes(message: Message) -> bytes:
    """A4 with the margins of Decree 30/2020; blank lines of the body separate paragraph groups."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    _drop_theme_fonts(normal.element)
    style = document.styles["Heading 1"]
    style.font.name, style.font.size, style.font.bold = FONT, Pt(14), True
    style.font.color.rgb = RGBColor(0, 0, 0)
    _drop_theme_fonts(style.element)
    heading = document.add_heading(message.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(0), Pt(12)
    blocks = [block.split("\n") for block in message.body.split("\n\n") if block.strip()]
    for block in blocks:
        lines = [line for line in block if line.strip()]
        for index, line in enumerate(lines):
            paragraph = document.add_paragraph()
            run = paragraph.add_run(line.strip())
            if line.strip().isupper():  # "CÔNG AN XÃ LỢI BÁC": the signature block of a paper notice
                run.bold = True
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            fmt = paragraph.paragraph_format
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(8 if index == len(lines) - 1 else 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _drop_theme_fonts(style_element: BaseOxmlElement) -> None:
    """Word prefers a style's theme font (Calibri Light) over its named font: remove the theme one."""
    for fonts in style_element.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
