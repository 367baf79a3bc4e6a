"""Which village a report row means: its id or its name as a village head writes it — any case, with or
without diacritics, with or without "thôn"/"bản"/"xóm"/"khu" — or a "có phải …?" when it is none."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from loa114.content.text import fold
from loa114.scheduler.campaign.columns import CellError
from loa114.scheduler.config import Village

_VILLAGE_PREFIXES = ("thon ", "ban ", "xom ", "khu ")


def cell_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def village_index(villages: Sequence[Village]) -> dict[str, Village | None]:
    """Folded id and name -> village; None marks a name that folds like another village's (ambiguous)."""
    by_name: dict[str, list[Village]] = {}
    for village in villages:
        by_name.setdefault(fold(village.name), []).append(village)
    index: dict[str, Village | None] = {
        key: found[0] if len(found) == 1 else None for key, found in by_name.items()
    }
    index.update((fold(village.id), village) for village in villages)  # an id always wins
    return index


def match_village(
    raw: Any, index: dict[str, Village | None], villages: Sequence[Village]
) -> Village | CellError:
    text = cell_text(raw)
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if not text:
        return CellError(raw, "thiếu tên thôn")
    key = fold(text)
    keys = [key] + [key[len(p) :] for p in _VILLAGE_PREFIXES if key.startswith(p)]
    for candidate in keys:
        if candidate in index:
            found = index[candidate]
            if found is None:
                return CellError(raw, f"tên thôn {text!r} trùng với nhiều thôn khi bỏ dấu; ghi mã thôn")
            return found
    names = {fold(v.name): v.name for v in villages} | {fold(v.id): v.name for v in villages}
    close = difflib.get_close_matches(keys[-1], list(names), n=1, cutoff=0.6)
    if close:
        return CellError(raw, f"không có thôn {text!r}; có phải {names[close[0]]!r}?")
    listed = ", ".join(v.name for v in villages[:12]) + (", …" if len(villages) > 12 else "")
    return CellError(raw, f"không có thôn {text!r} (các thôn: {listed})")
