"""Admission of online TTS requests: how many at once, and who goes first when the engine is in doubt.

`in_flight_limit` is a process-wide semaphore per engine: every thread that calls any `Speaker`
shares it, so the scheduler rendering several items or zones side by side never has more than
`gtts_max_in_flight` requests out to Google.

`EngineGate` is a small circuit breaker. While the engine answers, requests go out together. While
it is in doubt (at start, or after a request failed) one request at a time — the pilot — is sent,
with its retries and backoff, and the others wait for its outcome: answered → they all go; failed
for good → the engine is cooling down and they fall back to the next engine. So an outage costs
the same requests and backoff as speaking the chunks one after another, not one retry series per
chunk in flight.

`KeyFlights` makes threads that want the same cache entry at the same moment wait for the first
one instead of asking the engine twice.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable

_LIMITS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_LIMITS_LOCK = threading.Lock()


def in_flight_limit(engine: str, limit: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore of `engine` (one per distinct limit, in practice one per engine)."""
    key = (engine, max(1, limit))
    with _LIMITS_LOCK:
        semaphore = _LIMITS.get(key)
        if semaphore is None:
            semaphore = _LIMITS[key] = threading.BoundedSemaphore(key[1])
        return semaphore


class Turn(enum.Enum):
    FREE = "free"  # the engine answers: send
    PILOT = "pilot"  # the engine is in doubt and this request finds out; settle() when done
    SKIP = "skip"  # a pilot failed while we waited: the engine is cooling down
    TIMEOUT = "timeout"  # the caller's time budget ran out while waiting


class EngineGate:
    """Lets requests out all together while the engine answers, one pilot at a time otherwise."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._answering = False
        self._pilot = False

    @property
    def answering(self) -> bool:
        return self._answering

    def turn(self, timeout: float | None, give_up: Callable[[], bool]) -> Turn:
        """Wait for the right to send. `give_up()`: is the engine cooling down (after a pilot failed)?"""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                if self._answering:
                    return Turn.FREE
                if give_up():  # e.g. a request that failed after the pilot had given up
                    return Turn.SKIP
                if not self._pilot:
                    self._pilot = True
                    return Turn.PILOT
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return Turn.TIMEOUT
                self._cond.wait(remaining)

    def settle(self, turn: Turn, answered: bool) -> None:
        """Report a request's outcome: `answered` (audio, or a refusal) or not (unreachable, timeout)."""
        with self._cond:
            self._answering = answered
            if turn is Turn.PILOT:
                self._pilot = False
            self._cond.notify_all()

    def reset(self, answering: bool) -> None:
        """Set the state from outside (a probe answered, or the engine was found cooling down)."""
        with self._cond:
            self._answering = answering
            self._cond.notify_all()


class KeyFlights:
    """Cache keys being synthesised right now, so that concurrent callers ask the engine once."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._held: set[str] = set()

    def claim(self, key: str, timeout: float | None) -> bool | None:
        """Hold `key`: False at once, True after waiting for another holder, None on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        waited = False
        with self._cond:
            while key in self._held:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return None
                self._cond.wait(left)
                waited = True
            self._held.add(key)
        return waited

    def release(self, key: str) -> None:
        with self._cond:
            self._held.discard(key)
            self._cond.notify_all()
