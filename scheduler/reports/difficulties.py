"""Section IV "Khó khăn, vướng mắc": the villages' own words, gathered for the police to start from.

Village heads write their difficulties with each report (`VillageReportRow.difficulties`). For a period,
each village's distinct texts reported within it are gathered, each with the latest day it was sent (a
head who sends the same sentence every day is quoted once), newest first, at most `PER_VILLAGE` per
village, villages in the commune's order. Section IV of every output is then: the police's own text
when they wrote one (`notes.py`), else one line per gathered text, else "Không có.".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.content.text import clean_text, fold
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import VillageReportRow
from loa114.scheduler.reports.periods import Period

PER_VILLAGE = 3  # the latest distinct texts of one village; older ones were usually said again since
NOTHING = "Không có."


@dataclass(frozen=True)
class VillageDifficulty:
    village_id: str
    village_name: str
    day: date  # the latest day within the period this text was reported
    text: str

    @property
    def line(self) -> str:
        """ "- Thôn Nà Pàn (03/12/2026): Nhiều hộ chưa có điện thoại thông minh." """
        name = (
            self.village_name if fold(self.village_name).startswith("thon ") else f"Thôn {self.village_name}"
        )
        return f"- {name} ({self.day:%d/%m/%Y}): {_one_line(self.text)}"


def gather(config: Config, session: Session, period: Period) -> list[VillageDifficulty]:
    """The villages' difficulties reported within `period` (see the module docstring)."""
    rows = session.execute(
        select(VillageReportRow.village_id, VillageReportRow.day, VillageReportRow.difficulties)
        .where(
            VillageReportRow.day >= period.first,
            VillageReportRow.day <= period.last,
            VillageReportRow.difficulties != "",
        )
        .order_by(VillageReportRow.day.desc())
    )
    by_village: dict[str, dict[str, tuple[date, str]]] = {}
    for village_id, day, text in rows:
        if not text or not text.strip():
            continue
        texts = by_village.setdefault(village_id, {})
        key = " ".join(text.split()).casefold()  # the same words, spaced or cased differently
        if key not in texts and len(texts) < PER_VILLAGE:
            texts[key] = (day, text.strip())  # newest first: the first seen is the latest day
    return [
        VillageDifficulty(village.id, village.name, day, text)
        for village in config.villages
        for day, text in by_village.get(village.id, {}).values()
    ]


def village_text(gathered: Sequence[VillageDifficulty]) -> str:
    """The gathered difficulties as section IV's lines; "" when no village wrote any."""
    return "\n".join(d.line for d in gathered)


def police_text(written: str, gathered: Sequence[VillageDifficulty]) -> str:
    """What the police saved as section IV, "" when it is the villages' lines unchanged (the page starts the
    text from them): section IV then keeps following the villages' later reports of the period."""
    text = clean_text(written).strip()
    return "" if text == village_text(gathered) else text


def section_iv(written: str, gathered: Sequence[VillageDifficulty], *, nothing: str = NOTHING) -> str:
    """Section IV as issued: the police's text when they wrote one, else the villages' lines, else `nothing`."""
    return written.strip() or village_text(gathered) or nothing


def _one_line(text: str) -> str:
    """A text written on several lines, as one line of the report (each line ends with a separator)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(
        line if i == len(lines) - 1 or line[-1] in ".;:!?," else f"{line};" for i, line in enumerate(lines)
    )
