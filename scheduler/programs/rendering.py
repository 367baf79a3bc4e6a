"""Which programs to build now: those due within the lead time, and every ready one whose inputs changed
(down to `RERENDER_MARGIN` before airtime); the programs of days asked for (`loa program build`); and,
once the online voice answers again, those spoken by the offline one. One build at a time per process."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select

from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Broadcast, Status
from loa114.scheduler.errors import InputError
from loa114.scheduler.programs.planner import Occurrence, airtime_of, occurrences
from loa114.scheduler.programs.rows import BroadcastKey
from loa114.scheduler.programs.studio import Studio
from loa114.scheduler.programs.writing import BuildResult
from loa114.scheduler.store import Store

RERENDER_MARGIN = timedelta(minutes=2)  # a ready program this close to airtime is left as it is
FORCED = "dựng lại theo yêu cầu (--force)"
ONLINE_AGAIN = "đọc lại bằng giọng trực tuyến (gTTS trả lời trở lại)"


class RenderDesk:
    def __init__(self, config: Config, store: Store, studio: Studio) -> None:
        self.config = config
        self.store = store
        self.studio = studio
        self._lock = threading.Lock()

    def render_due(self, now: datetime) -> list[BuildResult]:
        """Build what is due within the lead time, and rebuild every ready program whose inputs changed."""
        with self._lock:
            results = [
                self.build(BroadcastKey(o.day, o.slot.id, zone_id), now)
                for o in self.upcoming(now)
                for zone_id in self.config.slot_zones(o.slot)
            ]
            seen = {r.key for r in results}
            results += [self.build(key, now) for key in self._ready_ahead(now) if key not in seen]
        return results

    def refresh(self, now: datetime) -> list[BuildResult]:
        """Rebuild the ready programs whose inputs changed (after an import or an evaluation)."""
        with self._lock:
            return [r for r in (self.build(key, now) for key in self._ready_ahead(now)) if r.built]

    def upcoming(self, now: datetime) -> list[Occurrence]:
        """Slots whose program should exist by now: airtime within the lead time (or the grace, late)."""
        schedule = self.config.schedule
        return occurrences(
            self.config, now - schedule.misfire_grace, now + schedule.lead_time + timedelta(seconds=1)
        )

    def build(self, key: BroadcastKey, now: datetime, *, rebuild: str | None = None) -> BuildResult:
        """Build `key`'s program if missing or stale; too close to airtime, only a missing one is built
        (unless a rebuild is asked for)."""
        near = airtime_of(key.day, self.config.slot(key.slot), self.config.tz) - now < RERENDER_MARGIN
        return self.studio.build_slot(key, now, rebuild=rebuild, refresh=rebuild is not None or not near)

    def build_days(
        self, first: date, days: int, now: datetime, slot_id: str | None = None, *, force: bool = False
    ) -> list[BuildResult]:
        """`loa program build`: every slot (or one) of `days` days from `first`, every zone — missing
        programs built, stale ones rebuilt (saying why), `force` rebuilds every one not yet aired."""
        config = self.config
        if slot_id is not None and slot_id not in {s.id for s in config.slots}:
            raise InputError(f"--slot: không có khung giờ {slot_id!r} trong cấu hình")
        keys = [
            BroadcastKey(day, slot.id, zone_id)
            for day in (first + timedelta(days=n) for n in range(days))
            for slot in config.slots
            if (slot_id is None or slot.id == slot_id) and slot.runs_on(day)
            # a slot whose airtime has passed would only be marked missed
            if airtime_of(day, slot, config.tz) >= now - config.schedule.misfire_grace
            for zone_id in config.slot_zones(slot)
        ]
        with self._lock:
            return [self.build(key, now, rebuild=FORCED if force else None) for key in keys]

    def rerender_offline(self, now: datetime, answers: Callable[[], bool]) -> list[BuildResult]:
        """Programs ahead spoken by the offline voice are built again once the online one `answers()`."""
        keys = self._ready_ahead(now, Broadcast.offline_items > 0)
        if not keys or not answers():
            return []
        with self._lock:
            return [self.build(key, now, rebuild=ONLINE_AGAIN) for key in keys]

    def _ready_ahead(self, now: datetime, *criteria: ColumnElement[bool]) -> list[BroadcastKey]:
        """Slot programs that are built and whose airtime is far enough ahead to build them again."""
        with self.store.session() as session:
            rows = session.scalars(
                select(Broadcast)
                .where(
                    Broadcast.status == Status.READY,
                    Broadcast.kind == "slot",
                    Broadcast.airtime > now + RERENDER_MARGIN,
                    *criteria,
                )
                .order_by(Broadcast.airtime, Broadcast.zone_id)
            ).all()
            return [BroadcastKey.of(row) for row in rows]
