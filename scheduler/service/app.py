"""Wires the three halves together once, from the typed config: the object every command works on.

Seams a test may replace: `engines` (TTS), `adapters` (playout), `coverage` (campaign data).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from audio.engines.base import TTSEngine
from audio.program import ProgramBuilder
from audio.settings import AudioSettings
from audio.speaker import Speaker, build_engines
from content.library import Library, load_library
from content.render import ScriptRenderer
from content.speech.settings import SpeechSettings
from scheduler.campaign.source import DatabaseCoverage
from scheduler.config import Config
from scheduler.config.settings import audio_settings, speech_settings
from scheduler.db.engine import Database
from scheduler.events import EventLog, ScriptInvalid, log_event
from scheduler.playout import PlayoutAdapter, adapters_for
from scheduler.programs.context import CoverageSource

log = logging.getLogger(__name__)


@dataclass
class App:
    config: Config
    db: Database
    speech: SpeechSettings
    audio: AudioSettings
    speaker: Speaker
    builder: ProgramBuilder
    adapters: list[PlayoutAdapter]
    coverage: CoverageSource
    events: EventLog = field(default_factory=EventLog)
    renderer: ScriptRenderer = field(default_factory=ScriptRenderer)
    _library: Library | None = None
    _library_signature: tuple[tuple[str, float, int], ...] = ()

    @classmethod
    def create(
        cls,
        config: Config,
        *,
        engines: Sequence[TTSEngine] | None = None,
        adapters: list[PlayoutAdapter] | None = None,
        coverage: CoverageSource | None = None,
        migrate: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> App:
        """`sleep`/`monotonic` pace gTTS retries and cool-down (tests pass a fake clock)."""
        db = Database(config.database.url)
        if migrate:
            db.migrate()
        speech = speech_settings(config)
        audio = audio_settings(config, speech)
        speaker = Speaker(
            audio,
            list(engines) if engines is not None else build_engines(audio),
            sleep=sleep,
            monotonic=monotonic,
        )
        app = cls(
            config=config,
            db=db,
            speech=speech,
            audio=audio,
            speaker=speaker,
            builder=ProgramBuilder(audio, speaker),
            adapters=adapters if adapters is not None else adapters_for(config),
            coverage=coverage or DatabaseCoverage(config, db),
        )
        app.events.subscribe(log_event)
        app.events.watch(db.sessions)
        return app

    def library(self, now: datetime) -> Library:
        """The script library, re-read when a file in `scripts.dir` changed (the office edits it live).

        Problems found on (re)loading are recorded once as `ScriptInvalid` events stamped `now`.
        """
        directory = self.config.scripts.dir
        signature = _signature(directory)
        if self._library is None or signature != self._library_signature:
            self._library = load_library(directory)
            self._library_signature = signature
            self._report_problems(self._library, now)
        return self._library

    def _report_problems(self, library: Library, now: datetime) -> None:
        if not library.problems:
            return
        with self.db.session() as session:
            for problem in library.problems:
                event = ScriptInvalid(
                    at=now,
                    script=Path(problem.file).stem,
                    file=str(problem.file),
                    line=problem.line,
                    message=problem.message,
                )
                self.events.record(session, event)

    def close(self) -> None:
        self.db.dispose()


def _signature(directory: Path) -> tuple[tuple[str, float, int], ...]:
    """Names, times and sizes of every file under `directory` (sub-folders too, as the library reads)."""
    if not directory.is_dir():
        return ()
    entries = []
    for path in sorted(directory.rglob("*")):
        try:
            if path.is_file():
                stat = path.stat()
                entries.append((str(path.relative_to(directory)), stat.st_mtime, stat.st_size))
        except FileNotFoundError:  # removed while we looked: the next tick sees the new state
            continue
    return tuple(entries)
