"""The one clock of the service.

Domain code never reads the wall clock: it is handed `now` (an aware UTC datetime). Entry points build a
`Clock` once — the system clock, or one shifted to the `--now` given on the command line for rehearsals —
and pass readings down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """The real wall clock, aware UTC. The only place in the code base that reads it."""
    return datetime.now(UTC)


def file_time() -> float:
    """The wall clock as file systems stamp files (seconds since the epoch), to compare with mtimes.

    Not the service's (possibly rehearsed) `now`: file ages are real ages.
    """
    return utcnow().timestamp()


def ensure_aware(value: datetime, tz: ZoneInfo | None = None) -> datetime:
    """Attach `tz` (default UTC) to a naive datetime; convert an aware one to UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz or UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """Wall clock shifted by `offset`; `frozen_at` pins it (one-shot commands acting `--now`)."""

    offset: timedelta = timedelta(0)
    frozen_at: datetime | None = None

    @classmethod
    def system(cls) -> Clock:
        return cls()

    @classmethod
    def starting_at(cls, at: datetime) -> Clock:
        """A running clock that reads `at` now and advances in real time (for `loa serve --now`)."""
        return cls(offset=ensure_aware(at) - utcnow())

    @classmethod
    def fixed(cls, at: datetime) -> Clock:
        return cls(frozen_at=ensure_aware(at))

    def now(self) -> datetime:
        if self.frozen_at is not None:
            return self.frozen_at
        return utcnow() + self.offset

    def to_real(self, moment: datetime) -> datetime:
        """The real (wall clock) instant at which this clock will read `moment`."""
        return ensure_aware(moment) - self.offset


def parse_moment(text: str, tz: ZoneInfo) -> datetime:
    """Parse an ISO-8601 `--now`; without an offset it is read in the commune's timezone."""
    value = datetime.fromisoformat(text.strip())
    return ensure_aware(value, tz)
