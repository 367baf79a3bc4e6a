"""Urgent alerts (fire, storm): spoken — the online voice gets a short budget, then the offline one —
and published at once on the chosen zones, outside slots, each zone's program claimed like a slot's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import date, datetime

from sqlalchemy import select

from loa114.content.text import clean_text
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import Broadcast
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import AlertIssued
from loa114.scheduler.programs.airing import AirResult, OnAir
from loa114.scheduler.programs.rows import BroadcastKey
from loa114.scheduler.programs.studio import Studio
from loa114.scheduler.programs.writing import BuildResult
from loa114.scheduler.store import Store

ALERT_BUDGET_S = 3.0  # how long an urgent alert waits for the online voice before the offline one speaks
Publish = Callable[[Broadcast, datetime], "Future[AirResult]"]


class AlertDesk:
    def __init__(self, config: Config, store: Store, studio: Studio, on_air: OnAir) -> None:
        self.config = config
        self.store = store
        self.studio = studio
        self.on_air = on_air

    def issue(
        self,
        message: str,
        zones: Sequence[str] | None,
        now: datetime,
        *,
        publish: Publish,
        run_id: int | None,
        budget_s: float = ALERT_BUDGET_S,
        actor: str | None = None,
    ) -> list[BuildResult | AirResult]:
        """Build and claim the alert on each chosen zone (default: all); `publish` starts each zone's
        playout (side by side), and the results come back once all have finished."""
        chosen = self._zones(zones)
        message = clean_text(message)
        if not message.strip():
            raise InputError("nội dung thông báo khẩn đang trống")
        script = self.studio.library(now).urgent()
        if script is None:
            raise InputError(
                f"thư mục {self.config.scripts.dir} không có bài mẫu thông báo khẩn (urgent: true)"
            )
        local = now.astimezone(self.config.tz)
        alert_id = self._free_id(local.date(), f"khan-{local:%H%M%S}")
        names = tuple(self.config.zone(z).name for z in chosen)
        outcomes: list[BuildResult | AirResult] = []
        started = []
        for zone_id in chosen:
            key = BroadcastKey(local.date(), alert_id, zone_id)
            built = self.studio.build_alert(script, message, key, now, zones=names, budget_s=budget_s)
            outcomes.append(built)
            claimed = self.on_air.claim(built.broadcast_id, now, run_id) if built.built else None
            if claimed is not None:
                started.append(publish(claimed, now))
        outcomes += [f.result() for f in started]
        with self.store.session() as session:
            ids = tuple(o.broadcast_id for o in outcomes if isinstance(o, BuildResult))
            self.store.record(
                session,
                AlertIssued(at=now, message=message, zones=tuple(chosen), broadcasts=ids),
                actor=actor,
            )
        return outcomes

    def _zones(self, zones: Sequence[str] | None) -> list[str]:
        known = [z.id for z in self.config.zones]
        chosen = list(zones) if zones else known
        unknown = [z for z in chosen if z not in known]
        if unknown:
            raise InputError(
                f"--zones: không có cụm loa {', '.join(unknown)}; các cụm loa: {', '.join(known)}"
            )
        return chosen

    def _free_id(self, day: date, base: str) -> str:
        """`khan-HHMMSS`, or `khan-HHMMSS-2`, `-3`… when alerts come within the same second."""
        with self.store.session() as session:
            taken = set(
                session.scalars(
                    select(Broadcast.slot_id).where(Broadcast.day == day, Broadcast.slot_id.startswith(base))
                )
            )
        alert_id, n = base, 1
        while alert_id in taken:
            n += 1
            alert_id = f"{base}-{n}"
        return alert_id
