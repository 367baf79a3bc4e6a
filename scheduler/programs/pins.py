"""Scripts a person pinned into one slot of one day: the planner treats them as `pinned: true` scripts
(first in the program, kept first when the slot is full) for that occurrence only.

A pin names one zone, or every zone of the slot (`zone_id` None). Pinning applies even when the script's
`slots:` does not name the slot: the person chose it; an urgent template or a script not valid that day
is still refused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from loa114.content.library import Library, Script
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import SchedulePin
from loa114.scheduler.db.rows import get_or_insert
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import ScriptPinned
from loa114.scheduler.store import Store

PIN_MARK = "ghim:"  # a pinned script in a program's recorded inputs ("ghim:goi-114")


def with_pins(scripts: Sequence[Script], pins: Collection[str], slot_id: str) -> list[Script]:
    """`scripts` with the pinned ones marked `pinned` and meant for `slot_id` (the planner's view)."""
    return [
        dataclasses.replace(s, pinned=True, slots=(*(s.slots or ()), slot_id) if s.slots else None)
        if s.id in pins
        else s
        for s in scripts
    ]


def pins_for(session: Session, day: date, slot_id: str, zone_id: str) -> set[str]:
    """Script ids pinned into this occurrence (for this zone or for every zone)."""
    query = select(SchedulePin.script_id).where(
        SchedulePin.day == day,
        SchedulePin.slot_id == slot_id,
        or_(SchedulePin.zone_id.is_(None), SchedulePin.zone_id == zone_id),
    )
    return set(session.scalars(query))


def pins_between(session: Session, first: date, last: date) -> list[SchedulePin]:
    """Every pin of the days [first, last], for the week view."""
    query = (
        select(SchedulePin)
        .where(SchedulePin.day >= first, SchedulePin.day <= last)
        .order_by(SchedulePin.day, SchedulePin.slot_id, SchedulePin.zone_id, SchedulePin.script_id)
    )
    return list(session.scalars(query))


def pin(
    config: Config,
    store: Store,
    library: Library,
    target: tuple[date, str, str | None],
    script_id: str,
    *,
    actor: str,
    now: datetime,
) -> bool:
    """Pin `script_id` into `target` (day, slot, zone or None: all zones); False when it already was."""
    day, slot_id, zone_id = target
    _check(config, library, day, slot_id, zone_id, script_id)
    with store.session() as session:
        query = select(SchedulePin).where(
            SchedulePin.day == day,
            SchedulePin.slot_id == slot_id,
            SchedulePin.zone_id.is_(None) if zone_id is None else SchedulePin.zone_id == zone_id,
            SchedulePin.script_id == script_id,
        )
        _, created = get_or_insert(
            session,
            query,
            lambda: SchedulePin(
                day=day,
                slot_id=slot_id,
                zone_id=zone_id,
                script_id=script_id,
                created_by=actor,
                created_at=now,
            ),
        )
        if created:
            event = ScriptPinned(at=now, day=day, slot=slot_id, zone=zone_id, script=script_id)
            store.record(session, event, actor=actor)
    return created


def unpin(store: Store, pin_id: int, *, actor: str, now: datetime) -> bool:
    """Remove one pin; False when it was already gone."""
    with store.session() as session:
        row = session.get(SchedulePin, pin_id)
        if row is None:
            return False
        event = ScriptPinned(
            at=now, day=row.day, slot=row.slot_id, zone=row.zone_id, script=row.script_id, removed=True
        )
        session.execute(delete(SchedulePin).where(SchedulePin.id == pin_id))
        store.record(session, event, actor=actor)
    return True


def _check(
    config: Config, library: Library, day: date, slot_id: str, zone_id: str | None, script_id: str
) -> None:
    slot = next((s for s in config.slots if s.id == slot_id), None)
    if slot is None:
        raise InputError(f"khung giờ: không có khung giờ {slot_id!r}")
    if not slot.runs_on(day):
        raise InputError(f"khung giờ: {slot_id} không phát vào ngày {day:%d/%m/%Y}")
    if zone_id is not None and zone_id not in config.slot_zones(slot):
        raise InputError(f"cụm loa: khung giờ {slot_id} không phát trên cụm loa {zone_id!r}")
    script = library.scripts.get(script_id)
    if script is None:
        raise InputError(f"bài: không có bài {script_id!r} (hoặc bài đang có lỗi)")
    if script.urgent:
        raise InputError(f"bài: {script_id!r} là bài mẫu thông báo khẩn, không ghim vào khung giờ được")
    if not script.is_valid_on(day):
        raise InputError(f"bài: {script_id!r} không còn hiệu lực vào ngày {day:%d/%m/%Y}")
