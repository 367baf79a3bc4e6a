"""What a person does to one broadcast: confirm that a published program was heard (or not), cancel a
program before airtime, record that an operator played it again.

Each change is one conditional UPDATE on the row's status, so a double click, two operators, or a
person racing the airing lane change it once: the loser sees the state as it is now. The manifest is
updated after the row, like airing does; the event carries who did it (`actor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from loa114.content.text import clean_text
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import UNAIRED, Broadcast, Status
from loa114.scheduler.db.rows import update_rows
from loa114.scheduler.errors import InputError, NotFound, StateConflict
from loa114.scheduler.events import BroadcastCancelled, BroadcastConfirmed, ProgramReplayed, about
from loa114.scheduler.programs import outcomes
from loa114.scheduler.programs.airing import mark_safely, record_as_run
from loa114.scheduler.programs.outcomes import status_word
from loa114.scheduler.store import Store

MAX_REASON = 500


@dataclass(frozen=True)
class Change:
    broadcast_id: int
    status: str
    changed: bool  # False: it already was so (a repeated request)


def confirm(
    config: Config,
    store: Store,
    broadcast_id: int,
    outcome: str,
    now: datetime,
    *,
    actor: str,
    reason: str = "",
) -> Change:
    """`published → aired | failed`, with who confirmed it; failed needs the reason it did not play."""
    if outcome not in (Status.AIRED, Status.FAILED):
        raise InputError(f"kết quả phát phải là 'aired' hoặc 'failed', không phải {outcome!r}")
    reason = _reason(reason, required=outcome == Status.FAILED)
    code = outcomes.NOT_HEARD if outcome == Status.FAILED else None
    error = outcomes.sentence(code, reason) if code else None
    with store.session() as session:
        done = update_rows(
            session,
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == Status.PUBLISHED)
            .values(
                status=outcome, reason=code, error=error, confirmed_by=actor, confirmed_at=now, updated_at=now
            ),
        )
        row = session.get(Broadcast, broadcast_id, populate_existing=True)
        if row is None:
            raise NotFound(f"không có buổi phát số {broadcast_id}")
        if not done:
            if row.status == outcome:  # a repeated report, or the player already said so
                return Change(broadcast_id, outcome, changed=False)
            raise StateConflict(
                f"buổi phát số {broadcast_id} đang ở trạng thái “{status_word(row.status)}”: "
                "chỉ xác nhận được chương trình đã đưa ra thư mục phát, đang chờ xác nhận"
            )
        record_as_run(
            session, row, started_at=row.aired_at, outcome=outcome, detail=error or "đã phát (xác nhận)"
        )
        event = BroadcastConfirmed(at=now, outcome=outcome, reason=reason, **about(row))
        store.record(session, event, actor=actor)
        folder = config.playout.dir / row.folder if row.folder else None
    if folder is not None:
        mark_safely(folder, outcome, error=error, confirmed_at=now.astimezone(config.tz))
    return Change(broadcast_id, outcome, changed=True)


def cancel(
    config: Config, store: Store, broadcast_id: int, now: datetime, *, actor: str, reason: str
) -> Change:
    """`planned | ready → cancelled` with the reason: never aired, never built again, never missed."""
    reason = _reason(reason, required=True)
    error = outcomes.sentence(outcomes.CANCELLED, reason)
    with store.session() as session:
        done = update_rows(
            session,
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(UNAIRED))
            .values(
                status=Status.CANCELLED,
                reason=outcomes.CANCELLED,
                error=error,
                confirmed_by=actor,
                confirmed_at=now,
                updated_at=now,
            ),
        )
        row = session.get(Broadcast, broadcast_id, populate_existing=True)
        if row is None:
            raise NotFound(f"không có buổi phát số {broadcast_id}")
        if not done:
            if row.status == Status.CANCELLED:
                return Change(broadcast_id, row.status, changed=False)
            raise StateConflict(
                f"buổi phát số {broadcast_id} đang ở trạng thái “{status_word(row.status)}”: "
                "chỉ hủy được chương trình chưa phát"
            )
        record_as_run(session, row, started_at=None, outcome=Status.CANCELLED, detail=error)
        store.record(session, BroadcastCancelled(at=now, reason=reason, **about(row)), actor=actor)
        folder = config.playout.dir / row.folder if row.folder else None
    if folder is not None:
        mark_safely(folder, Status.CANCELLED, error=error)
    return Change(broadcast_id, Status.CANCELLED, changed=True)


def record_replay(store: Store, broadcast_id: int, now: datetime, *, actor: str, note: str = "") -> None:
    """The operator played a program again from the page: only programs that went out may be replayed."""
    note = _reason(note, required=False)
    with store.session() as session:
        row = session.get(Broadcast, broadcast_id)
        if row is None:
            raise NotFound(f"không có buổi phát số {broadcast_id}")
        if row.status not in (Status.PUBLISHED, Status.AIRED, Status.FAILED) or not row.folder:
            raise StateConflict(
                f"buổi phát số {broadcast_id} đang ở trạng thái “{status_word(row.status)}”: "
                "chỉ phát lại được chương trình đã đến giờ phát"
            )
        store.record(session, ProgramReplayed(at=now, note=note, **about(row)), actor=actor)


def _reason(text: str, *, required: bool) -> str:
    cleaned = " ".join(clean_text(text or "").split())
    if required and not cleaned:
        raise InputError("lý do: cần ghi lý do (ví dụ: mất điện, loa hỏng, có việc đột xuất)")
    if len(cleaned) > MAX_REASON:
        raise InputError(f"lý do: dài quá {MAX_REASON} ký tự")
    return cleaned
