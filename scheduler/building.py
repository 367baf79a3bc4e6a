"""Builds one program ahead of airtime: planner → content → audio → playout folder → row `ready`.

Idempotent: the broadcast row (unique per day, slot, zone) is created once; a program already `ready`
is left alone unless a re-render is asked for (offline items, changed village data), and a program that
aired, missed or failed is never touched again. The folder is written in a staging directory and renamed
into place before the row says `ready`, so a crash in between only means the next tick builds it again.
"""

from __future__ import annotations

import functools
import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, update

from audio.errors import AssemblyError, AudioError, Pause, RenderError
from audio.program import ItemSource, ProgramTags, RenderedItem
from content.errors import ScriptError
from content.library import Script
from content.speech import normalize, split_for_tts
from scheduler.app import App
from scheduler.broadcasts import ensure_broadcast, recent_programs
from scheduler.clock import file_time
from scheduler.config import Slot
from scheduler.db.models import Broadcast, BroadcastItem, Status
from scheduler.events import BroadcastReady, BuildFailed, ItemSkipped, ScriptInvalid, about
from scheduler.files import clean_stale_staging, staging_dir, swap_into_place
from scheduler.manifest import ItemText, folder_for, manifest_data, write_manifest
from scheduler.planner import Candidate, Decision, airtime_of, choose, fit
from scheduler.template_data import CoverageSnapshot, build_context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    broadcast_id: int
    day: date
    slot: str
    zone: str
    status: str
    built: bool  # False: left alone (already built, final) or nothing could be built
    folder: Path | None = None
    items: int = 0
    duration_s: float = 0.0
    offline_items: int = 0
    error: str | None = None
    decisions: list[Decision] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    candidate: Candidate
    text: ItemText
    item: RenderedItem


# The same script text recurs across zones and days: normalise each distinct text once per process.
spoken_text = functools.lru_cache(maxsize=1024)(normalize)


def audio_problem(exc: AudioError) -> str:
    """What an operator reads when an item could not be made into sound (the log keeps the detail)."""
    if isinstance(exc, RenderError):
        temporary = " (lỗi tạm thời, sẽ thử lại ở lần dựng sau)" if exc.transient else ""
        return f"không đọc được thành tiếng bằng giọng {exc.engine}{temporary}"
    if isinstance(exc, AssemblyError) and exc.path is not None:
        return f"không xử lý được tệp âm thanh {exc.path.name} (tệp hỏng hoặc không có tiếng)"
    return "không xử lý được âm thanh của bài này"


def speech_parts(spoken: str) -> list[str | Pause]:
    return [Pause(part) if isinstance(part, float) else part for part in split_for_tts(spoken)]


class ProgramBuilds:
    """Builds programs for slots and urgent alerts."""

    def __init__(self, app: App):
        self.app = app

    def build_slot(
        self,
        day: date,
        slot: Slot,
        zone_id: str,
        now: datetime,
        *,
        force: bool = False,
        villages: list[str] | None = None,
    ) -> BuildResult:
        airtime = airtime_of(day, slot, self.app.config.tz)
        with self.app.db.session() as session:
            row = ensure_broadcast(
                session, day=day, slot_id=slot.id, zone_id=zone_id, airtime=airtime, kind="slot", now=now
            )
            status, broadcast_id = row.status, row.id
            recent = recent_programs(session, slot.id, zone_id, airtime)
        if status not in (Status.PLANNED, Status.READY) or (status == Status.READY and not force):
            return BuildResult(broadcast_id, day, slot.id, zone_id, status, built=False)

        library = self.app.library(now)
        candidates, decisions = choose(
            library.regular(), day=day, slot_id=slot.id, recent=recent, villages=villages or []
        )
        decisions += [
            Decision(Path(p.file).stem, "skipped", "invalid_script", str(p)) for p in library.problems
        ]
        rendered: list[Rendered] = []
        coverage = CoverageSnapshot(self.app.coverage)
        for candidate in candidates:
            context = build_context(
                self.app.config, coverage, day, slot=slot, village_id=candidate.village_id
            )
            outcome = self._render(candidate, context, broadcast_id, now)
            if isinstance(outcome, Decision):
                decisions.append(outcome)
            else:
                rendered.append(outcome)
        durations = {r.candidate.key: r.item.duration_s for r in rendered}
        kept_candidates, dropped = fit(
            [r.candidate for r in rendered],
            durations,
            slot.max_duration.total_seconds(),
            self.app.audio.item_gap_s,
        )
        decisions += dropped
        kept = [r for r in rendered if r.candidate in kept_candidates]
        return self._publish(broadcast_id, day, slot.id, zone_id, airtime, "slot", kept, decisions, now)

    def build_alert(
        self,
        script: Script,
        message: str,
        zone_id: str,
        slot_id: str,
        day: date,
        now: datetime,
        zones: tuple[str, ...],
    ) -> BuildResult:
        with self.app.db.session() as session:
            row = ensure_broadcast(
                session, day=day, slot_id=slot_id, zone_id=zone_id, airtime=now, kind="alert", now=now
            )
            broadcast_id, status = row.id, row.status
        if status != Status.PLANNED:  # another alert took this id a moment ago: never rebuild an aired one
            return BuildResult(
                broadcast_id, day, slot_id, zone_id, status, built=False, error="trùng mã thông báo khẩn"
            )
        context = build_context(self.app.config, self.app.coverage, day, alert=(message, now, zones))
        outcome = self._render(Candidate(script), context, broadcast_id, now)
        if isinstance(outcome, Decision):
            return self._fail_build(broadcast_id, day, slot_id, zone_id, now, outcome.detail, [outcome])
        return self._publish(broadcast_id, day, slot_id, zone_id, now, "alert", [outcome], [], now)

    def _render(
        self, candidate: Candidate, context: dict[str, object], broadcast_id: int, now: datetime
    ) -> Rendered | Decision:
        script = candidate.script
        try:
            text = self.app.renderer.render(script, context)
        except ScriptError as exc:
            self._record(
                ScriptInvalid(
                    at=now, script=script.id, file=str(exc.file), line=exc.line, message=exc.message
                )
            )
            return Decision(candidate.key, "skipped", "template_error", str(exc))
        title = script.title
        if candidate.village_id:
            title = f"{script.title} — {context['village'].name}"  # type: ignore[attr-defined]
        if script.audio is not None:
            spoken = ""
            source = ItemSource(script.id, title, parts=None, recorded=script.audio, repeat=script.repeat)
        else:
            spoken = spoken_text(text, self.app.speech)
            source = ItemSource(
                script.id, title, parts=speech_parts(spoken), recorded=None, repeat=script.repeat
            )
        try:
            item = self.app.builder.render_item(source)
        except AudioError as exc:
            self._record(
                ItemSkipped(at=now, broadcast_id=broadcast_id, script=candidate.key, reason=str(exc))
            )
            return Decision(candidate.key, "skipped", "audio_error", audio_problem(exc))
        return Rendered(candidate, ItemText(script.id, title, text, spoken, candidate.village_id), item)

    def _publish(
        self,
        broadcast_id: int,
        day: date,
        slot_id: str,
        zone_id: str,
        airtime: datetime,
        kind: str,
        kept: list[Rendered],
        decisions: list[Decision],
        now: datetime,
    ) -> BuildResult:
        if not kept:
            return self._fail_build(
                broadcast_id, day, slot_id, zone_id, now, "không có bài nào phát được", decisions
            )
        config = self.app.config
        final = folder_for(config.playout.dir, day, slot_id, zone_id)
        clean_stale_staging(final.parent, file_time())
        staging = staging_dir(final)
        tags = ProgramTags(
            title=f"{config.commune.name} {day.strftime('%d/%m/%Y')} {slot_id} {config.zone(zone_id).name}",
            date=day,
            album=config.campaign.name,
            artist=f"Loa 114 — {config.commune.name}",
        )
        try:
            built = self.app.builder.write_program([r.item for r in kept], staging, tags)
            write_manifest(
                staging,
                manifest_data(
                    day=day,
                    slot_id=slot_id,
                    zone_id=zone_id,
                    airtime=airtime,
                    tz=config.tz,
                    kind=kind,
                    built=built,
                    texts=[r.text for r in kept],
                    decisions=decisions,
                    generated_at=now,
                ),
            )
        except (AudioError, OSError) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            log.warning(
                "program not written broadcast=%s zone=%s slot=%s error=%r",
                broadcast_id,
                zone_id,
                slot_id,
                exc,
            )
            if isinstance(exc, AudioError):
                problem = audio_problem(exc)
            else:
                problem = f"không ghi được chương trình vào {final.parent}: {exc.strerror or exc}"
            return self._fail_build(broadcast_id, day, slot_id, zone_id, now, problem, decisions)
        offline = sum(1 for item in built.items if item.offline)
        with self.app.db.session() as session:
            row = session.get(Broadcast, broadcast_id)
            rerender = row is not None and row.status == Status.READY
            # the conditional update comes first: it holds the row until commit, so no other process can
            # claim (air) it between our check and the folder swap below
            updated = session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status.in_([Status.PLANNED, Status.READY]))
                .values(
                    status=Status.READY,
                    folder=str(final.relative_to(config.playout.dir)),
                    duration_s=built.duration_s,
                    loudness_lufs=built.loudness_lufs,
                    offline_items=offline,
                    error=None,
                    rendered_at=now,
                    updated_at=now,
                )
            ).rowcount
            if not updated or row is None:
                shutil.rmtree(staging, ignore_errors=True)
                return BuildResult(
                    broadcast_id, day, slot_id, zone_id, row.status if row else "gone", built=False
                )
            swap_into_place(staging, final)
            session.execute(delete(BroadcastItem).where(BroadcastItem.broadcast_id == broadcast_id))
            for position, (rendered, item) in enumerate(zip(kept, built.items, strict=True), start=1):
                session.add(
                    BroadcastItem(
                        broadcast_id=broadcast_id,
                        position=position,
                        script_id=item.script_id,
                        title=item.title,
                        engine=item.engine,
                        offline=item.offline,
                        village_id=rendered.candidate.village_id,
                        duration_s=item.duration_s,
                        sha256=item.sha256,
                        file=item.file,
                    )
                )
            self.app.events.record(
                session,
                BroadcastReady(
                    at=now,
                    **about(row),
                    items=len(kept),
                    duration_s=round(built.duration_s, 1),
                    offline_items=offline,
                    rerender=rerender,
                ),
            )
        return BuildResult(
            broadcast_id,
            day,
            slot_id,
            zone_id,
            Status.READY,
            built=True,
            folder=final,
            items=len(kept),
            duration_s=built.duration_s,
            offline_items=offline,
            decisions=decisions,
        )

    def _fail_build(
        self,
        broadcast_id: int,
        day: date,
        slot_id: str,
        zone_id: str,
        now: datetime,
        error: str,
        decisions: list[Decision],
    ) -> BuildResult:
        """Nothing could be built: the row stays `planned` with the error; the next tick tries again."""
        with self.app.db.session() as session:
            row = session.get(Broadcast, broadcast_id)
            assert row is not None
            if row.error != error:
                row.error = error
                row.updated_at = now
                self.app.events.record(
                    session,
                    BuildFailed(
                        at=now,
                        **about(row),
                        error=error,
                    ),
                )
            status = row.status
        return BuildResult(
            broadcast_id, day, slot_id, zone_id, status, built=False, error=error, decisions=decisions
        )

    def _record(self, event: ScriptInvalid | ItemSkipped) -> None:
        with self.app.db.session() as session:
            self.app.events.record(session, event)
