"""Read a village-report file (CSV or XLSX) into `VillageReport`s, or into every problem it has.

An import is all or nothing: the caller writes the reports in one transaction only when `errors` is
empty, so this module never hands back a partial list. Every problem names its row as a spreadsheet shows
it (the header is row 1) and its column as the file spells it, in Vietnamese, for a commune clerk. The
header is read here; the data rows are `rowcheck`'s.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from loa114.content.text import fold
from loa114.scheduler.campaign.columns import COLUMNS, REQUIRED, VillageReport
from loa114.scheduler.campaign.rowcheck import Columns, RowChecker
from loa114.scheduler.campaign.sheets import Row, SheetProblem, read_rows
from loa114.scheduler.campaign.village_names import cell_text
from loa114.scheduler.config import Village

logger = logging.getLogger(__name__)

_IGNORED_HEADERS = frozenset({"stt", "so thu tu", "no", "#"})  # a serial-number column carries no data


@dataclass(frozen=True)
class ImportProblem:
    file: Path
    row: int | None
    column: str | None
    message: str  # Vietnamese

    def __str__(self) -> str:
        where = [f"dòng {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"cột {self.column}")
        place = f" {', '.join(where)}:" if where else ""
        return f"{self.file.name}:{place} {self.message}"


@dataclass
class ParsedImport:
    reports: list[VillageReport]  # empty when there are errors
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)


def read_reports(path: Path, villages: Sequence[Village], *, today: date) -> ParsedImport:
    """Parse and validate `path`; never raises for bad content (every fault is an ImportProblem)."""
    path = Path(path)
    result = ParsedImport(reports=[])
    try:
        rows = read_rows(path)
        header = next(rows, None)
        if header is None or not any(cell_text(cell) for cell in header):
            raise SheetProblem("tệp trống, không có dòng tiêu đề", row=1 if header is not None else None)
        layout = _layout(path, header, result)
        if result.errors:
            return result
        checker = RowChecker(Columns.of(layout), villages, today)
        with _cyclic_gc_paused():
            checker.run(rows)
        result.errors += [ImportProblem(path, p.row, p.column, p.message) for p in checker.errors]
        result.warnings += [ImportProblem(path, p.row, p.column, p.message) for p in checker.warnings]
        result.reports = checker.reports
        if not checker.any_data and not result.errors:
            result.errors.append(ImportProblem(path, None, None, "tệp không có dòng số liệu nào"))
    except SheetProblem as exc:
        result.errors.append(ImportProblem(path, exc.row, None, exc.message))
    except OSError as exc:  # the file vanished or became unreadable after its first bytes were read
        result.errors.append(ImportProblem(path, None, None, f"không đọc được tệp: {exc.strerror or exc}"))
    if result.errors:
        result.reports = []
    logger.info(
        "read %s: %d reports, %d errors, %d warnings",
        path, len(result.reports), len(result.errors), len(result.warnings),
    )  # fmt: skip
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a million reports pile up (they hold no cycles).

    Each young-generation sweep otherwise ends up rescanning the growing heap: with the collector on,
    building the reports costs twice as much as reading and checking the rows. Reference counting still
    frees everything as usual, and the collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _header_key(text: str) -> str:
    return fold(text).replace("_", " ")


_HEADERS = {_header_key(h): name for name, headers in COLUMNS.items() for h in headers}


def _layout(path: Path, header: Row, result: ParsedImport) -> dict[str, tuple[int, str]]:
    """field -> (cell index, header as written); unknown columns are warnings, missing required ones errors."""
    layout: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(header):
        written = cell_text(cell)
        if not written or _header_key(written) in _IGNORED_HEADERS:
            continue
        name = _HEADERS.get(_header_key(written))
        if name is None:
            result.warnings.append(
                ImportProblem(path, 1, written, f"không nhận ra cột {written!r}, bỏ qua cột này")
            )
        elif name in layout:
            other = layout[name][1]
            result.errors.append(
                ImportProblem(path, 1, written, f"cột {written!r} trùng nghĩa với cột {other!r}")
            )
        else:
            layout[name] = (index, written)
    if not layout:  # nothing recognised: a title or a blank line above the headers, or no headers at all
        result.warnings.clear()
        wanted = ", ".join(COLUMNS[name][0] for name in REQUIRED)
        result.errors.append(ImportProblem(path, 1, None, f"phải là dòng tiêu đề, với các cột {wanted}"))
        return layout
    for name in REQUIRED:
        if name not in layout:
            vi, en = COLUMNS[name][:2]
            result.errors.append(ImportProblem(path, 1, None, f"thiếu cột bắt buộc {vi!r} (hoặc {en!r})"))
    return layout
