"""The rewrite machinery: regex passes over the whole text, masks, and the record behind `explain`.

Each rule family is one compiled regex and a handler that looks at a match (and a little context)
and returns the spoken words and the rule id, or None to leave the match alone. A family may also
say where its matches can begin (`Pass.starts`): the pass then tries its regex only there instead
of at every position of the text, which is most of the cost of a pass. Text that must never be
touched again — protected names, pause marks — is swapped for a private-use placeholder
until the end. When recording, every pass also keeps its edits so that a rewrite found late (say a
glossary word) can be mapped back to its place in the input and `explain` lists tokens in reading
order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from loa114.content.speech.starts import Starts

Hit = tuple[str, str]  # (spoken text, rule id)
Handler = Callable[[re.Match[str]], Hit | None]


class Pass(NamedTuple):
    """One rule family: its regex, its handler and, optionally, where its matches can begin (every
    position where `pattern` can match, and perhaps others). `pattern` must never match the empty
    string when `starts` is given."""

    pattern: re.Pattern[str]
    handler: Handler
    starts: Starts | None = None


_MARK = "\uf8ff"
_BASE = 0xE000
_RADIX = 4096
PLACEHOLDER = re.compile(_MARK + "[\ue000-\uefff]{2}")
# Characters nobody can speak, plus our placeholder range: dropped from input before anything else.
UNSPEAKABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ue000-\uf8ff\ud800-\udfff]")  # fmt: skip


@dataclass(frozen=True)
class Rewrite:
    """One token read differently from how it is written, and the rule that decided it."""

    original: str
    spoken: str
    rule: str


@dataclass
class _Edits:
    """Edits of one pass, ordered: where each replaced span was and where its output now is."""

    old_start: list[int]
    old_end: list[int]
    new_start: list[int]
    new_end: list[int]

    def to_input(self, pos: int) -> int:
        i = bisect_right(self.new_start, pos) - 1
        if i < 0:
            return pos
        if pos < self.new_end[i]:
            return self.old_start[i]
        return self.old_end[i] + (pos - self.new_end[i])


class Session:
    """The state of one normalisation: masked spans, and (if recording) edits and rewrites."""

    def __init__(self, record: bool = False) -> None:
        self.record = record
        self._masked: list[str] = []
        self._passes: list[_Edits] = []
        self._found: list[tuple[int, int, Rewrite]] = []
        self._starts: dict[Starts, tuple[str, list[int]]] = {}

    def mask(self, spoken: str) -> str:
        """Park `spoken` behind a placeholder that no later rule can match."""
        index = len(self._masked)
        self._masked.append(spoken)
        return _MARK + chr(_BASE + index // _RADIX) + chr(_BASE + index % _RADIX)

    def unmask(self, text: str) -> str:
        if not self._masked or _MARK not in text:
            return text
        return PLACEHOLDER.sub(
            lambda m: self._masked[(ord(m[0][1]) - _BASE) * _RADIX + ord(m[0][2]) - _BASE], text
        )

    def run(self, text: str, rule: Pass, masked: bool = False) -> str:
        """Apply one rule family; with `masked`, outputs are parked behind placeholders."""
        pattern, handler, starts = rule
        if self.record:
            return self._run_recorded(text, pattern, handler, masked)

        def replace(m: re.Match[str]) -> str:
            hit = handler(m)
            if hit is None:
                return m.group(0)
            return self.mask(hit[0]) if masked else hit[0]

        if starts is None:
            return pattern.sub(replace, text)
        # The same result as pattern.sub: leftmost matches, each search going on where the last ended,
        # but the regex is only tried where a match can begin.
        parts: list[str] = []
        last = 0
        for pos in self._positions(text, starts):
            if pos < last:
                continue
            m = pattern.match(text, pos)
            if m is not None:
                parts += (text[last:pos], replace(m))
                last = m.end()
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)

    def _positions(self, text: str, starts: Starts) -> list[int]:
        """The starts in `text`, kept while passes leave the text as it was: several families begin
        at the same characters (digits)."""
        cached = self._starts.get(starts)
        if cached is not None and cached[0] == text:
            return cached[1]
        positions = starts.positions(text)
        self._starts[starts] = (text, positions)
        return positions

    def _run_recorded(self, text: str, pattern: re.Pattern[str], handler: Handler, masked: bool) -> str:
        index = len(self._passes)
        edits = _Edits([], [], [], [])
        parts: list[str] = []
        last = 0
        length = 0
        for m in pattern.finditer(text):
            hit = handler(m)
            if hit is None:
                continue
            spoken, rule = hit
            out = self.mask(spoken) if masked else spoken
            if out == m.group(0):
                continue
            parts.append(text[last : m.start()])
            length += m.start() - last
            edits.old_start.append(m.start())
            edits.old_end.append(m.end())
            edits.new_start.append(length)
            parts.append(out)
            length += len(out)
            edits.new_end.append(length)
            last = m.end()
            if rule and spoken != m.group(0):
                self._found.append(
                    (index, m.start(), Rewrite(self.unmask(m.group(0)), self.unmask(spoken), rule))
                )
        self._passes.append(edits)
        parts.append(text[last:])
        return "".join(parts)

    def rewrites(self) -> list[Rewrite]:
        """Recorded rewrites in the order they occur in the input."""
        placed = []
        for order, (index, pos, rewrite) in enumerate(self._found):
            for edits in reversed(self._passes[:index]):
                pos = edits.to_input(pos)
            placed.append((pos, order, rewrite))
        placed.sort(key=lambda item: (item[0], item[1]))
        return [rewrite for _, _, rewrite in placed]
