"""Exceptions of the audio package.

The tree::

    AudioError                  base of everything raised on purpose here
    ├── RenderError             a TTS engine could not speak (engine, transient, message);
    │                           transient → try another engine now, or the same one later
    └── AssemblyError           building or reading audio failed (message, path or None):
                                an undecodable recorded file, an empty program, an ffmpeg failure

Each carries the data a caller needs to write one clear line for the operator or to record the
failure on the broadcast row, instead of parsing the message. `Pause` and `SpeechParts`, the
speech input type shared by every renderer, live here too so that callers import one module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class AudioError(Exception):
    """Base of the audio package's exceptions."""


class RenderError(AudioError):
    """An engine failed to speak a text."""

    def __init__(self, engine: str, message: str, *, transient: bool) -> None:
        super().__init__(f"{engine}: {message}")
        self.engine = engine
        self.message = message
        self.transient = transient


class AssemblyError(AudioError):
    """Audio could not be decoded, processed or assembled."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{message}: {path}" if path is not None else message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Pause:
    """A silence of `seconds` inside speech parts (e.g. between paragraphs)."""

    seconds: float


SpeechParts = Sequence[str | Pause]
"""Text chunks (each at most 100 characters, cut at sentence or comma boundaries) and pauses."""
