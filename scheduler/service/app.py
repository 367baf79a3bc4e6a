"""The composition root: one commune's service, wired once from the typed config.

Everything below is built here and handed down explicitly; no function elsewhere takes this object.
Seams a test may replace: `engines` (TTS), `adapters` (playout), `coverage` (campaign figures), the
`sleep`/`monotonic` pair that paces gTTS retries and its cool-down, and `passwords` (a cheaper argon2).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from loa114.audio.engines.base import TTSEngine
from loa114.audio.program import ProgramBuilder
from loa114.audio.settings import AudioSettings
from loa114.audio.speaker import Speaker, build_engines
from loa114.scheduler.accounts import Tokens, Users
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.campaign.figures import CoverageSource, Figures
from loa114.scheduler.campaign.outbox import Outbox
from loa114.scheduler.campaign.store import DatabaseCoverage
from loa114.scheduler.config import Config
from loa114.scheduler.config.settings import audio_settings, speech_settings
from loa114.scheduler.db.engine import Database
from loa114.scheduler.events import EventLog, log_event
from loa114.scheduler.playout import PlayoutAdapter, adapters_for
from loa114.scheduler.programs.airing import OnAir
from loa114.scheduler.programs.shelf import ScriptShelf
from loa114.scheduler.programs.studio import Studio
from loa114.scheduler.service.metrics import Metrics
from loa114.scheduler.store import Store


@dataclass
class App:
    config: Config
    store: Store
    speaker: Speaker
    sound: ProgramBuilder
    adapters: list[PlayoutAdapter]
    figures: Figures
    studio: Studio
    on_air: OnAir
    outbox: Outbox
    users: Users
    tokens: Tokens
    metrics: Metrics

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
        passwords: Passwords | None = None,
        engine: Engine | None = None,
    ) -> App:
        """`engine`: the process's shared engine when it serves several communes (one pool for all)."""
        db = Database(config.database.url, schema=config.database.schema_name, base=engine)
        if migrate:
            db.migrate()
        events = EventLog()
        events.subscribe(log_event)
        metrics = Metrics()  # this app's own registry: several apps in one process never collide
        events.subscribe(metrics.observe)
        store = Store.open(db, events)
        speech = speech_settings(config)
        audio = audio_settings(config, speech)
        engines = list(engines) if engines is not None else build_engines(audio)
        speaker = Speaker(audio, engines, sleep=sleep, monotonic=monotonic)
        sound = ProgramBuilder(audio, speaker)
        figures = Figures(config, coverage or DatabaseCoverage(config, db))
        adapters = adapters if adapters is not None else adapters_for(config)
        studio = Studio(
            config, store, shelf=ScriptShelf(config.scripts.dir), speech=speech, sound=sound, coverage=figures
        )
        return cls(
            config=config,
            store=store,
            speaker=speaker,
            sound=sound,
            adapters=adapters,
            figures=figures,
            studio=studio,
            on_air=OnAir(config, store, adapters),
            outbox=Outbox(config, store),
            users=Users(store, passwords or Passwords(), config.villages),
            tokens=Tokens(store, config.villages),
            metrics=metrics,
        )

    @property
    def db(self) -> Database:
        return self.store.db

    @property
    def audio(self) -> AudioSettings:
        return self.sound.settings

    def close(self) -> None:
        self.store.db.dispose()
