"""Asking an online engine for one chunk: admission, time budget, retries with backoff, cool-down.

A transient failure is retried with exponential backoff (injected `sleep`) by the gate's pilot
only (`audio.gate`); after the last attempt the engine's cool-down is written to the shared health
file (`audio.health`), so every thread and process falls through to the offline voice at once.
A time budget (urgent alerts) caps the whole call: each request waits at most the remaining budget
and no backoff is slept past it; when the budget runs out after a request of this chunk failed or
timed out (or while it waited on a pilot that had not come back), the engine is marked cooling
down too; not when it only waited for a free slot (the engine answers, the process is just busy).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pydub

from loa114.audio.engines.base import TTSEngine
from loa114.audio.errors import RenderError
from loa114.audio.gate import EngineGate, Turn, in_flight_limit
from loa114.audio.health import HealthBoard
from loa114.audio.settings import AudioSettings

log = logging.getLogger(__name__)


class Budget:
    """The wall time left to online engines in one call (None: unlimited), on the injected clock."""

    def __init__(self, monotonic: Callable[[], float], seconds: float | None) -> None:
        self._monotonic = monotonic
        self.deadline = None if seconds is None else monotonic() + seconds
        self._lock = threading.Lock()
        self._outstanding = 0  # requests of this call waiting for an answer right now

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self._monotonic()

    def spent(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    @property
    def outstanding(self) -> int:
        return self._outstanding

    def sending(self, delta: int) -> None:
        with self._lock:
            self._outstanding += delta


class OnlineCalls:
    """Sends chunks to online engines for one `Speaker`; shares the in-flight limit process-wide."""

    def __init__(
        self,
        settings: AudioSettings,
        health: HealthBoard,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.health = health
        self._sleep = sleep
        self._clock = clock
        self._gates: dict[str, EngineGate] = {}
        self._lock = threading.Lock()

    def gate(self, name: str) -> EngineGate:
        with self._lock:
            return self._gates.setdefault(name, EngineGate())

    def limit(self, name: str) -> threading.BoundedSemaphore:
        return in_flight_limit(name, self.settings.gtts_max_in_flight)

    def cooling_down(self, name: str) -> bool:
        health = self.health.read(name)
        return health is not None and health.cooling(self._clock())

    def mark_failed(self, engine: TTSEngine, reason: str) -> None:
        """Write the cool-down to the shared health file."""
        s = self.settings
        self.health.failed(engine.name, reason, self._clock(), s.gtts_cooldown_s)
        log.warning("%s unavailable, skipping it for %.0f s: %s", engine.name, s.gtts_cooldown_s, reason)

    def synthesize(
        self, engine: TTSEngine, text: str, budget: Budget, *, skippable: bool
    ) -> pydub.AudioSegment:
        """Speak `text` with `engine`, retrying transient failures; raise the last RenderError.

        `skippable`: another engine follows in the order, so a cool-down found while waiting for a
        pilot means "skip it" rather than "try anyway".
        """
        s = self.settings
        gate = self.gate(engine.name)
        attempts = max(1, s.gtts_retries)
        failed = 0
        turn = self._turn(gate, engine, budget, skippable)
        while True:
            if turn is Turn.SKIP:
                raise RenderError(engine.name, "skipped after recent failures", transient=True)
            if turn is Turn.TIMEOUT:  # a pilot is out and has not come back within our budget
                raise self._spent(engine, failed + 1)
            if turn is Turn.PILOT and failed:
                delay = s.gtts_backoff_s * 2 ** (failed - 1)
                left = budget.remaining()
                if left is not None and left <= delay:
                    gate.settle(turn, answered=False)
                    raise self._spent(engine, failed)
                log.info("%s failed, retrying in %.1f s", engine.name, delay)
                self._sleep(delay)
            try:
                segment = self._send(engine, text, budget)
            except _NoSlot:
                gate.settle(turn, answered=gate.answering if not failed else False)
                raise self._spent(engine, failed) from None
            except RenderError as exc:
                failed += 1
                if not exc.transient:
                    gate.settle(turn, answered=True)  # it answered: with a refusal of this text
                    raise
                if failed >= attempts or budget.spent():
                    self.mark_failed(engine, exc.message)
                    gate.settle(turn, answered=False)
                    raise
                if turn is Turn.FREE:
                    gate.settle(turn, answered=False)  # in doubt now: retry as (or after) a pilot
                    turn = self._turn(gate, engine, budget, skippable)
                continue
            gate.settle(turn, answered=True)
            self.health.clear(engine.name)
            return segment

    def _turn(self, gate: EngineGate, engine: TTSEngine, budget: Budget, skippable: bool) -> Turn:
        left = budget.remaining()
        if left is not None and left <= 0:
            return Turn.TIMEOUT
        return gate.turn(left, lambda: skippable and self.cooling_down(engine.name))

    def _send(self, engine: TTSEngine, text: str, budget: Budget) -> pydub.AudioSegment:
        """One request, holding one of the process-wide slots; at most the remaining budget long."""
        left = budget.remaining()
        limit = self.limit(engine.name)
        if left is None:
            limit.acquire()
        elif left <= 0 or not limit.acquire(timeout=left):
            raise _NoSlot
        try:
            budget.sending(+1)
            timeout = self.settings.gtts_timeout_s
            left = budget.remaining()
            if left is not None:
                if left <= 0:
                    raise _NoSlot
                timeout = min(timeout, left)
            return engine.synthesize(text, timeout_s=timeout)
        finally:
            budget.sending(-1)
            limit.release()

    def _spent(self, engine: TTSEngine, failed: int) -> RenderError:
        """The budget ran out; if requests had failed or timed out (`failed`), the engine cools down."""
        message = "no answer within the time budget"
        if failed:
            self.mark_failed(engine, message)
        return RenderError(engine.name, message, transient=True)


class _NoSlot(Exception):
    """The budget ran out before a request could be sent."""
