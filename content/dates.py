"""A date as the commune writes it: `31/12/2026` (or `31-12-2026`, `31.12.2026`, `1/3/2026`) or
`2026-12-31`. The one reading used for script front matter, report files and command-line options."""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date_text(text: str) -> date | None:
    """The date `text` writes, or None when it is not a real date in one of those forms."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = match[1], match[2], match[3]
    elif match := _DMY.fullmatch(text):
        day, month, year = match[1], match[2], match[3]
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:  # 31/02/2026
        return None
