"""The Jinja environment of scripts and notices: the sandbox and the Vietnamese filters.

Shared by the renderer (which runs templates) and the static checker (which needs the same filter
and test names to tell a clerk that `phantram` is no filter and `percent` is).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

WEEKDAYS_VN = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")
MAX_REPEAT = 10_000  # largest sequence repetition / exponent a template may compute


class BadValue(ValueError):
    """A filter or printed value a clerk must fix; its message is already Vietnamese."""


def _real(value: object, filter_name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise BadValue(f"bộ lọc {filter_name} cần một con số, nhận được {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(f"bộ lọc {filter_name} nhận giá trị không phải số ({value})")
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _vn_decimal(value: Decimal, places: int) -> str:
    """Thousands with dots, decimals with a comma, no trailing zeros: 1250.5 → "1.250,5"."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", ".")
    frac = frac.rstrip("0")
    return f"{whole},{frac}" if frac else whole


def percent(value: object, places: int = 1) -> str:
    """0.853 → "85,3%", 1.0 → "100%"."""
    return _vn_decimal(_real(value, "percent") * 100, places) + "%"


def number(value: object, places: int = 2) -> str:
    """1250 → "1.250" (Vietnamese thousands separator)."""
    return _vn_decimal(_real(value, "number"), places)


def date_vn(value: object) -> str:
    """date → "29/11/2026"."""
    if not isinstance(value, date):
        raise BadValue(f"bộ lọc date_vn cần một ngày, nhận được {value!r}")
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def weekday_vn(value: object) -> str:
    """date → "thứ hai" … "chủ nhật"."""
    if not isinstance(value, date):
        raise BadValue(f"bộ lọc weekday_vn cần một ngày, nhận được {value!r}")
    return WEEKDAYS_VN[value.weekday()]


def time_vn(value: object) -> str:
    """datetime or time → "14 giờ 20 phút" (as read on air; no ambiguous "14:20")."""
    if not isinstance(value, datetime | time):
        raise BadValue(f"bộ lọc time_vn cần một thời điểm, nhận được {value!r}")
    return f"{value.hour} giờ {value.minute} phút" if value.minute else f"{value.hour} giờ"


FILTERS: dict[str, Callable[..., str]] = {
    "percent": percent,
    "number": number,
    "date_vn": date_vn,
    "weekday_vn": weekday_vn,
    "time_vn": time_vn,
}


def _finalize(value: object) -> object:
    """A printed None or NaN would be read aloud as "None"/"nan": refuse it at the template line."""
    if value is None:
        raise BadValue("biểu thức cho giá trị rỗng (None); hãy kiểm tra bằng {% if ... %} trước khi đọc")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue(f"biểu thức cho giá trị không phải số ({value})")
    return value


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, read-only towards the context, and bounded against runaway ``'x' * 10**9``."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("exponent too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and count > MAX_REPEAT:
                    raise SecurityError("sequence repetition too large")
        return super().call_binop(context, operator, left, right)


def make_environment() -> _Environment:
    """A fresh sandboxed environment with the Vietnamese filters (strict about undefined names)."""
    environment = _Environment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    environment.filters.update(FILTERS)
    return environment
