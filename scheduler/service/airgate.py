"""Airtime first: a fleet process's heavy steps step aside while it airs a burst, or is about to.

One Python process airs every commune of a province. Its threads share one interpreter lock, so a step
that computes (evaluating villages, writing a report's DOCX, planning rows) slows every thread that is
publishing at 05:30: measured on 65 communes, the folders of a morning were published up to 5.5 s late
while the evaluation wrote its reports. The steps that loop over communes therefore ask the gate between
two communes; it holds them from a few seconds before a known airtime until this process's airing jobs
have published (at most `HOLD_MAX_S`, so a stuck airing cannot stop the rest of the service).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

log = logging.getLogger(__name__)
# held this long before an airtime (a step for one commune takes about a second)
BEFORE = timedelta(seconds=3)
AFTER = timedelta(seconds=2)  # and after it, until this process's airing job has started
HOLD_MAX_S = 15.0  # never held longer than this at once
REFRESH_S = 60.0  # the next airtime is looked up again this often


class AirGate:
    """`airing()` around an airing job; `wait_clear()` between the communes of a heavy step.

    `next_airtime(now)`: the next moment any commune airs at or after `now` (None: none known)."""

    def __init__(self, clock: Callable[[], datetime], next_airtime: Callable[[datetime], datetime | None]):
        self._clock = clock
        self._next_airtime = next_airtime
        self._cond = threading.Condition()
        self._airing = 0
        self._upcoming: datetime | None = None
        self._looked_up = -REFRESH_S

    @contextmanager
    def airing(self) -> Iterator[None]:
        with self._cond:
            self._airing += 1
        try:
            yield
        finally:
            with self._cond:
                self._airing -= 1
                self._cond.notify_all()

    def near(self, now: datetime) -> bool:
        """An airtime is within `BEFORE` ahead, or `AFTER` behind."""
        upcoming = self._upcoming
        if upcoming is None or upcoming + AFTER < now or time.monotonic() - self._looked_up > REFRESH_S:
            upcoming = self._upcoming = self._next_airtime(now - AFTER)
            self._looked_up = time.monotonic()
        return upcoming is not None and upcoming - BEFORE <= now <= upcoming + AFTER

    def wait_clear(self, stopping: Callable[[], bool] = lambda: False) -> float:
        """Return once nothing airs here and no airtime is near (or after `HOLD_MAX_S`); the seconds held."""
        started = time.monotonic()
        deadline = started + HOLD_MAX_S
        with self._cond:
            while not stopping() and time.monotonic() < deadline:
                if self._airing == 0 and not self.near(self._clock()):
                    break
                self._cond.wait(0.1)
        held = time.monotonic() - started
        if held > 0.5:
            log.info("step held for airtime seconds=%.1f", held)
        return held
