"""Builds one program ahead of airtime: planner → content → audio → playout folder → row `ready`.

Idempotent and up to date: the broadcast row (unique per day, slot, zone) is created once; a `ready`
program is built again only when its inputs changed since it was built (`fingerprint`), or when asked
(offline items to speak online again, `--force`); a program that is airing or aired, missed or failed is
never touched again. The folder is written in a staging directory and exchanged with the old one in one
step, in the same transaction that updates the row, so a reader sees the old program or the new one.
"""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from audio.errors import AssemblyError, AudioError, Pause, RenderError
from audio.program import BuiltProgram, ItemSource, ProgramTags, RenderedItem
from content.errors import ScriptError
from content.library import Script
from content.speech import SpeechSettings, normalize, split_for_tts
from scheduler.clock import file_time
from scheduler.config import Slot
from scheduler.db.models import UNAIRED, Broadcast, BroadcastItem, Status
from scheduler.events import BroadcastReady, BuildFailed, ItemSkipped, ScriptInvalid, about
from scheduler.files import clean_stale_staging, staging_dir, swap_into_place
from scheduler.playout.manifest import ItemText, folder_for, manifest_data, write_manifest
from scheduler.programs.context import CoverageSnapshot, build_context
from scheduler.programs.fingerprint import ProgramInputs, program_inputs
from scheduler.programs.planner import Candidate, Decision, airtime_of, choose, fill
from scheduler.programs.rows import ensure_broadcast, recent_programs
from scheduler.service.app import App

log = logging.getLogger(__name__)
FASTEST_SYLLABLES_PER_S = 6.0  # no voice reads Vietnamese faster: a safe lower bound of an item's length


@dataclass(frozen=True)
class BuildResult:
    broadcast_id: int
    day: date
    slot: str
    zone: str
    status: str
    built: bool  # False: left alone (up to date, or final) or nothing could be built
    folder: Path | None = None
    items: int = 0
    duration_s: float = 0.0
    offline_items: int = 0
    error: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    why: tuple[str, ...] = ()  # why a ready program was built again


@dataclass(frozen=True)
class Prepared:
    """An item before its audio: its text, what the voice is given, and the least time it can take."""

    candidate: Candidate
    text: ItemText
    source: ItemSource

    @property
    def least_seconds(self) -> float:
        """A lower bound of the item's length: its syllables at a fast announcer's pace, repeats
        included (a recording's length is only known once decoded: 0)."""
        if self.source.parts is None:
            return 0.0
        return len(self.text.spoken_text.split()) / FASTEST_SYLLABLES_PER_S * self.source.repeat


@dataclass(frozen=True)
class Rendered:
    candidate: Candidate
    text: ItemText
    item: RenderedItem


@dataclass
class Draft:
    """A program about to be written: its row, what it holds, what it was built from, and why."""

    broadcast_id: int
    day: date
    slot_id: str
    zone_id: str
    airtime: datetime
    kind: str
    kept: list[Rendered]
    decisions: list[Decision]
    inputs: ProgramInputs | None = None
    why: tuple[str, ...] = ()


def _likely_to_fit(items: list[Prepared], max_seconds: float) -> list[Prepared]:
    """The items worth fetching speech for ahead: in fill order, while their least lengths add up to less
    than half again the slot (the rest would be dropped; online requests for them would be wasted)."""
    ranked = sorted(
        items, key=lambda p: (not p.candidate.script.pinned, -p.candidate.script.priority, p.least_seconds)
    )
    chosen, total = [], 0.0
    for item in ranked:
        total += item.least_seconds
        if total > 1.5 * max_seconds:
            break
        chosen.append(item)
    return chosen


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


def item_source(
    script: Script, text: str, speech: SpeechSettings, *, villages: Sequence[str] = ()
) -> tuple[str, ItemSource]:
    """What the voice is given for a rendered script (its spoken text; empty for a recording), and the
    item to render: title (naming the villages it speaks about), parts or recording, repeats."""
    title = f"{script.title} — {', '.join(villages)}" if villages else script.title
    if script.audio is not None:
        return "", ItemSource(script.id, title, parts=None, recorded=script.audio, repeat=script.repeat)
    spoken = spoken_text(text, speech)
    return spoken, ItemSource(
        script.id, title, parts=speech_parts(spoken), recorded=None, repeat=script.repeat
    )


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
        rebuild: str | None = None,
        refresh: bool = True,
    ) -> BuildResult:
        """Build the program of (`day`, `slot`, `zone_id`) if it is missing, or stale and `refresh`;
        `rebuild` (a reason) builds a ready program again even when its inputs did not change."""
        config = self.app.config
        airtime = airtime_of(day, slot, config.tz)
        with self.app.db.session() as session:
            row = ensure_broadcast(
                session, day=day, slot_id=slot.id, zone_id=zone_id, airtime=airtime, kind="slot", now=now
            )
            status, broadcast_id, built_from = row.status, row.id, row.inputs
            recent = recent_programs(session, slot.id, zone_id, airtime)
        if status not in UNAIRED or (status == Status.READY and not refresh and not rebuild):
            return BuildResult(broadcast_id, day, slot.id, zone_id, status, built=False)
        library = self.app.library(now)
        coverage = CoverageSnapshot(self.app.coverage)
        villages = coverage.lagging_villages(zone_id, day)
        inputs = program_inputs(
            config, library, coverage, day=day, slot=slot, zone_id=zone_id, villages=villages
        )
        why: tuple[str, ...] = ()
        if status == Status.READY:
            why = (rebuild,) if rebuild else tuple(inputs.changes_since(built_from))
            if not why:
                return BuildResult(broadcast_id, day, slot.id, zone_id, status, built=False)
        candidates, decisions = choose(
            library.regular(), day=day, slot_id=slot.id, recent=recent, villages=villages
        )
        decisions += [
            Decision(Path(p.file).stem, "skipped", "invalid_script", str(p)) for p in library.problems
        ]
        kept = self._fill(candidates, slot, day, coverage, broadcast_id, now, decisions)
        draft = Draft(broadcast_id, day, slot.id, zone_id, airtime, "slot", kept, decisions, inputs, why)
        return self._publish(draft, now)

    def _fill(
        self,
        candidates: list[Candidate],
        slot: Slot,
        day: date,
        coverage: CoverageSnapshot,
        broadcast_id: int,
        now: datetime,
        decisions: list[Decision],
    ) -> list[Rendered]:
        """Texts first (cheap), then the items in fill order, rendered one at a time — only those that can
        still fit — while their speech is fetched side by side in the background. Adds its decisions."""
        prepared: dict[str, Prepared] = {}
        for candidate in candidates:
            context = build_context(self.app.config, coverage, day, slot=slot, villages=candidate.villages)
            outcome = self._prepare(candidate, context, now)
            if isinstance(outcome, Decision):
                decisions.append(outcome)
            else:
                prepared[candidate.key] = outcome
        rendered: dict[str, Rendered] = {}

        def measure(candidate: Candidate) -> float | None:
            outcome = self._speak(prepared[candidate.key], broadcast_id, now)
            if isinstance(outcome, Decision):
                decisions.append(outcome)
                return None
            rendered[candidate.key] = outcome
            return outcome.item.duration_s

        def estimate(candidate: Candidate) -> float:
            return prepared[candidate.key].least_seconds

        order = [c for c in candidates if c.key in prepared]
        likely = _likely_to_fit([prepared[c.key] for c in order], slot.max_duration.total_seconds())
        with ThreadPoolExecutor(1, thread_name_prefix="prefetch-speech") as background:
            background.submit(self.app.builder.prefetch_speech, [p.source for p in likely])
            kept, dropped = fill(
                order,
                estimate=estimate,
                measure=measure,
                max_seconds=slot.max_duration.total_seconds(),
                gap_seconds=self.app.audio.item_gap_s,
            )
        decisions += dropped
        return [rendered[c.key] for c in kept]

    def build_alert(
        self,
        script: Script,
        message: str,
        where: tuple[str, str, date],
        now: datetime,
        *,
        zones: tuple[str, ...],
        budget_s: float | None = None,
    ) -> BuildResult:
        """The alert program of one zone (`where` = zone id, alert slot id, day), spoken within `budget_s`."""
        zone_id, slot_id, day = where
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
        prepared = self._prepare(Candidate(script), context, now)
        outcome = (
            prepared
            if isinstance(prepared, Decision)
            else self._speak(prepared, broadcast_id, now, budget_s=budget_s)
        )
        if isinstance(outcome, Decision):
            return self._fail_build(broadcast_id, now, outcome.detail, [outcome])
        return self._publish(Draft(broadcast_id, day, slot_id, zone_id, now, "alert", [outcome], []), now)

    def _prepare(
        self, candidate: Candidate, context: dict[str, object], now: datetime
    ) -> Prepared | Decision:
        """The text of one item and what the voice will be given; a template error is a decision."""
        script = candidate.script
        try:
            text = self.app.renderer.render(script, context)
        except ScriptError as exc:
            event = ScriptInvalid(
                at=now, script=script.id, file=str(exc.file), line=exc.line, message=exc.message
            )
            self._record(event)
            return Decision(candidate.key, "skipped", "template_error", str(exc))
        names = [v.name for v in self.app.config.villages if v.id in candidate.villages]
        spoken, source = item_source(script, text, self.app.speech, villages=names)
        return Prepared(
            candidate, ItemText(script.id, source.title, text, spoken, candidate.villages), source
        )

    def _speak(
        self, prepared: Prepared, broadcast_id: int, now: datetime, *, budget_s: float | None = None
    ) -> Rendered | Decision:
        """The item's audio; an item that cannot be made into sound is a decision."""
        key = prepared.candidate.key
        try:
            item = self.app.builder.render_item(prepared.source, budget_s=budget_s)
        except AudioError as exc:
            self._record(ItemSkipped(at=now, broadcast_id=broadcast_id, script=key, reason=str(exc)))
            return Decision(key, "skipped", "audio_error", audio_problem(exc))
        return Rendered(prepared.candidate, prepared.text, item)

    def _publish(self, draft: Draft, now: datetime) -> BuildResult:
        """Write the program into a staging folder, then make it the program of its row in one step."""
        if not draft.kept:
            return self._fail_build(draft.broadcast_id, now, "không có bài nào phát được", draft.decisions)
        config = self.app.config
        final = folder_for(config.playout.dir, draft.day, draft.slot_id, draft.zone_id)
        try:
            staging, built = self._write(draft, final, now)
        except (AudioError, OSError) as exc:
            log.warning("program not written broadcast=%s folder=%s error=%r", draft.broadcast_id, final, exc)
            problem = (
                audio_problem(exc)
                if isinstance(exc, AudioError)
                else f"không ghi được chương trình vào {final.parent}: {exc.strerror or exc}"
            )
            return self._fail_build(draft.broadcast_id, now, problem, draft.decisions)
        offline = sum(1 for item in built.items if item.offline)
        with self.app.db.session() as session:
            # the conditional update comes first: it holds the row until commit, so no other process can
            # claim (air) it between our check and the folder exchange below
            updated = session.execute(
                update(Broadcast)
                .where(Broadcast.id == draft.broadcast_id, Broadcast.status.in_(UNAIRED))
                .values(
                    status=Status.READY,
                    folder=str(final.relative_to(config.playout.dir)),
                    duration_s=built.duration_s,
                    loudness_lufs=built.loudness_lufs,
                    offline_items=offline,
                    error=None,
                    fingerprint=draft.inputs.digest if draft.inputs else None,
                    inputs=draft.inputs.as_json() if draft.inputs else None,
                    rendered_at=now,
                    updated_at=now,
                )
            ).rowcount
            row = session.get(Broadcast, draft.broadcast_id)
            if not updated or row is None:
                shutil.rmtree(staging, ignore_errors=True)
                status = row.status if row else "gone"
                return BuildResult(
                    draft.broadcast_id, draft.day, draft.slot_id, draft.zone_id, status, built=False
                )
            swap_into_place(staging, final)
            self._item_rows(session, draft, built)
            self.app.events.record(
                session,
                BroadcastReady(
                    at=now,
                    **about(row),
                    items=len(draft.kept),
                    duration_s=round(built.duration_s, 1),
                    offline_items=offline,
                    rerender=bool(draft.why),
                    why=draft.why,
                ),
            )
        return BuildResult(
            draft.broadcast_id,
            draft.day,
            draft.slot_id,
            draft.zone_id,
            Status.READY,
            built=True,
            folder=final,
            items=len(draft.kept),
            duration_s=built.duration_s,
            offline_items=offline,
            decisions=draft.decisions,
            why=draft.why,
        )

    def _write(self, draft: Draft, final: Path, now: datetime) -> tuple[Path, BuiltProgram]:
        """program.mp3, items, playlist and manifest in a fresh staging folder beside `final`."""
        config = self.app.config
        clean_stale_staging(final.parent, file_time())
        staging = staging_dir(final)
        tags = ProgramTags(
            title=f"{config.commune.name} {draft.day:%d/%m/%Y} {draft.slot_id} {config.zone(draft.zone_id).name}",
            date=draft.day,
            album=config.campaign.name,
            artist=f"Loa 114 — {config.commune.name}",
        )
        try:
            built = self.app.builder.write_program([r.item for r in draft.kept], staging, tags)
            data = manifest_data(
                day=draft.day,
                slot_id=draft.slot_id,
                zone_id=draft.zone_id,
                airtime=draft.airtime,
                tz=config.tz,
                kind=draft.kind,
                built=built,
                texts=[r.text for r in draft.kept],
                decisions=[d.as_dict() for d in draft.decisions],
                generated_at=now,
            )
            if draft.why:
                data["rebuilt_because"] = list(draft.why)
            write_manifest(staging, data)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging, built

    @staticmethod
    def _item_rows(session: Session, draft: Draft, built: BuiltProgram) -> None:
        session.execute(delete(BroadcastItem).where(BroadcastItem.broadcast_id == draft.broadcast_id))
        for position, (rendered, item) in enumerate(zip(draft.kept, built.items, strict=True), start=1):
            session.add(
                BroadcastItem(
                    broadcast_id=draft.broadcast_id,
                    position=position,
                    script_id=item.script_id,
                    title=item.title,
                    engine=item.engine,
                    offline=item.offline,
                    village_id=",".join(rendered.candidate.villages) or None,
                    duration_s=item.duration_s,
                    sha256=item.sha256,
                    file=item.file,
                    audio_key=rendered.item.key,
                    request_key=rendered.item.request_key,
                )
            )

    def _fail_build(
        self, broadcast_id: int, now: datetime, error: str, decisions: list[Decision]
    ) -> BuildResult:
        """Nothing could be built: the row keeps its state (a ready row its program) with the error; the
        next render step tries again."""
        with self.app.db.session() as session:
            row = session.get(Broadcast, broadcast_id)
            assert row is not None
            if row.error != error:
                row.error = error
                row.updated_at = now
                self.app.events.record(session, BuildFailed(at=now, **about(row), error=error))
            result = BuildResult(
                broadcast_id,
                row.day,
                row.slot_id,
                row.zone_id,
                row.status,
                built=False,
                error=error,
                decisions=decisions,
            )
        return result

    def _record(self, event: ScriptInvalid | ItemSkipped) -> None:
        with self.app.db.session() as session:
            self.app.events.record(session, event)
