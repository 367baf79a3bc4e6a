"""What the web side reads of the process that drives the station: APScheduler's `Runtime` in the
single-process SQLite mode, or a `Fleet` member on PostgreSQL."""

from __future__ import annotations

from typing import Protocol

from loa114.scheduler.clock import Clock
from loa114.scheduler.service.station import Station


class Driver(Protocol):
    @property
    def station(self) -> Station: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def running(self) -> bool: ...

    def next_airtime(self) -> str | None: ...
