"""The studio builds programs ahead of airtime: planner → content → audio → playout folder → row `ready`.

Idempotent and up to date: the broadcast row (unique per day, slot, zone) is created once; a `ready`
program is built again only when its inputs changed since it was built (`fingerprint`), or when asked
(offline items to speak online again, `--force`); a program that is airing or aired, missed or failed is
never touched again. Writing it is `writing`'s job.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

from loa114.audio.errors import AudioError
from loa114.audio.program import ProgramBuilder
from loa114.content.errors import ScriptError
from loa114.content.library import Library, Script
from loa114.content.render import ScriptRenderer
from loa114.content.speech import SpeechSettings
from loa114.scheduler.campaign.figures import Figures
from loa114.scheduler.config import Config, Slot
from loa114.scheduler.db.models import UNAIRED, Status
from loa114.scheduler.events import ItemSkipped, ScriptInvalid
from loa114.scheduler.playout.manifest import ItemText
from loa114.scheduler.programs.approval import plannable
from loa114.scheduler.programs.context import build_context
from loa114.scheduler.programs.fingerprint import ProgramInputs, program_inputs
from loa114.scheduler.programs.items import Prepared, Rendered, audio_problem, item_source, likely_to_fit
from loa114.scheduler.programs.pins import PIN_MARK, pins_for, with_pins
from loa114.scheduler.programs.planner import Candidate, Decision, airtime_of, choose, fill
from loa114.scheduler.programs.rows import BroadcastKey, ensure_broadcast, recent_programs
from loa114.scheduler.programs.shelf import ScriptShelf
from loa114.scheduler.programs.writing import BuildResult, Draft, ProgramWriter
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)


class Studio:
    """Builds the programs of slots and urgent alerts."""

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        shelf: ScriptShelf,
        speech: SpeechSettings,
        sound: ProgramBuilder,
        coverage: Figures,
        renderer: ScriptRenderer | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.shelf = shelf
        self.speech = speech
        self.sound = sound
        self.coverage = coverage
        self.renderer = renderer or ScriptRenderer()
        self.writer = ProgramWriter(config, store, sound)

    def library(self, now: datetime) -> Library:
        """The office's scripts as they are now; problems found on (re)loading are recorded once."""
        library, reloaded = self.shelf.current()
        if reloaded and library.problems:
            with self.store.session() as session:
                for problem in library.problems:
                    event = ScriptInvalid(
                        at=now, script=Path(problem.file).stem, file=str(problem.file), line=problem.line,
                        message=problem.message,
                    )  # fmt: skip
                    self.store.record(session, event)
        return library

    def plannable(self, now: datetime) -> tuple[Library, list[Decision]]:
        """The scripts slots may be filled from: the whole library, or with `scripts.require_approval` only
        the approved versions (`approval.plannable`), and a decision for each draft held back."""
        library = self.library(now)
        if not self.config.scripts.require_approval:
            return library, []
        return plannable(library, self.store, now)

    def build_slot(
        self, key: BroadcastKey, now: datetime, *, rebuild: str | None = None, refresh: bool = True
    ) -> BuildResult:
        """Build the program of `key` if it is missing, or stale and `refresh`; `rebuild` (a reason)
        builds a ready program again even when its inputs did not change."""
        started = time.monotonic()  # the build's duration goes into its BroadcastReady event (render_s)
        slot = self.config.slot(key.slot)
        airtime = airtime_of(key.day, slot, self.config.tz)
        with self.store.session() as session:
            row = ensure_broadcast(session, key, airtime=airtime, kind="slot", now=now)
            status, broadcast_id, built_from = row.status, row.id, row.inputs
            recent = recent_programs(session, key, airtime)
            pinned = pins_for(session, key.day, key.slot, key.zone)
        if status not in UNAIRED or (status == Status.READY and not refresh and not rebuild):
            return BuildResult(broadcast_id, key, status, built=False)
        library, held = self.plannable(now)
        coverage = self.coverage.snapshot()
        villages = coverage.lagging_villages(key.zone, key.day)
        inputs = self._inputs(library, coverage, key, villages, pinned)
        why: tuple[str, ...] = ()
        if status == Status.READY:
            why = (rebuild,) if rebuild else tuple(inputs.changes_since(built_from))
            if not why:
                return BuildResult(broadcast_id, key, status, built=False)
        candidates, decisions = choose(
            with_pins(library.regular(), pinned, slot.id),
            day=key.day,
            slot_id=slot.id,
            recent=recent,
            villages=villages,
        )
        decisions += held + [
            Decision(Path(p.file).stem, "skipped", "invalid_script", str(p)) for p in library.problems
        ]
        kept = self._fill(
            candidates, slot, key.day, coverage, broadcast_id=broadcast_id, now=now, decisions=decisions
        )
        draft = Draft(broadcast_id, key, airtime, "slot", kept, decisions, inputs, why, started=started)
        return self.writer.publish(draft, now)

    def changes(self, key: BroadcastKey, built_from: dict[str, object] | None, now: datetime) -> list[str]:
        """What differs now from the inputs a built program recorded (empty: it is up to date)."""
        coverage = self.coverage.snapshot()
        with self.store.session() as session:
            pinned = pins_for(session, key.day, key.slot, key.zone)
        villages = coverage.lagging_villages(key.zone, key.day)
        inputs = self._inputs(self.library(now), coverage, key, villages, pinned)
        return inputs.changes_since(built_from)

    def _inputs(
        self, library: Library, coverage: Figures, key: BroadcastKey, villages: list[str], pinned: set[str]
    ) -> ProgramInputs:
        """The program's inputs as they are now; a pin counts as an input (pinning rebuilds it)."""
        inputs = program_inputs(
            self.config,
            library,
            coverage,
            day=key.day,
            slot=self.config.slot(key.slot),
            zone_id=key.zone,
            villages=villages,
        )
        marks = {f"{PIN_MARK}{script_id}": "pinned" for script_id in sorted(pinned)}
        return dataclasses.replace(inputs, scripts={**inputs.scripts, **marks}) if marks else inputs

    def _fill(
        self,
        candidates: list[Candidate],
        slot: Slot,
        day: date,
        coverage: Figures,
        *,
        broadcast_id: int,
        now: datetime,
        decisions: list[Decision],
    ) -> list[Rendered]:
        """Texts first (cheap), then the items in fill order, rendered one at a time — only those that can
        still fit — while their speech is fetched side by side in the background. Adds its decisions."""
        prepared: dict[str, Prepared] = {}
        for candidate in candidates:
            context = build_context(self.config, coverage, day, slot=slot, villages=candidate.villages)
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

        order = [c for c in candidates if c.key in prepared]
        likely = likely_to_fit([prepared[c.key] for c in order], slot.max_duration.total_seconds())
        with ThreadPoolExecutor(1, thread_name_prefix="prefetch-speech") as background:
            background.submit(self.sound.prefetch_speech, [p.source for p in likely])
            kept, dropped = fill(
                order,
                estimate=lambda c: prepared[c.key].least_seconds,
                measure=measure,
                max_seconds=slot.max_duration.total_seconds(),
                gap_seconds=self.sound.settings.item_gap_s,
            )
        decisions += dropped
        return [rendered[c.key] for c in kept]

    def build_alert(
        self,
        script: Script,
        message: str,
        key: BroadcastKey,
        now: datetime,
        *,
        zones: tuple[str, ...],
        budget_s: float | None = None,
    ) -> BuildResult:
        """The alert program of one zone (`key`: today, the alert's id, the zone), spoken within `budget_s`."""
        started = time.monotonic()
        with self.store.session() as session:
            row = ensure_broadcast(session, key, airtime=now, kind="alert", now=now)
            broadcast_id, status = row.id, row.status
        if status != Status.PLANNED:  # another alert took this id a moment ago: never rebuild an aired one
            return BuildResult(broadcast_id, key, status, built=False, error="trùng mã thông báo khẩn")
        context = build_context(self.config, self.coverage, key.day, alert=(message, now, zones))
        prepared = self._prepare(Candidate(script), context, now)
        outcome = (
            prepared
            if isinstance(prepared, Decision)
            else self._speak(prepared, broadcast_id, now, budget_s=budget_s)
        )
        if isinstance(outcome, Decision):
            return self.writer.fail(broadcast_id, now, outcome.detail, [outcome])
        return self.writer.publish(
            Draft(broadcast_id, key, now, "alert", [outcome], [], started=started), now
        )

    def _prepare(
        self, candidate: Candidate, context: dict[str, object], now: datetime
    ) -> Prepared | Decision:
        """The text of one item and what the voice will be given; a template error is a decision."""
        script = candidate.script
        try:
            text = self.renderer.render(script, context)
        except ScriptError as exc:
            event = ScriptInvalid(
                at=now, script=script.id, file=str(exc.file), line=exc.line, message=exc.message
            )
            self._record(event)
            return Decision(candidate.key, "skipped", "template_error", str(exc))
        names = [v.name for v in self.config.villages if v.id in candidate.villages]
        spoken, source = item_source(script, text, self.speech, villages=names)
        return Prepared(
            candidate, ItemText(script.id, source.title, text, spoken, candidate.villages), source
        )

    def _speak(
        self, prepared: Prepared, broadcast_id: int, now: datetime, *, budget_s: float | None = None
    ) -> Rendered | Decision:
        """The item's audio; an item that cannot be made into sound is a decision."""
        key = prepared.candidate.key
        try:
            item = self.sound.render_item(prepared.source, budget_s=budget_s)
        except AudioError as exc:
            self._record(ItemSkipped(at=now, broadcast_id=broadcast_id, script=key, reason=str(exc)))
            return Decision(key, "skipped", "audio_error", audio_problem(exc))
        return Rendered(prepared.candidate, prepared.text, item)

    def _record(self, event: ScriptInvalid | ItemSkipped) -> None:
        with self.store.session() as session:
            self.store.record(session, event)
