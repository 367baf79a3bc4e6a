"""One item of a program before and after its audio: the text a script renders to, what the voice is
given, the least time it can take, and the words an operator reads when its audio cannot be made."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from loa114.audio.errors import AssemblyError, AudioError, Pause, RenderError
from loa114.audio.program import ItemSource, RenderedItem
from loa114.content.library import Script
from loa114.content.speech import SpeechSettings, normalize, split_for_tts
from loa114.scheduler.playout.manifest import ItemText
from loa114.scheduler.programs.planner import Candidate

FASTEST_SYLLABLES_PER_S = 6.0  # no voice reads Vietnamese faster: a safe lower bound of an item's length

# The same script text recurs across zones and days: normalise each distinct text once per process.
spoken_text = functools.lru_cache(maxsize=1024)(normalize)


@dataclass(frozen=True)
class Prepared:
    """An item before its audio: its text, what the voice is given, and the least time it can take."""

    candidate: Candidate
    text: ItemText
    source: ItemSource

    @property
    def least_seconds(self) -> float:
        """A lower bound of the item's length: its syllables at a fast announcer's pace, repeats
        included (a recording's length is only known once decoded: 0)."""
        if self.source.parts is None:
            return 0.0
        return len(self.text.spoken_text.split()) / FASTEST_SYLLABLES_PER_S * self.source.repeat


@dataclass(frozen=True)
class Rendered:
    candidate: Candidate
    text: ItemText
    item: RenderedItem


def speech_parts(spoken: str) -> list[str | Pause]:
    return [Pause(part) if isinstance(part, float) else part for part in split_for_tts(spoken)]


def item_source(
    script: Script, text: str, speech: SpeechSettings, *, villages: Sequence[str] = ()
) -> tuple[str, ItemSource]:
    """What the voice is given for a rendered script (its spoken text; empty for a recording), and the
    item to render: title (naming the villages it speaks about), parts or recording, repeats."""
    title = f"{script.title} — {', '.join(villages)}" if villages else script.title
    if script.audio is not None:
        return "", ItemSource(script.id, title, parts=None, recorded=script.audio, repeat=script.repeat)
    spoken = spoken_text(text, speech)
    return spoken, ItemSource(
        script.id, title, parts=speech_parts(spoken), recorded=None, repeat=script.repeat
    )


def likely_to_fit(items: Sequence[Prepared], max_seconds: float) -> list[Prepared]:
    """The items worth fetching speech for ahead: in fill order, while their least lengths add up to less
    than half again the slot (the rest would be dropped; online requests for them would be wasted)."""
    ranked = sorted(
        items, key=lambda p: (not p.candidate.script.pinned, -p.candidate.script.priority, p.least_seconds)
    )
    chosen, total = [], 0.0
    for item in ranked:
        total += item.least_seconds
        if total > 1.5 * max_seconds:
            break
        chosen.append(item)
    return chosen


def audio_problem(exc: AudioError) -> str:
    """What an operator reads when an item could not be made into sound (the log keeps the detail)."""
    if isinstance(exc, RenderError):
        temporary = " (lỗi tạm thời, sẽ thử lại ở lần dựng sau)" if exc.transient else ""
        return f"không đọc được thành tiếng bằng giọng {exc.engine}{temporary}"
    if isinstance(exc, AssemblyError) and exc.path is not None:
        return f"không xử lý được tệp âm thanh {exc.path.name} (tệp hỏng hoặc không có tiếng)"
    return "không xử lý được âm thanh của bài này"
