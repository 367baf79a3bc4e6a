"""Rows of a report file, CSV or XLSX, as a spreadsheet shows them — and what makes a file unreadable.

Kept apart from validation (`importer.py`): this module knows file formats (BOM, delimiters, damaged
workbooks, the encoding Excel saves), the importer knows what a report must say.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from loa114.content.text import fold

logger = logging.getLogger(__name__)

Row = Sequence[Any]


class SheetProblem(Exception):
    """The file as a whole cannot be read; carries the row when the failure has one."""

    def __init__(self, message: str, row: int | None = None):
        self.message = message
        self.row = row
        super().__init__(message)


def read_rows(path: Path) -> Iterator[Row]:
    """The cells of every row, header first (position + 1 is the row number); raises SheetProblem."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except FileNotFoundError:
        raise SheetProblem("không tìm thấy tệp") from None
    except OSError as exc:
        raise SheetProblem(f"không đọc được tệp: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if magic.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise SheetProblem("tệp Excel 97-2003 (.xls) không được hỗ trợ; mở bằng Excel và lưu lại thành .xlsx")
    if magic.startswith(b"PK\x03\x04"):
        return _xlsx_rows(path)
    if suffix in (".xlsx", ".xlsm"):
        raise SheetProblem("tệp không phải là tệp Excel .xlsx hợp lệ")
    if suffix in (".csv", ".txt", ".tsv") or not magic:
        return _csv_rows(path)
    raise SheetProblem("không nhận ra định dạng tệp: dùng tệp .csv (mã UTF-8) hoặc .xlsx")


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = None
        try:
            first = handle.readline()
            handle.seek(0)
            counts = {d: first.count(d) for d in (",", ";", "\t")}
            delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
            # one record is one spreadsheet row, even when a quoted cell holds line breaks
            reader = csv.reader(handle, delimiter=delimiter)
            yield from reader
        except UnicodeDecodeError:
            raise SheetProblem(
                "tệp CSV không phải mã UTF-8; trong Excel chọn Lưu thành > 'CSV UTF-8 (Comma delimited)'",
                row=_first_undecodable_line(path),
            ) from None
        except csv.Error as exc:
            raise SheetProblem(f"tệp CSV hỏng: {exc}", row=reader.line_num if reader else 1) from None


def _first_undecodable_line(path: Path) -> int | None:
    """The decoder fails a whole block at a time; find the line a person should look at."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _xlsx_rows(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (zip, XML, KeyError…) on a damaged file
        logger.debug("cannot open %s", path, exc_info=True)
        raise SheetProblem(f"không mở được tệp Excel: {exc}") from None
    number = 0
    try:
        wanted = [ws for ws in book.worksheets if fold(ws.title) == "bao cao"]
        sheet = wanted[0] if wanted else book.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong sheet size; read every cell instead
        # empty rows are included, so a row's position is its number
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):  # noqa: B007 (used below)
            yield cells
    except Exception as exc:  # the sheet's XML is read lazily, so damage can show up half-way
        logger.debug("cannot read %s", path, exc_info=True)
        raise SheetProblem(f"tệp Excel bị hỏng: {exc}", row=number + 1) from None
    finally:
        book.close()
