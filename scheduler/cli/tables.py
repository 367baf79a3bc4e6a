"""Plain-text tables for people (a clerk reading a terminal), JSON for machines."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any


def _width(text: str) -> int:
    return sum(
        2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
        for ch in text
    )


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def minutes(seconds: float | None) -> str:
    """90.4 → "1:30" (a program's length as operators write it); empty when unknown or zero."""
    if not seconds:
        return ""
    mins, secs = divmod(int(round(seconds)), 60)
    return f"{mins}:{secs:02d}"
