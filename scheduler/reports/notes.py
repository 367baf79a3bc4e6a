"""Sections IV (difficulties) and V (proposals) of a period's report: written by the police, kept per
period, so every download of that period's report carries them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from loa114.content.text import clean_text
from loa114.scheduler.db.models import ReportNotes
from loa114.scheduler.db.rows import get_or_insert
from loa114.scheduler.events import ReportNotesEdited
from loa114.scheduler.reports.periods import Period
from loa114.scheduler.store import Store

MAX_CHARS = 5000


@dataclass(frozen=True)
class Notes:
    difficulties: str = ""
    proposals: str = ""
    updated_by: str | None = None
    updated_at: datetime | None = None


def notes_of(store: Store, period: Period) -> Notes:
    with store.session() as session:
        row = session.scalar(
            select(ReportNotes).where(
                ReportNotes.period == period.kind, ReportNotes.first_day == period.first
            )
        )
        if row is None:
            return Notes()
        return Notes(row.difficulties, row.proposals, row.updated_by, row.updated_at)


def save_notes(store: Store, period: Period, notes: Notes, now: datetime, *, actor: str) -> Notes:
    """Store sections IV and V (text pasted from Word is cleaned; each at most MAX_CHARS)."""
    difficulties, proposals = (
        clean_text(notes.difficulties)[:MAX_CHARS],
        clean_text(notes.proposals)[:MAX_CHARS],
    )
    with store.session() as session:
        query = select(ReportNotes).where(
            ReportNotes.period == period.kind, ReportNotes.first_day == period.first
        )
        row, _ = get_or_insert(
            session,
            query,
            lambda: ReportNotes(
                period=period.kind,
                first_day=period.first,
                last_day=period.last,
                difficulties="",
                proposals="",
                updated_by=actor,
                updated_at=now,
            ),  # fmt: skip
        )
        row.difficulties, row.proposals, row.updated_by, row.updated_at = difficulties, proposals, actor, now
        row.last_day = period.last
        store.record(session, ReportNotesEdited(at=now, period=period.kind, first=period.first), actor=actor)
    return Notes(difficulties, proposals, actor, now)
