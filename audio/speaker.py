"""Turning speech parts into processed speech: engine order, retries, cooldown, fallback, cache.

`settings.engines` is the order to try. A transient gTTS failure is retried with exponential
backoff (injected `sleep`); after the last attempt gTTS is skipped for `gtts_cooldown_s`
(injected `monotonic`) so that an offline run falls through to espeak at once instead of timing
out on every chunk. Each processed chunk is cached by (text, engine identity, processing
parameters); an engine's cached chunk is only consulted when that engine's turn comes, so an
offline render is never served when gTTS was asked for and could be tried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pydub
import requests

from audio import dsp
from audio.cache import RenderCache, make_key
from audio.engines.base import TTSEngine
from audio.engines.gtts import GTTSEngine
from audio.engines.offline import OfflineEngine
from audio.errors import Pause, RenderError, SpeechParts
from audio.settings import AudioSettings

log = logging.getLogger(__name__)

SPEECH_FORMAT = 1  # bump when processing changes in a way the parameters do not capture


@dataclass(frozen=True)
class Spoken:
    segment: pydub.AudioSegment  # processed mono speech at settings.sample_rate
    engine: str  # the engine that spoke all of it; the offline one if chunks mixed engines
    offline: bool  # an online engine was wanted first but an offline one spoke


def build_engines(
    settings: AudioSettings, *, session_factory: Callable[[], requests.Session] | None = None
) -> list[TTSEngine]:
    """The engines named in `settings.engines`, in that order."""
    engines: list[TTSEngine] = []
    for name in settings.engines:
        if name == "gtts":
            engines.append(
                GTTSEngine(
                    tld=settings.gtts_tld,
                    timeout_s=settings.gtts_timeout_s,
                    sample_rate=settings.sample_rate,
                    session_factory=session_factory,
                )
            )
        elif name == "offline":
            engines.append(OfflineEngine(settings.offline_voice, settings.offline_rate_wpm))
        else:
            raise ValueError(f"unknown TTS engine {name!r} (known: gtts, offline)")
    return engines


class Speaker:
    """Speaks `SpeechParts` with the first engine that can, through the cache."""

    def __init__(
        self,
        settings: AudioSettings,
        engines: Sequence[TTSEngine] | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.engines = {e.name: e for e in (engines if engines is not None else build_engines(settings))}
        self.cache = RenderCache(settings.cache_dir)
        self._sleep = sleep
        self._monotonic = monotonic
        self._cooldown_until: dict[str, float] = {}

    def speak(self, parts: SpeechParts, *, engines: Sequence[str] | None = None) -> Spoken:
        """Speak `parts`; raise RenderError when no engine could speak some chunk."""
        samples, engine, offline = self.speak_samples(parts, engines=engines)
        return Spoken(dsp.to_segment(samples, self.settings.sample_rate), engine, offline)

    def cooling_down(self, name: str) -> bool:
        """True while engine `name` is being skipped after a transient failure."""
        return self._monotonic() < self._cooldown_until.get(name, float("-inf"))

    def speak_samples(
        self, parts: SpeechParts, *, engines: Sequence[str] | None = None
    ) -> tuple[np.ndarray, str, bool]:
        """Like `speak`, as float samples (what program assembly works on)."""
        order = self._order(engines)
        rate = self.settings.sample_rate
        pieces: list[np.ndarray] = []
        used: list[TTSEngine] = []
        after_text = False
        for part in parts:
            if isinstance(part, Pause):
                pieces.append(dsp.silence(part.seconds, rate))
                after_text = False
                continue
            text = " ".join(part.split())
            if not text:
                continue
            if after_text:
                pieces.append(dsp.silence(self.settings.chunk_gap_s, rate))
            samples, engine = self._chunk(text, order)
            pieces.append(samples)
            used.append(engine)
            after_text = True
        if not used:
            raise RenderError(order[0].name, "nothing to speak", transient=False)
        return np.concatenate(pieces), *self._verdict(order, used)

    def _order(self, names: Sequence[str] | None) -> list[TTSEngine]:
        wanted = list(names) if names is not None else list(self.settings.engines)
        missing = [n for n in wanted if n not in self.engines]
        if missing or not wanted:
            raise RenderError(",".join(missing) or "none", "engine not available", transient=False)
        return [self.engines[n] for n in wanted]

    @staticmethod
    def _verdict(order: list[TTSEngine], used: list[TTSEngine]) -> tuple[str, bool]:
        offline_used = [e for e in used if not e.online]
        if not offline_used:
            return used[0].name, False
        worst = offline_used[0]
        wanted_online_first = any(e.online for e in order[: order.index(worst)])
        return worst.name, wanted_online_first

    def _chunk(self, text: str, order: list[TTSEngine]) -> tuple[np.ndarray, TTSEngine]:
        s = self.settings
        failures: list[RenderError] = []
        for i, engine in enumerate(order):
            key = make_key("speech", SPEECH_FORMAT, text, engine.cache_identity(), s.processing_params())
            blob = self.cache.get("speech", key)
            if blob is not None:
                return dsp.from_pcm16(blob), engine
            if i < len(order) - 1 and self.cooling_down(engine.name):
                log.debug("skipping %s (cooling down) for %r", engine.name, text)
                failures.append(RenderError(engine.name, "skipped after recent failures", transient=True))
                continue
            try:
                segment = self._synthesize(engine, text)
            except RenderError as exc:
                failures.append(exc)
                if exc.transient and engine.online:
                    self._cooldown_until[engine.name] = self._monotonic() + s.gtts_cooldown_s
                    log.warning(
                        "%s unavailable, skipping it for %.0f s: %s", engine.name, s.gtts_cooldown_s, exc
                    )
                else:
                    log.warning("%s could not speak %r: %s", engine.name, text, exc)
                continue
            self._cooldown_until.pop(engine.name, None)  # it answered: stop skipping it
            samples = dsp.process_speech(
                dsp.to_float(segment, s.sample_rate), s.sample_rate, s.highpass_hz, s.lowpass_hz
            )
            if samples.size == 0:
                failures.append(RenderError(engine.name, f"silent audio for {text!r}", transient=False))
                continue
            pcm = dsp.to_pcm16(samples)
            self.cache.put("speech", key, pcm.tobytes())
            return dsp.from_pcm16(pcm), engine  # as a cache hit returns it: renders are reproducible
        last = failures[-1]
        message = "; ".join(str(f) for f in failures)
        raise RenderError(last.engine, message, transient=any(f.transient for f in failures))

    def _synthesize(self, engine: TTSEngine, text: str) -> pydub.AudioSegment:
        attempts = max(1, self.settings.gtts_retries) if engine.online else 1
        attempt = 0
        while True:
            try:
                return engine.synthesize(text)
            except RenderError as exc:
                attempt += 1
                if not exc.transient or attempt >= attempts:
                    raise
                delay = self.settings.gtts_backoff_s * 2 ** (attempt - 1)
                log.info("%s failed (%s), retrying in %.1f s", engine.name, exc.message, delay)
                self._sleep(delay)
