"""HTTP glue shared by the campaign pages and their API: the date a person typed, what a principal may see
of the coverage (a village head: their own village only), uploads saved for the importer, problems worded
as the command line words them, and a one-shot message carried over a redirect.

No campaign rule lives here: figures come from `campaign.figures`, checks from `campaign.entry` and the
importer.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import BinaryIO

from fastapi import HTTPException

from loa114.content.context import CoverageInfo, VillageCoverage
from loa114.content.dates import parse_date_text
from loa114.scheduler.accounts import Principal, Role
from loa114.scheduler.campaign.importer import ImportProblem
from loa114.scheduler.campaign.rules import explain, progress
from loa114.scheduler.config import Village
from loa114.scheduler.errors import InputError
from loa114.scheduler.web.auth import require_village
from loa114.scheduler.web.context import WebContext

UPLOAD_SUFFIXES = (".csv", ".xlsx")
_CHUNK = 64 * 1024


def today(web: WebContext) -> date:
    return web.now().astimezone(web.config.tz).date()


def day_param(web: WebContext, text: str | None, name: str = "date") -> date:
    """A date typed as 31/12/2026 or 2026-12-31 (blank: today in the commune); else a 400 naming it."""
    if text is None or not text.strip():
        return today(web)
    found = parse_date_text(text)
    if found is None:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise InputError(f"{name}: ngày không hợp lệ {shown!r}: dùng dạng 31/12/2026 hoặc 2026-12-31")
    return found


def village_of(web: WebContext, village_id: str) -> Village:
    """The configured village `village_id`, or 404."""
    for village in web.config.villages:
        if village.id == village_id:
            return village
    raise HTTPException(404, "Không có thôn này.")


def visible_village(web: WebContext, principal: Principal, village_id: str) -> Village:
    """A village the principal may act on: a village head only their own (403), others any (404 if none)."""
    require_village(principal, village_id)
    return village_of(web, village_id)


@dataclass(frozen=True)
class CoverageView:
    """What one principal may see of the coverage on a day; `totals` only for the commune's staff."""

    day: date
    expected_rate: float  # the plan's household rate on `day`
    villages: list[VillageCoverage]
    totals: CoverageInfo | None
    reasons: dict[str, list[str]]  # village id -> its reasons in Vietnamese sentences


def coverage_view(web: WebContext, principal: Principal, day: date) -> CoverageView:
    figures = web.station.app.figures.snapshot()  # the app's source keeps figures until reports change
    villages = figures.villages(day)
    own_only = principal.role == Role.VILLAGE_HEAD
    if own_only:
        villages = [v for v in villages if v.id == principal.village_id]
    campaign = web.config.campaign
    reasons = {v.id: [explain(r, campaign) for r in v.reasons] for v in villages}
    expected = campaign.targets.household_rate * progress(campaign, day)
    return CoverageView(day, expected, villages, None if own_only else figures.commune(day), reasons)


def problem_text(problem: ImportProblem) -> str:
    """ "dòng 3, cột Số hộ đã cài: message", as `loa coverage import` says it, without the file name
    (an upload is saved under a temporary one)."""
    where = [f"dòng {problem.row}"] if problem.row is not None else []
    if problem.column:
        where.append(f"cột {problem.column}")
    return f"{', '.join(where)}: {problem.message}" if where else problem.message


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name (no folders), bounded; what the reports' `source` records."""
    name = PurePath((filename or "").replace("\\", "/")).name.strip()
    return name[-200:] if name else "tep-tai-len"


@contextmanager
def saved_upload(stream: BinaryIO, filename: str | None, max_bytes: int) -> Iterator[Path]:
    """The upload copied to a temporary file with its own suffix (the importer reads by suffix), removed
    afterwards; a wrong type or a file over `max_bytes` is refused before anything is read into the store."""
    suffix = PurePath(upload_name(filename)).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(
            f"Tệp {upload_name(filename)!r}: chỉ nhận tệp .xlsx hoặc .csv (mẫu báo cáo của xã, hoặc CSV UTF-8)."
        )
    folder = Path(tempfile.mkdtemp(prefix="loa114-upload-"))
    try:
        path = folder / f"upload{suffix}"
        written = 0
        with path.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > max_bytes:
                    raise InputError(f"Tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).")
                out.write(chunk)
        if written == 0:
            raise InputError("Chưa chọn tệp, hoặc tệp trống.")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
