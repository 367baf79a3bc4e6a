"""Checking the data rows of a report file and turning them into `VillageReport`s.

Speed matters (a province imports a million rows): a row that is certainly fine costs a few dict lookups
and `int()` calls — date and village cells are cached by their raw text, plain numbers looked up — and
any doubt (a blank or formatted cell, a number near a limit) sends the row to `RowChecker.cross_check`,
which applies every rule; the shortcut can make a row slower, never let a mistake through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from loa114.scheduler.campaign.columns import (
    COUNT_FIELDS,
    HOUSEHOLD_BOUNDED,
    CellError,
    UnsafeHousehold,
    VillageReport,
    parse_count,
    parse_day,
    parse_difficulties,
    parse_unsafe,
)
from loa114.scheduler.campaign.village_names import cell_text, match_village, village_index
from loa114.scheduler.config import Village

OPTIONAL_COUNTS = COUNT_FIELDS[2:]  # after households_installed and installs, in report order
NO_OPTIONAL: tuple[int | None, ...] = (None,) * len(OPTIONAL_COUNTS)
SMARTPHONES = OPTIONAL_COUNTS.index("smartphone_users")
_PLAIN_NUMBERS = 20_000
_MISS = object()


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: str  # Vietnamese


@dataclass(frozen=True)
class Columns:
    """Where each field is in a row, and its header as the file spells it."""

    index: dict[str, int]
    header: dict[str, str]

    @classmethod
    def of(cls, layout: dict[str, tuple[int, str]]) -> Columns:
        return cls({k: i for k, (i, _) in layout.items()}, {k: h for k, (_, h) in layout.items()})


class RowChecker:
    """Every data row into a report or a problem; caches per raw cell text."""

    def __init__(self, columns: Columns, villages: Sequence[Village], today: date) -> None:
        self.columns, self.today = columns, today
        self.villages = list(villages)
        self.index = village_index(self.villages)
        self.village_cache: dict[Any, Village | CellError] = {}
        self.day_cache: dict[Any, date | CellError | None] = {}
        # plain counts as written in a CSV, parsed once: a lookup is cheaper than int(), and a million
        # reports then share a few thousand int objects; anything else takes the careful path
        self.numbers = {str(n): n for n in range(_PLAIN_NUMBERS)}
        self.optional = [
            (position, columns.index[name], name, name in HOUSEHOLD_BOUNDED)
            for position, name in enumerate(OPTIONAL_COUNTS)
            if name in columns.index
        ]
        self.width = max(columns.index.values()) + 1
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.reports: list[VillageReport] = []
        self.any_data = False
        self._seen: dict[tuple[str, date], int] = {}

    def run(self, rows: Iterable[Sequence[Any]]) -> None:
        """The hot loop: a row's common path is inlined here (dict lookups, `int` results, no call);
        blank or odd cells, doubtful numbers and duplicates go through the careful methods below."""
        index = self.columns.index
        i_day, i_village = index["day"], index["village"]
        i_installed, i_installs = index["households_installed"], index["installs"]
        i_unsafe = index.get("unsafe_households", -1)
        i_notes = index.get("difficulties", -1)
        width, numbers, optional_columns = self.width, self.numbers, self.optional
        day_cache, village_cache, seen = self.day_cache, self.village_cache, self._seen
        errors, reports = self.errors, self.reports
        for row, cells in enumerate(rows, 2):  # the header is row 1
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            # Any: narrowed by the `__class__` checks (cheaper than isinstance), which mypy cannot follow
            day: Any = day_cache.get(cells[i_day], _MISS)
            if day.__class__ is not date:
                day = self._day_of(row, cells)
                if day is _MISS:
                    continue  # an empty row, or a form row where only the village name is printed
            self.any_data = True
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
            optional, doubt = (
                self._optional(row, cells, households) if optional_columns else (NO_OPTIONAL, False)
            )
            unsafe = self._unsafe(row, cells[i_unsafe]) if i_unsafe >= 0 and cells[i_unsafe] else ()
            notes = self._difficulties(row, cells[i_notes]) if i_notes >= 0 and cells[i_notes] else ""
            if village is None:
                continue
            smartphones = optional[SMARTPHONES]
            if (
                doubt
                or unsafe
                or installed is None
                or installs is None
                or installed > households
                or installs < installed
                or installs > (smartphones if smartphones is not None else village.smartphone_users)
            ):
                self.cross_check(row, village, (installed, installs, *optional), len(unsafe))
            if day is None or installed is None or installs is None:
                continue
            first = seen.setdefault((village.id, day), row)
            if first != row:
                self._duplicate(row, village, day, first)
            elif not errors:  # once a file has errors, nothing of it is imported: build no more reports
                reports.append(
                    _new_report((village.id, day, installed, installs, optional, unsafe, notes, row))
                )

    def _day_of(self, row: int, cells: Sequence[Any]) -> date | None | object:
        """The row's date; None when it is wrong (the error recorded); _MISS for a row with no data."""
        raw = cells[self.columns.index["day"]]
        day = self.day_cache.get(raw, _MISS)
        if day.__class__ is date:
            return day
        if day is _MISS:
            day = self._day(raw)
        if day is None and all(
            not cell_text(cell) for i, cell in enumerate(cells) if i != self.columns.index["village"]
        ):
            return _MISS
        if day.__class__ is not date:
            message = day.message if isinstance(day, CellError) else "thiếu ngày báo cáo"
            self.errors.append(Problem(row, self.columns.header["day"], message))
            return None
        return day

    def _required(self, row: int, name: str, cells: Sequence[Any]) -> int | None:
        raw = cells[self.columns.index[name]]
        value = self.numbers.get(raw)
        return value if value is not None else self._count(row, name, raw, required=True)

    def _optional(self, row: int, cells: Sequence[Any], households: int) -> tuple[Sequence[int | None], bool]:
        """The optional counts in `OPTIONAL_COUNTS` order, and whether one needs the careful checks."""
        values: list[int | None] = list(NO_OPTIONAL)
        doubt = False
        for position, i, name, bounded in self.optional:
            raw = cells[i]
            value = self.numbers.get(raw)
            if value is not None:
                doubt = doubt or (bounded and value > households)
            elif raw is not None and raw != "":  # blank optional cells are common and fine
                value = self._count(row, name, raw, required=False)
                doubt = True
            values[position] = value
        return values, doubt

    def _unsafe(self, row: int, raw: Any) -> tuple[UnsafeHousehold, ...]:
        try:
            return parse_unsafe(raw)
        except CellError as exc:
            self.errors.append(Problem(row, self.columns.header["unsafe_households"], exc.message))
            return ()

    def _difficulties(self, row: int, raw: Any) -> str:
        try:
            return parse_difficulties(raw)
        except CellError as exc:
            self.errors.append(Problem(row, self.columns.header["difficulties"], exc.message))
            return ""

    def _duplicate(self, row: int, village: Village, day: date, first: int) -> None:
        message = f"trùng với dòng {first}: thôn {village.name}, ngày {day:%d/%m/%Y} đã có số liệu"
        self.errors.append(Problem(row, self.columns.header["village"], message))

    def _count(self, row: int, name: str, raw: Any, *, required: bool) -> int | None:
        """A count off the fast path: formatted ("1.250", 12.0), blank, or wrong (None, error recorded)."""
        try:
            value = parse_count(raw)
        except CellError as exc:
            self.errors.append(Problem(row, self.columns.header[name], exc.message))
            return None
        if value is None and required:
            self.errors.append(Problem(row, self.columns.header[name], "thiếu số liệu (bắt buộc)"))
        return value

    def cross_check(self, row: int, village: Village, values: Sequence[int | None], listed: int) -> None:
        """Rules across fields (`values` in COUNT_FIELDS order); a blank or unparsed count takes part in none."""
        households, header = village.households, self.columns.header
        for name, value in zip(COUNT_FIELDS, values, strict=True):
            if name in HOUSEHOLD_BOUNDED and value is not None and value > households:
                message = f"{value} lớn hơn số hộ của thôn {village.name} ({households})"
                self.errors.append(Problem(row, header[name], message))
        if listed > households:
            message = f"liệt kê {listed} hộ, nhiều hơn số hộ của thôn {village.name} ({households})"
            self.errors.append(Problem(row, header["unsafe_households"], message))
        installed, installs, smartphones = values[0], values[1], values[2 + SMARTPHONES]
        if installs is None:
            return
        if installed is not None and installs < installed:
            message = (
                f"số người đã cài ({installs}) ít hơn số hộ đã cài ({installed}): "
                "mỗi hộ đã cài có ít nhất 01 người cài"
            )
            self.errors.append(Problem(row, header["installs"], message))
        reported = smartphones is not None
        estimate = smartphones if smartphones is not None else village.smartphone_users
        if installs > estimate:
            source = "theo báo cáo" if reported else "theo danh sách của xã"
            message = (
                f"số người đã cài ({installs}) lớn hơn số người dùng điện thoại thông minh ({estimate}, {source}): "
                f"đề nghị thôn {village.name} cập nhật lại số người dùng điện thoại thông minh"
            )
            self.warnings.append(Problem(row, header["installs"], message))

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
        found: Village | CellError | None = self.village_cache.get(raw)
        if found is None:
            found = match_village(raw, self.index, self.villages)
            if raw.__hash__ is not None:
                self.village_cache[raw] = found
        if isinstance(found, CellError):
            self.errors.append(Problem(row, self.columns.header["village"], found.message))
            return None
        return found


# VillageReport(...) is frozen, so its __init__ sets each of its 12 fields through object.__setattr__;
# at a million rows that alone costs more than reading the CSV. Setting the slots directly builds the
# same object (there is no __post_init__) in a third of the time. A new field breaks the unpacking below
# at import, and the importer tests compare what is read with reports built by the constructor.
if hasattr(VillageReport, "__post_init__"):
    raise TypeError("VillageReport gained a __post_init__: build reports with its constructor again")
(
    _set_village,
    _set_day,
    _set_installed,
    _set_installs,
    _set_smartphones,
    _set_visited,
    _set_extinguisher,
    _set_second_exit,
    _set_electrics,
    _set_unsafe,
    _set_difficulties,
    _set_row,
) = (getattr(VillageReport, f.name).__set__ for f in dataclasses.fields(VillageReport))
if OPTIONAL_COUNTS != (
    "smartphone_users",
    "households_visited",
    "with_extinguisher",
    "with_second_exit",
    "unsafe_electrics",
):
    raise TypeError("the optional counts changed: update _new_report")


def _new_report(fields: tuple[Any, ...]) -> VillageReport:
    """A report from its field values in declaration order, as the hot loop collects them."""
    village_id, day, installed, installs, optional, unsafe, difficulties, row = fields
    smartphones, visited, extinguisher, second_exit, electrics = optional
    report = object.__new__(VillageReport)
    _set_village(report, village_id)
    _set_day(report, day)
    _set_installed(report, installed)
    _set_installs(report, installs)
    _set_smartphones(report, smartphones)
    _set_visited(report, visited)
    _set_extinguisher(report, extinguisher)
    _set_second_exit(report, second_exit)
    _set_electrics(report, electrics)
    _set_unsafe(report, unsafe)
    _set_difficulties(report, difficulties)
    _set_row(report, row)
    return report
