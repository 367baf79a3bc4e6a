"""Playout adapters publish a ready program at airtime. Each is a seam tests can replace."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


@dataclass(frozen=True)
class Airing:
    """What an adapter needs to publish one program."""

    folder: Path  # <playout.dir>/<date>/<slot>/<zone>
    day: date
    slot: str
    zone: str
    airtime: datetime
    aired_at: datetime  # in the commune's timezone (it is written into the manifest)

    @property
    def program(self) -> Path:
        return self.folder / "program.mp3"


class PlayoutAdapter(ABC):
    """`plays`: the adapter itself plays the program (a player command), so success means it aired;
    an adapter that only publishes (the folder) leaves it `published`, awaiting confirmation."""

    name: str
    plays: bool = False

    @abstractmethod
    def publish(self, airing: Airing) -> str | None:
        """Publish the program; return a short detail for the as-run log. Raises PlayoutError."""

    def start(self) -> None:  # noqa: B027 (an optional hook)
        """The service starts: begin any background work (e.g. silence on the Icecast mounts)."""

    def close(self) -> None:  # noqa: B027 (an optional hook)
        """The service stops: end background work and anything still publishing."""
