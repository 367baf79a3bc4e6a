"""What a delivery channel is: a message, the one method a channel implements, and how it fails.

Exceptions::

    LoaError (scheduler.errors)
    └── DeliveryError    one target could not take one message; carries .target (safe to show,
                         secrets masked), .message (Vietnamese, for the outbox row and the UI) and
                         .permanent: True when retrying cannot help (an URL Apprise cannot parse, a
                         notice that cannot be named), False for everything that may pass later
                         (network down, server refused, disk full)

The outbox (not the channel) decides what to do with a failure: retry a transient one with backoff,
park a permanent one for a person to fix. A channel therefore never retries and never swallows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from loa114.scheduler.errors import LoaError


@dataclass(frozen=True)
class Message:
    """One rendered notice as the outbox hands it to a channel."""

    notice_id: int
    kind: str
    village_id: str
    village_name: str
    day: date
    title: str
    body: str
    attachments: tuple[Path, ...] = ()  # files that go with it (a report's DOCX and XLSX)


class DeliveryError(LoaError):
    """A delivery that failed; ``permanent`` tells the outbox whether a retry is worth it."""

    def __init__(self, target: str, message: str, *, permanent: bool = False) -> None:
        self.target = target
        self.message = message
        self.permanent = permanent
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.target}: {self.message}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.target, self.message, self.permanent))


def _rebuild(target: str, message: str, permanent: bool) -> DeliveryError:
    return DeliveryError(target, message, permanent=permanent)


class Notifier(ABC):
    """A delivery channel. ``send`` either delivers or raises ``DeliveryError``; nothing in between."""

    name: str

    @abstractmethod
    def send(self, target: str, message: Message) -> str | None:
        """Deliver ``message`` to ``target``; return a short detail for the log (never a secret)."""
