"""Slot ids as clerks write them: "sáng" for the configured "sang", "Chiều" for "chieu".

`content` does not know the configured slot ids, so a script keeps whatever text its front matter
gives; the scheduler matches it against config with `match_slot` and warns when the match needed
folding (a wrong id is a warning to fix, not a reason to keep an announcement off the air).
"""

from __future__ import annotations

from collections.abc import Collection

from loa114.content.text import fold


def match_slot(written: str, known: Collection[str]) -> str | None:
    """The configured slot id that `written` names, or None.

    An exact id wins; otherwise the one id equal to it once case and diacritics are ignored
    ("sáng" → "sang"). Two ids that fold alike ("sang", "Sang") make a folded match ambiguous: None.
    """
    if written in known:
        return written
    target = fold(written)
    found = [slot for slot in known if fold(slot) == target]
    return found[0] if len(found) == 1 else None
