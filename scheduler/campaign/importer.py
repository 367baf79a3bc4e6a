"""Read a village-report file (CSV or XLSX) into `VillageReport`s, or into every problem it has.

An import is all or nothing: the caller writes the reports in one transaction only when `errors` is
empty, so this module never hands back a partial list. Every problem names its row as a spreadsheet shows
it (the header is row 1) and its column as the file spells it, in Vietnamese, for a commune clerk.

Speed matters (a province imports a million rows): the row loop does dict lookups and `int()` on the
common path, caches date and village cells by their raw text, and builds no object per row besides the
report itself; the slow, friendly parsing runs only on a cache miss or a bad cell.
"""

from __future__ import annotations

import dataclasses
import difflib
import gc
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scheduler.campaign.columns import (
    COLUMNS,
    COUNT_FIELDS,
    HOUSEHOLD_BOUNDED,
    REQUIRED,
    CellError,
    VillageReport,
    parse_count,
    parse_day,
    parse_unsafe,
)
from scheduler.campaign.sheets import Row, SheetProblem, fold, read_rows
from scheduler.config import Village

logger = logging.getLogger(__name__)

_IGNORED_HEADERS = frozenset({"stt", "so thu tu", "no", "#"})  # a serial-number column carries no data
_VILLAGE_PREFIXES = ("thon ", "ban ", "xom ", "khu ")


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
        if header is None or not any(_text(cell) for cell in header):
            raise SheetProblem("tệp trống, không có dòng tiêu đề", row=1 if header is not None else None)
        layout = _layout(path, header, result)
        if result.errors:
            return result
        with _cyclic_gc_paused():
            _Validator(path, layout, villages, today, result).run(rows)
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


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _header_key(text: str) -> str:
    return fold(text).replace("_", " ")


_HEADERS = {_header_key(h): name for name, headers in COLUMNS.items() for h in headers}


def _layout(path: Path, header: Row, result: ParsedImport) -> dict[str, tuple[int, str]]:
    """field -> (cell index, header as written); unknown columns are warnings, missing required ones errors."""
    layout: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(header):
        written = _text(cell)
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


class _Validator:
    """Turns data rows into reports, collecting every problem; caches per raw cell text."""

    def __init__(
        self,
        path: Path,
        layout: dict[str, tuple[int, str]],
        villages: Sequence[Village],
        today: date,
        result: ParsedImport,
    ):
        self.path, self.layout, self.today, self.result = path, layout, today, result
        self.villages = list(villages)
        self.index = _village_index(self.villages)
        self.village_cache: dict[Any, Village | CellError] = {}
        self.day_cache: dict[Any, date | CellError | None] = {}
        self.headers = {name: written for name, (_, written) in layout.items()}
        self.bounded = [
            (k, layout[name][1])
            for k, name in enumerate(COUNT_FIELDS)
            if name in HOUSEHOLD_BOUNDED and name in layout
        ]

    def error(self, row: int, column: str | None, message: str) -> None:
        self.result.errors.append(ImportProblem(self.path, row, column, message))

    def run(self, rows: Iterable[Row]) -> None:
        """The hot loop. A row that is certainly fine costs a few dict lookups and int() calls; any
        doubt (a blank or formatted cell, a number near a limit) sends it to `_check`, which applies
        every rule, so the shortcut can make a row slower but never lets a mistake through."""
        layout, error = self.layout, self.error
        i_day, h_day = layout["day"]
        i_village, h_village = layout["village"]
        i_installed, i_installs = layout["households_installed"][0], layout["installs"][0]
        optional = [
            (k - 2, layout[name][0], name, name in HOUSEHOLD_BOUNDED)
            for k, name in enumerate(COUNT_FIELDS)
            if k >= 2 and name in layout
        ]
        i_unsafe, h_unsafe = layout.get("unsafe_households", (-1, ""))
        width = max(i for i, _ in layout.values()) + 1
        errors, reports = self.result.errors, self.result.reports
        day_cache, village_cache = self.day_cache, self.village_cache
        seen: dict[tuple[str, date], int] = {}
        extra: Sequence[Any] = (None,) * 5
        # plain counts as written in a CSV, parsed once: a lookup is cheaper than int(), and a million
        # reports then share a few thousand int objects; anything else takes the careful path
        numbers = {str(n): n for n in range(_PLAIN_NUMBERS)}
        any_data = False
        for row, cells in enumerate(rows, 2):
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            raw_day = cells[i_day]
            day = day_cache.get(raw_day, _MISS)
            if day.__class__ is not date:
                if day is _MISS:
                    day = self._day(raw_day)
                if day is None and self._blank(cells, i_village):
                    continue  # an empty row, or a form row where only the village name is printed
                if day.__class__ is not date:
                    error(row, h_day, day.message if isinstance(day, CellError) else "thiếu ngày báo cáo")
                    day = None
            any_data = True
            village = village_cache.get(cells[i_village])
            if village.__class__ is not Village:
                village = self._village(row, cells[i_village])
            households = village.households if village is not None else 0
            installed = numbers.get(cells[i_installed])
            if installed is None:
                installed = self._count(row, "households_installed", cells[i_installed], required=True)
            installs = numbers.get(cells[i_installs])
            if installs is None:
                installs = self._count(row, "installs", cells[i_installs], required=True)
            doubt = False
            if optional:
                extra = [None] * 5
                for k, i, name, bounded in optional:
                    raw = cells[i]
                    value = numbers.get(raw)
                    if value is not None:
                        doubt = doubt or (bounded and value > households)
                    elif raw is not None and raw != "":  # blank optional cells are common and fine
                        value = self._count(row, name, raw, required=False)
                        doubt = True
                    extra[k] = value
            unsafe = ()
            if i_unsafe >= 0 and cells[i_unsafe]:
                try:
                    unsafe = parse_unsafe(cells[i_unsafe])
                except CellError as exc:
                    error(row, h_unsafe, exc.message)
            if village is None:
                continue
            if (
                doubt
                or unsafe
                or installed.__class__ is not int
                or installs.__class__ is not int
                or installed > households
                or installs < installed
                or installs > (extra[0] if extra[0] is not None else village.smartphone_users)
            ):
                self._check(row, village, (installed, installs, *extra), len(unsafe))
            if day is not None:
                first = seen.setdefault((village.id, day), row)
                if first != row:
                    when = day.strftime("%d/%m/%Y")
                    error(
                        row,
                        h_village,
                        f"trùng với dòng {first}: thôn {village.name}, ngày {when} đã có số liệu",
                    )
                elif not errors:
                    reports.append(_new_report(village.id, day, installed, installs, extra, unsafe, row))
        if not any_data and not errors:
            errors.append(ImportProblem(self.path, None, None, "tệp không có dòng số liệu nào"))

    def _blank(self, cells: Row, i_village: int) -> bool:
        return all(not _text(cell) for i, cell in enumerate(cells) if i != i_village)

    def _count(self, row: int, name: str, raw: Any, *, required: bool) -> int | None | object:
        """A count off the fast path: blank, formatted ("1.250", 12.0) or wrong (_BAD, error recorded)."""
        try:
            value = parse_count(raw)
        except CellError as exc:
            self.error(row, self.headers[name], exc.message)
            return _BAD
        if value is None and required:
            self.error(row, self.headers[name], "thiếu số liệu (bắt buộc)")
            return _BAD
        return value

    def _check(self, row: int, village: Village, values: Sequence[Any], listed: int) -> None:
        """Cross-field rules; a count that is blank or failed to parse (_BAD) takes part in none."""
        households = village.households
        for k, header in self.bounded:
            value = values[k]
            if value.__class__ is int and value > households:
                self.error(row, header, f"{value} lớn hơn số hộ của thôn {village.name} ({households})")
        if listed > households:
            self.error(
                row,
                self.headers["unsafe_households"],
                f"liệt kê {listed} hộ, nhiều hơn số hộ của thôn {village.name} ({households})",
            )
        installed, installs, smartphones = values[0], values[1], values[2]
        if installs.__class__ is not int:
            return
        if installed.__class__ is int and installs < installed:
            self.error(
                row,
                self.headers["installs"],
                f"số người đã cài ({installs}) ít hơn số hộ đã cài ({installed}): "
                "mỗi hộ đã cài có ít nhất 01 người cài",
            )
        reported = smartphones.__class__ is int
        estimate = smartphones if reported else village.smartphone_users
        if installs > estimate:
            source = "theo báo cáo" if reported else "theo danh sách của xã"
            message = (
                f"số người đã cài ({installs}) lớn hơn số người dùng điện thoại thông minh ({estimate}, {source}): "
                f"đề nghị thôn {village.name} cập nhật lại số người dùng điện thoại thông minh"
            )
            self.result.warnings.append(ImportProblem(self.path, row, self.headers["installs"], message))

    def _day(self, raw: Any) -> date | CellError | None:
        try:
            day = parse_day(raw)
        except CellError as exc:
            result: date | CellError | None = exc
        else:
            result = day
            if day is not None and day > self.today:
                shown, today = day.strftime("%d/%m/%Y"), self.today.strftime("%d/%m/%Y")
                result = CellError(raw, f"ngày {shown} sau hôm nay ({today}): không báo cáo trước")
        if raw.__hash__ is not None:
            self.day_cache[raw] = result
        return result

    def _village(self, row: int, raw: Any) -> Village | None:
        found = self.village_cache.get(raw)
        if found is None:
            found = _match_village(raw, self.index, self.villages)
            if raw.__hash__ is not None:
                self.village_cache[raw] = found
        if isinstance(found, CellError):
            self.error(row, self.layout["village"][1], found.message)
            return None
        return found


# VillageReport(...) is frozen, so its __init__ sets each of its 11 fields through object.__setattr__;
# at a million rows that alone costs more than reading the CSV. Setting the slots directly builds the
# same object (there is no __post_init__) in a third of the time. A new field breaks this unpacking at
# import, and a test compares the result with the dataclass constructor.
if hasattr(VillageReport, "__post_init__"):
    raise TypeError("VillageReport gained a __post_init__: build reports with its constructor again")
_s0, _s1, _s2, _s3, _s4, _s5, _s6, _s7, _s8, _s9, _s10 = (
    getattr(VillageReport, f.name).__set__ for f in dataclasses.fields(VillageReport)
)


def _new_report(
    village_id: str,
    day: date,
    installed: int,
    installs: int,
    extra: Sequence[int | None],
    unsafe: Any,
    row: int,
) -> VillageReport:
    report = object.__new__(VillageReport)
    _s0(report, village_id)
    _s1(report, day)
    _s2(report, installed)
    _s3(report, installs)
    _s4(report, extra[0])
    _s5(report, extra[1])
    _s6(report, extra[2])
    _s7(report, extra[3])
    _s8(report, extra[4])
    _s9(report, unsafe)
    _s10(report, row)
    return report


_PLAIN_NUMBERS = 20_000
_MISS = object()
_BAD = object()  # a count cell that did not parse (its error is already recorded)


def _village_index(villages: Sequence[Village]) -> dict[str, Village | None]:
    """Folded id and name -> village; None marks a name that folds like another village's (ambiguous)."""
    by_name: dict[str, list[Village]] = {}
    for village in villages:
        by_name.setdefault(fold(village.name), []).append(village)
    index: dict[str, Village | None] = {
        key: found[0] if len(found) == 1 else None for key, found in by_name.items()
    }
    index.update((fold(village.id), village) for village in villages)  # an id always wins
    return index


def _match_village(
    raw: Any, index: dict[str, Village | None], villages: Sequence[Village]
) -> Village | CellError:
    text = _text(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if not text:
        return CellError(raw, "thiếu tên thôn")
    key = fold(text)
    keys = [key] + [key[len(p) :] for p in _VILLAGE_PREFIXES if key.startswith(p)]
    for candidate in keys:
        if candidate in index:
            found = index[candidate]
            if found is None:
                return CellError(raw, f"tên thôn {text!r} trùng với nhiều thôn khi bỏ dấu; ghi mã thôn")
            return found
    names = {fold(v.name): v.name for v in villages} | {fold(v.id): v.name for v in villages}
    close = difflib.get_close_matches(keys[-1], list(names), n=1, cutoff=0.6)
    if close:
        return CellError(raw, f"không có thôn {text!r}; có phải {names[close[0]]!r}?")
    listed = ", ".join(v.name for v in villages[:12]) + (", …" if len(villages) > 12 else "")
    return CellError(raw, f"không có thôn {text!r} (các thôn: {listed})")
