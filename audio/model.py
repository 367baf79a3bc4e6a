"""Data passed between program rendering, export and the scheduler (re-exported by audio.program)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pydub

from loa114.audio.errors import SpeechParts


@dataclass(frozen=True)
class ItemSource:
    """One announcement to render: spoken text parts, or a file recorded by a person."""

    script_id: str
    title: str
    parts: SpeechParts | None  # spoken text chunks, or None for a recorded item
    recorded: Path | None  # MP3/WAV recorded by a person (processed like speech)
    repeat: int = 1


@dataclass(frozen=True)
class RenderedItem:
    """One item ready to place in a program: chime + announcement (+ repeat phrase + announcement)…

    It holds no audio: the samples are read from the render cache on demand (`pcm`, `segment`).
    The planner needs only the duration, a program whose item MP3s are cached never needs the
    samples, and a scheduler may keep every candidate item of a program while it chooses.
    """

    script_id: str
    title: str
    engine: str  # "gtts" | "offline" | "recorded"
    offline: bool  # spoken offline although gTTS was wanted: re-render when the network returns
    duration_s: float
    key: str  # sha256 of the processed audio (and its format): identifies the item MP3 too
    request_key: str  # the item-index key of (text, engines, settings): see ProgramBuilder.cache_paths
    sample_rate: int
    load: Callable[[], np.ndarray] = field(repr=False, compare=False)  # int16 mono samples

    def pcm(self) -> np.ndarray:
        """Loudness-normalised, peak-limited mono int16 samples."""
        return self.load()

    @property
    def segment(self) -> pydub.AudioSegment:
        """The samples as a pydub segment."""
        return pydub.AudioSegment(
            data=self.pcm().tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1
        )


@dataclass(frozen=True)
class ItemFile:
    script_id: str
    title: str
    engine: str
    offline: bool
    duration_s: float
    file: str  # relative to the program folder, "items/01-<script_id>.mp3"
    sha256: str


@dataclass(frozen=True)
class BuiltProgram:
    duration_s: float
    loudness_lufs: float  # BS.1770 of the decoded program.mp3, from its parts (audio.measurement)
    true_peak_dbtp: float  # 4×-oversampled, of the decoded program.mp3, likewise
    items: list[ItemFile]
    file: str  # "program.mp3"


@dataclass(frozen=True)
class ProgramTags:
    """ID3 tags of program.mp3 and its item files."""

    title: str
    date: date
    album: str
    artist: str  # e.g. "Loa 114 — Lợi Bác"
