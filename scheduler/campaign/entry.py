"""One village report typed in a form (the web's "Báo cáo thôn", the API), checked by the very rules of
a file import.

The entry becomes a one-row table under the form's own headers and goes through `RowChecker`: a form
accepts nothing a file would refuse, with the same Vietnamese messages, and each problem comes back on
the field it concerns so the page can show it beside that field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from loa114.scheduler.campaign.columns import COLUMNS, REQUIRED, VillageReport
from loa114.scheduler.campaign.rowcheck import Columns, RowChecker
from loa114.scheduler.config import Village

FIELDS = tuple(COLUMNS)  # day, village, the counts, unsafe_households, difficulties: a file's full width
HEADERS = {name: COLUMNS[name][0] for name in FIELDS}  # the Vietnamese header a file would carry
_BY_HEADER = {header: name for name, header in HEADERS.items()}
MISSING = "thiếu số liệu (bắt buộc)"  # the importer's word for a blank required cell
NO_DAY = "thiếu ngày báo cáo"


@dataclass(frozen=True)
class Entry:
    """A checked entry: the report when nothing is wrong, else the first problem of each field."""

    report: VillageReport | None
    errors: dict[str, str] = field(default_factory=dict)  # field -> Vietnamese message
    warnings: dict[str, str] = field(default_factory=dict)  # accepted, but worth a second look

    @property
    def ok(self) -> bool:
        return self.report is not None


def check_entry(
    villages: Sequence[Village], village_id: str, values: Mapping[str, object], today: date
) -> Entry:
    """Check `values` (field -> text or number as typed; blank or absent: not given) for `village_id`
    exactly as the importer checks a file row; `today` in the commune (no report of a later day)."""
    cells = [None if name == "village" else _cell(values.get(name)) for name in FIELDS]
    cells[FIELDS.index("village")] = village_id
    checker = RowChecker(Columns({n: i for i, n in enumerate(FIELDS)}, dict(HEADERS)), villages, today)
    checker.run([cells])
    errors: dict[str, str] = {}
    for problem in checker.errors:
        errors.setdefault(_BY_HEADER.get(problem.column or "", "village"), problem.message)
    if not checker.any_data:  # nothing typed at all: the importer skips such a row, a form must say so
        errors["day"] = NO_DAY
        for name in REQUIRED[2:]:
            errors.setdefault(name, MISSING)
    warnings = {_BY_HEADER.get(p.column or "", "village"): p.message for p in checker.warnings}
    if errors or not checker.reports:
        return Entry(None, errors or {"village": "không nhận được báo cáo"}, warnings)
    return Entry(checker.reports[0], {}, warnings)


def _cell(value: object) -> object:
    """What a file's cell would hold: text stripped (blank: empty), a number as its text."""
    if value is None:
        return None
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value
