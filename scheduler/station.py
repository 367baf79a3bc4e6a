"""The service's one testable step, `tick(now)`, and the commands built from the same parts.

The runtime (APScheduler) only decides *when* to call these; tests call them with explicit datetimes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select

from audio.errors import AudioError
from scheduler.airing import AirResult, air, claim, due_for_air, mark_missed, publish
from scheduler.app import App
from scheduler.building import BuildResult, ProgramBuilds, speech_parts
from scheduler.coverage.evaluation import evaluate_if_due
from scheduler.db.models import Broadcast, Status
from scheduler.errors import InputError
from scheduler.events import AlertIssued
from scheduler.planner import Occurrence, airtime_of, occurrences
from scheduler.reminders.outbox import DeliveryResult, deliver_due

log = logging.getLogger(__name__)
RERENDER_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class TickReport:
    missed: list[AirResult]
    built: list[BuildResult]
    aired: list[AirResult]
    delivered: list[DeliveryResult]


class Station:
    def __init__(self, app: App):
        self.app = app
        self.builds = ProgramBuilds(app)

    def tick(self, now: datetime) -> TickReport:
        missed = mark_missed(self.app, now)
        evaluation = evaluate_if_due(self.app, now)
        built = self.rerender_zones(evaluation.changed, now) if evaluation else []
        built += self.render_due(now)
        aired = self.air_due(now)
        built += self.rerender_offline(now)
        delivered = deliver_due(self.app, now)
        return TickReport(missed, [b for b in built if b.built], aired, delivered)

    def upcoming(self, now: datetime) -> list[Occurrence]:
        """Slots whose program should exist by now: airtime within the lead time (or the grace, late)."""
        schedule = self.app.config.schedule
        return occurrences(
            self.app.config, now - schedule.misfire_grace, now + schedule.lead_time + timedelta(seconds=1)
        )

    def render_due(self, now: datetime) -> list[BuildResult]:
        results = []
        for occurrence in self.upcoming(now):
            for zone_id in self.app.config.slot_zones(occurrence.slot):
                results.append(self.build(occurrence.day, occurrence.slot.id, zone_id, now))
        return results

    def build(
        self, day: date, slot_id: str, zone_id: str, now: datetime, *, force: bool = False
    ) -> BuildResult:
        slot = self.app.config.slot(slot_id)
        return self.builds.build_slot(
            day, slot, zone_id, now, force=force, villages=self.lagging_villages(zone_id, day)
        )

    def lagging_villages(self, zone_id: str, day: date) -> list[str]:
        """Villages of the zone that lag on `day`: each gets the village-targeted script in the zone's programs."""
        return self.app.coverage.lagging_villages(zone_id, day)

    def rerender_zones(self, village_ids: Sequence[str], now: datetime) -> list[BuildResult]:
        """Villages started or stopped lagging: rebuild their zones' programs that have not aired yet."""
        zones = {v.zone for v in self.app.config.villages if v.id in village_ids}
        if not zones:
            return []
        rows = self._ready_ahead(now, Broadcast.zone_id.in_(zones))
        return [self.build(row.day, row.slot_id, row.zone_id, now, force=True) for row in rows]

    def _ready_ahead(self, now: datetime, *criteria: ColumnElement[bool]) -> list[Broadcast]:
        """Slot programs that are built and whose airtime is far enough ahead to re-render them."""
        with self.app.db.session() as session:
            return list(
                session.scalars(
                    select(Broadcast).where(
                        Broadcast.status == Status.READY,
                        Broadcast.kind == "slot",
                        Broadcast.airtime > now + RERENDER_MARGIN,
                        *criteria,
                    )
                ).all()
            )

    def build_days(
        self, first: date, days: int, now: datetime, slot_id: str | None = None
    ) -> list[BuildResult]:
        """`loa program build`: every slot (or one) of `days` days from `first`, every zone."""
        config = self.app.config
        if slot_id is not None:
            try:
                config.slot(slot_id)
            except KeyError:
                raise InputError(f"--slot: không có khung giờ {slot_id!r} trong cấu hình") from None
        results = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            for slot in config.slots:
                if (slot_id and slot.id != slot_id) or not slot.runs_on(day):
                    continue
                if airtime_of(day, slot, config.tz) < now - config.schedule.misfire_grace:
                    continue  # its airtime has passed: it would only be marked missed
                for zone_id in config.slot_zones(slot):
                    results.append(self.build(day, slot.id, zone_id, now))
        return results

    def air_due(self, now: datetime) -> list[AirResult]:
        """Claim every due program first, then publish them side by side: a player that plays one zone's
        program to the end (`playout.command`) must not delay the next zone past its airtime."""
        claimed = []
        for row in due_for_air(self.app, now):
            if row.status == Status.PLANNED and row.kind == "slot":
                self.build(row.day, row.slot_id, row.zone_id, now)  # late render, still within the grace
            got = claim(self.app, row.id, now)
            if got is not None:
                claimed.append(got)
        if len(claimed) <= 1:
            return [publish(self.app, row, now) for row in claimed]
        with ThreadPoolExecutor(max_workers=len(claimed), thread_name_prefix="playout") as pool:
            return list(pool.map(lambda row: publish(self.app, row, now), claimed))

    def rerender_offline(self, now: datetime) -> list[BuildResult]:
        """Programs spoken by the offline voice are re-rendered with gTTS once it answers again."""
        if "gtts" not in self.app.audio.engines:
            return []
        rows = self._ready_ahead(now, Broadcast.offline_items > 0)
        results: list[BuildResult] = []
        if self.app.speaker.cooling_down("gtts"):
            return results  # it failed moments ago; ask again after the cool-down
        for row in rows:
            if not self._gtts_answers(row):
                break
            results.append(self.build(row.day, row.slot_id, row.zone_id, now, force=True))
        return results

    def _gtts_answers(self, row: Broadcast) -> bool:
        """Try gTTS on one offline item's words; its answer is cached for the re-render."""
        manifest = self.app.config.playout.dir / (row.folder or "") / "manifest.json"
        try:
            items = json.loads(manifest.read_text(encoding="utf-8"))["items"]
            spoken = next(i["spoken_text"] for i in items if i.get("offline"))
        except (OSError, ValueError, KeyError, StopIteration):
            return False
        try:
            self.app.speaker.speak(speech_parts(spoken), engines=["gtts"])
        except AudioError:
            return False
        return True

    def alert(
        self, message: str, zones: Sequence[str] | None, now: datetime
    ) -> list[BuildResult | AirResult]:
        """An urgent alert: rendered and published at once on the chosen zones (default: all)."""
        config = self.app.config
        known = [z.id for z in config.zones]
        chosen = list(zones) if zones else known
        unknown = [z for z in chosen if z not in known]
        if unknown:
            raise InputError(
                f"--zones: không có cụm loa {', '.join(unknown)}; các cụm loa: {', '.join(known)}"
            )
        if not message.strip():
            raise InputError("nội dung thông báo khẩn đang trống")
        library = self.app.library(now)
        script = library.urgent()
        if script is None:
            raise InputError(f"thư mục {config.scripts.dir} không có bài mẫu thông báo khẩn (urgent: true)")
        local = now.astimezone(config.tz)
        slot_id = self._free_alert_slot(local.date(), f"khan-{local:%H%M%S}")
        names = tuple(config.zone(z).name for z in chosen)
        outcomes: list[BuildResult | AirResult] = []
        ids = []
        for zone_id in chosen:
            built = self.builds.build_alert(script, message, zone_id, slot_id, local.date(), now, names)
            outcomes.append(built)
            ids.append(built.broadcast_id)
            if built.built:
                aired = air(self.app, built.broadcast_id, now)
                if aired is not None:
                    outcomes.append(aired)
        with self.app.db.session() as session:
            self.app.events.record(
                session, AlertIssued(at=now, message=message, zones=tuple(chosen), broadcasts=tuple(ids))
            )
        return outcomes

    def _free_alert_slot(self, day: date, base: str) -> str:
        """`khan-HHMMSS`, or `khan-HHMMSS-2`, `-3`… when alerts come within the same second."""
        with self.app.db.session() as session:
            taken = set(
                session.scalars(
                    select(Broadcast.slot_id).where(Broadcast.day == day, Broadcast.slot_id.startswith(base))
                )
            )
        slot_id, n = base, 1
        while slot_id in taken:
            n += 1
            slot_id = f"{base}-{n}"
        return slot_id

    def next_airtime(self, now: datetime) -> datetime | None:
        found = occurrences(self.app.config, now, now + timedelta(days=8))
        return found[0].airtime if found else None
