"""The TTS engine seam: text in, mono speech out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import pydub


class TTSEngine(ABC):
    """One voice. `online` engines need the network and are preferred; offline ones are the fallback.

    `synthesize` gets one chunk of at most ~100 characters and raises `RenderError` on failure,
    with `transient=True` when trying again later (or another engine now) may help. Online engines
    must be safe to call from several threads at once (the speaker sends chunks concurrently).
    """

    name: str
    voice: str
    online: bool

    def cache_identity(self) -> str:
        """Everything about this engine that changes its audio; part of the speech cache key."""
        return f"{self.name}/{self.voice}"

    @abstractmethod
    def synthesize(self, text: str, *, timeout_s: float | None = None) -> pydub.AudioSegment:
        """Speak `text`; raise RenderError if this engine cannot.

        `timeout_s` bounds each network wait of an online engine (a time budget may shorten the
        configured one); offline engines ignore it.
        """
