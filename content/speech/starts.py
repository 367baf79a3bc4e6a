"""Where rule families can begin, so that a pass tries its pattern only there.

A pattern that opens with a lookahead ("(?=[0-9])(?<![0-9.,])…") is attempted by the regex engine at
every character of the text, and a script of a few thousand characters meets about thirty such
passes. A start regex opens with a character class instead, which the engine skips to without
attempting anything, and then checks what it cheaply can about the neighbours; `Session.run` tries
the pass's own pattern only at those characters, and at the run of `lead` characters right before
each (a bracket or bullet is found, the spaces before it are where the match begins). The starts of
a pattern must include every position where it can match (tests/test_speech_starts.py checks each
one against its pattern); more positions only cost time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Starts:
    """A regex matching one character at each start, and the characters a match may also begin
    with in a run right before a start."""

    regex: re.Pattern[str]
    lead: str = ""

    def positions(self, text: str) -> list[int]:
        """The starts in `text`, in order."""
        if not self.lead:
            return [m.start() for m in self.regex.finditer(text)]
        positions: list[int] = []
        for m in self.regex.finditer(text):
            end = m.start()
            begin = end
            floor = positions[-1] + 1 if positions else 0
            while begin > floor and text[begin - 1] in self.lead:
                begin -= 1
            positions.extend(range(begin, end + 1))
        return positions


def starts(
    first: str, before: str | None = None, at: str | None = None, lead: str = "", flags: int = 0
) -> Starts:
    """Starts at one character of the class `first` (written as inside [...]), not right after a
    character matching `before`, where `at` matches (from that character on)."""
    body = f"[{first}]"
    if before is not None:
        body += f"(?<!(?:{before})(?s:.))"
    if at is not None:
        body += f"(?<=(?=(?:{at}))(?s:.))"
    return Starts(re.compile(body, flags), lead)


def starts_of(pattern: re.Pattern[str], first: str, lead: str = "") -> Starts:
    """Exactly where `pattern`, whose matches begin with a character of the class `first`, can
    match: such a character wherever `pattern` matches from it (and the `lead` before it)."""
    return starts(first, at=pattern.pattern, lead=lead, flags=pattern.flags)


# A digit that does not follow a digit or a dot: where a date, time, phone number, fraction, range or
# sequence can begin (each of those patterns refuses to start right after a digit or a dot).
DIGIT = starts("0-9", before="[0-9.]")
