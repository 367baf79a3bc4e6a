"""Turning speech parts into processed speech: engine order, fallback, cache, chunks side by side.

`settings.engines` is the order to try, chunk by chunk. Each processed chunk is cached by (text,
engine identity, processing parameters); an engine's cached chunk is only consulted when that
engine's turn comes, so an offline render is never served when gTTS was asked for and could be
tried. The chunks of a call that are not cached yet are spoken side by side on worker threads
(identical texts once), with at most `gtts_max_in_flight` online requests out in the whole process
(`audio.online`, `audio.gate`); the result is the same as speaking them one after another. An
engine found unreachable cools down for `gtts_cooldown_s` in a health file shared by every process
(`audio.health`); `probe` finds out when it is back. A time budget bounds an urgent call: past it,
the rest is spoken by the next (offline) engine and the call returns at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import pydub
import requests

from loa114.audio import dsp
from loa114.audio.cache import RenderCache, make_key
from loa114.audio.engines.base import TTSEngine
from loa114.audio.engines.gtts import GTTSEngine
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.errors import Pause, RenderError, SpeechParts
from loa114.audio.gate import KeyFlights
from loa114.audio.health import EngineHealth, HealthBoard
from loa114.audio.online import Budget, OnlineCalls
from loa114.audio.settings import AudioSettings
from loa114.audio.workers import side_by_side

log = logging.getLogger(__name__)

SPEECH_FORMAT = 1  # bump when processing changes in a way the parameters do not capture
PROBE_TEXT = "Alô."
BUDGET_GRACE_S = 0.2  # past the budget, a worker still waiting on the network is left behind

_Result = tuple[np.ndarray, TTSEngine] | RenderError


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
                    pool_size=settings.gtts_max_in_flight,
                )
            )
        elif name == "offline":
            engines.append(OfflineEngine(settings.offline_voice, settings.offline_rate_wpm))
        else:
            raise ValueError(f"unknown TTS engine {name!r} (known: gtts, offline)")
    return engines


class Speaker:
    """Speaks `SpeechParts` with the first engine that can, through the cache. Thread-safe.

    `sleep` paces retries; `monotonic` measures time budgets; `clock` (wall time, shared with other
    processes through the health files) times cool-downs. Without `clock`, it is `time.time`, or,
    when a fake `monotonic` is given, a wall clock that follows it (so one fake clock drives both).
    """

    def __init__(
        self,
        settings: AudioSettings,
        engines: Sequence[TTSEngine] | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings
        self.engines = {e.name: e for e in (engines if engines is not None else build_engines(settings))}
        self.cache = RenderCache(settings.cache_dir)
        self._monotonic = monotonic
        self._clock = clock or (time.time if monotonic is time.monotonic else _following(monotonic))
        self._health = HealthBoard(settings.cache_dir / "health")
        self._online = OnlineCalls(settings, self._health, sleep, self._clock)
        self._flights = KeyFlights()

    def speak(
        self, parts: SpeechParts, *, engines: Sequence[str] | None = None, budget_s: float | None = None
    ) -> Spoken:
        """Speak `parts`; raise RenderError when no engine could speak some chunk."""
        samples, engine, offline = self.speak_samples(parts, engines=engines, budget_s=budget_s)
        return Spoken(dsp.to_segment(samples, self.settings.sample_rate), engine, offline)

    def cooling_down(self, name: str) -> bool:
        """True while engine `name` is being skipped after failures (in this or another process)."""
        return self._online.cooling_down(name)

    def health(self, name: str) -> EngineHealth | None:
        """Engine `name`'s last trouble (cooling down until when, why, since when), None if none."""
        return self._health.read(name)

    def probe(self, name: str = "gtts") -> bool:
        """Does engine `name` answer now? One very short text, no retries, a short timeout.

        On success the health record is cleared (every process uses the engine again); a transient
        failure renews the cool-down. The service calls this periodically while the engine cools down.
        """
        engine = self.engines.get(name)
        if engine is None:
            log.warning("probe: engine %r is not configured", name)
            return False
        s = self.settings
        timeout = min(s.gtts_timeout_s, s.gtts_probe_timeout_s)
        limit = self._online.limit(name)
        if not limit.acquire(timeout=timeout):
            return False  # every slot busy: requests are going out, their outcome will tell
        try:
            engine.synthesize(PROBE_TEXT, timeout_s=timeout)
        except RenderError as exc:
            if exc.transient and engine.online:
                self._online.mark_failed(engine, exc.message)
                self._online.gate(name).reset(answering=False)
            else:
                log.warning("probe of %s: %s", name, exc)
            return False
        finally:
            limit.release()
        self._health.clear(name)
        self._online.gate(name).reset(answering=True)
        return True

    def prefetch(self, parts: SpeechParts, *, engines: Sequence[str] | None = None) -> int:
        """Speak and cache the chunks of `parts` not cached yet, side by side; keep no audio.

        For a caller that renders items one after another: prefetching the speech of all of a
        program's items first lets their online requests go out together (within the process-wide
        limit) while only one item at a time is assembled in memory. Does nothing when no online
        engine may speak (the offline voice is serialised: nothing to gain). Failures are left to
        the later `speak_samples`, which falls back or raises as usual. Returns the chunks spoken.
        """
        order = self._order(engines)
        budget = Budget(self._monotonic, None)
        texts = dict.fromkeys(" ".join(p.split()) for p in parts if not isinstance(p, Pause))
        missing = [t for t in texts if t and self._chunk(t, order, budget, cached_only=True) is None]
        if not missing or not self._online_may_speak(order, budget):
            return 0
        done = side_by_side(
            lambda text: not isinstance(self._chunk(text, order, budget), RenderError),
            missing,
            self.settings.gtts_max_in_flight,
            None,
            "audio-prefetch",
        )
        return sum(done.values())

    def speak_samples(
        self, parts: SpeechParts, *, engines: Sequence[str] | None = None, budget_s: float | None = None
    ) -> tuple[np.ndarray, str, bool]:
        """Like `speak`, as float samples (what program assembly works on).

        `budget_s`: online engines get at most this many seconds in all for this call; chunks still
        unspoken then go to the next engine in the order, and the call returns shortly after.
        """
        order = self._order(engines)
        texts = [" ".join(p.split()) for p in parts if not isinstance(p, Pause)]
        if not any(texts):
            raise RenderError(order[0].name, "nothing to speak", transient=False)
        results = self._speak_all(
            list(dict.fromkeys(t for t in texts if t)), order, Budget(self._monotonic, budget_s)
        )
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
            result = results[text]
            if isinstance(result, RenderError):
                raise result
            if after_text:
                pieces.append(dsp.silence(self.settings.chunk_gap_s, rate))
            pieces.append(result[0])
            used.append(result[1])
            after_text = True
        return np.concatenate(pieces), *self._verdict(order, used)

    def _speak_all(self, texts: list[str], order: list[TTSEngine], budget: Budget) -> dict[str, _Result]:
        """Every distinct text: from the cache, else on worker threads when an online engine may speak."""
        results: dict[str, _Result] = {}
        missing: list[str] = []
        for text in texts:
            hit = self._chunk(text, order, budget, cached_only=True)
            if hit is None:
                missing.append(text)
            else:
                results[text] = hit
        if not missing:
            return results
        if not self._online_may_speak(order, budget):
            for text in missing:  # the offline voice is serialised anyway: no threads
                results[text] = self._chunk(text, order, budget)
            return results
        left = budget.remaining()
        done = side_by_side(
            lambda text: self._chunk(text, order, budget),
            missing,
            self.settings.gtts_max_in_flight,
            None if left is None else max(0.0, left) + BUDGET_GRACE_S,
            "audio-speak",
        )
        if len(done) < len(missing) and budget.outstanding:
            for engine in order:  # a request still out past the budget: the next command skips the engine
                if engine.online:
                    self._online.mark_failed(engine, "no answer within the time budget")
        for i, text in enumerate(missing):
            result = done.get(i)
            results[text] = result if result is not None else self._chunk(text, order, budget)
        return results

    def _online_may_speak(self, order: list[TTSEngine], budget: Budget) -> bool:
        if budget.spent():
            return False
        return any(e.online and (e is order[-1] or not self.cooling_down(e.name)) for e in order)

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

    @overload
    def _chunk(self, text: str, order: list[TTSEngine], budget: Budget) -> _Result: ...
    @overload
    def _chunk(
        self, text: str, order: list[TTSEngine], budget: Budget, *, cached_only: bool
    ) -> _Result | None: ...
    def _chunk(
        self, text: str, order: list[TTSEngine], budget: Budget, *, cached_only: bool = False
    ) -> _Result | None:
        """One chunk through the engine order: (samples, engine), or the RenderError of all failures.

        `cached_only`: stop (None) where an engine would have to be asked.
        """
        s = self.settings
        failures: list[RenderError] = []
        for i, engine in enumerate(order):
            key = make_key("speech", SPEECH_FORMAT, text, engine.cache_identity(), s.processing_params())
            blob = self.cache.get("speech", key)
            if blob is not None:
                return dsp.from_pcm16(blob), engine
            skippable = i < len(order) - 1
            if engine.online and skippable and self.cooling_down(engine.name):
                log.debug("skipping %s (cooling down) for %r", engine.name, text)
                failures.append(RenderError(engine.name, "skipped after recent failures", transient=True))
                continue
            if engine.online and budget.spent():
                failures.append(RenderError(engine.name, "no answer within the time budget", transient=True))
                continue
            if cached_only:
                return None
            try:
                samples = self._synthesize(engine, text, key, budget, skippable)
            except RenderError as exc:
                failures.append(exc)
                if not exc.transient:
                    log.warning("%s could not speak %r: %s", engine.name, text, exc)
                continue
            if samples is not None:
                return samples, engine
            failures.append(RenderError(engine.name, f"silent audio for {text!r}", transient=False))
        message = "; ".join(str(f) for f in failures)
        return RenderError(failures[-1].engine, message, transient=any(f.transient for f in failures))

    def _synthesize(
        self, engine: TTSEngine, text: str, key: str, budget: Budget, skippable: bool
    ) -> np.ndarray | None:
        """Speak, process and cache one chunk (once, whatever the number of threads asking)."""
        s = self.settings
        waited = self._flights.claim(key, budget.remaining() if engine.online else None)
        if waited is None:
            raise RenderError(engine.name, "no answer within the time budget", transient=True)
        try:
            if waited and (blob := self.cache.get("speech", key)) is not None:
                return dsp.from_pcm16(blob)  # another thread spoke it meanwhile
            if engine.online:
                segment = self._online.synthesize(engine, text, budget, skippable=skippable)
            else:
                segment = engine.synthesize(text)
            samples = dsp.process_speech(
                dsp.to_float(segment, s.sample_rate), s.sample_rate, s.highpass_hz, s.lowpass_hz
            )
            if samples.size == 0:
                return None
            pcm = dsp.to_pcm16(samples)
            self.cache.put("speech", key, pcm.tobytes())
            return dsp.from_pcm16(pcm)  # as a cache hit returns it: renders are reproducible
        finally:
            self._flights.release(key)


def _following(monotonic: Callable[[], float]) -> Callable[[], float]:
    """A wall clock that advances with `monotonic` (for a fake monotonic clock in tests)."""
    offset = time.time() - monotonic()
    return lambda: offset + monotonic()
