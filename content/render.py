"""Sandboxed rendering of script bodies into announcement text.

Scripts are written by clerks, not programmers, and are read aloud to the whole commune, so rendering
is strict (an undefined name or a printed ``None`` is an error, not an empty gap in a sentence) and
sandboxed (a template cannot reach Python internals). Every failure becomes a ``ScriptError`` pointing
at the line of the script file, never a traceback.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import traceback
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from content.errors import ScriptError
from content.library import Script

logger = logging.getLogger(__name__)

WEEKDAYS_VN = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")
MAX_REPEAT = 10_000  # largest sequence repetition / exponent a template may compute
_CACHE_SIZE = 256
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
_UNCLOSED = re.compile(r"innermost block that needs to be closed is '(\w+)'")
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(\w+)'")
_NO_ATTRIBUTE = re.compile(r"^(.*) has no attribute '([^']+)'$")


class _BadValue(ValueError):
    """A filter or printed value a clerk must fix; its message is already Vietnamese."""


def _real(value: object, filter_name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _BadValue(f"bộ lọc {filter_name} cần một con số, nhận được {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise _BadValue(f"bộ lọc {filter_name} nhận giá trị không phải số ({value})")
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
        raise _BadValue(f"bộ lọc date_vn cần một ngày, nhận được {value!r}")
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def weekday_vn(value: object) -> str:
    """date → "thứ hai" … "chủ nhật"."""
    if not isinstance(value, date):
        raise _BadValue(f"bộ lọc weekday_vn cần một ngày, nhận được {value!r}")
    return WEEKDAYS_VN[value.weekday()]


def time_vn(value: object) -> str:
    """datetime or time → "14 giờ 20 phút" (as read on air; no ambiguous "14:20")."""
    if not isinstance(value, datetime | time):
        raise _BadValue(f"bộ lọc time_vn cần một thời điểm, nhận được {value!r}")
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
        raise _BadValue("biểu thức cho giá trị rỗng (None); hãy kiểm tra bằng {% if ... %} trước khi đọc")
    if isinstance(value, float) and not math.isfinite(value):
        raise _BadValue(f"biểu thức cho giá trị không phải số ({value})")
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


class ScriptRenderer:
    """Renders script bodies and one-off texts with the Vietnamese filters; safe to reuse."""

    def __init__(self) -> None:
        self.environment = _Environment(
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=_finalize,
        )
        self.environment.filters.update(FILTERS)
        self._templates: dict[tuple[str, str], Template] = {}

    def render(self, script: Script, context: Mapping[str, object]) -> str:
        """The announcement text of ``script``; errors name the script file and its line."""
        return self._render(script.body, context, script.path, script.body_line)

    def render_text(self, source: str, context: Mapping[str, object], *, name: str = "<text>") -> str:
        """Render a one-off text (e.g. the operator's urgent alert message) with the same rules."""
        return self._render(source, context, Path(name), 1)

    def _render(self, source: str, context: Mapping[str, object], path: Path, first_line: int) -> str:
        def file_line(template_line: int | None) -> int | None:
            return None if template_line is None else first_line + template_line - 1

        token = f"<script {path}>"
        try:
            template = self._template(source, token)
        except TemplateSyntaxError as exc:
            raise ScriptError(path, file_line(exc.lineno), _syntax_message(exc)) from None
        try:
            text = template.render(dict(context))
        except Exception as exc:  # any failure of a clerk's template is reported, never a traceback
            line = file_line(_template_line(exc, token))
            logger.debug("render of %s failed at line %s: %r", path, line, exc)
            raise ScriptError(path, line, _message(exc)) from None
        return tidy(text)

    def _template(self, source: str, token: str) -> Template:
        key = (token, source)
        template = self._templates.get(key)
        if template is None:
            code = self.environment.compile(source, name=token, filename=token)
            template = self.environment.template_class.from_code(
                self.environment, code, self.environment.make_globals(None)
            )
            if len(self._templates) >= _CACHE_SIZE:
                self._templates.pop(next(iter(self._templates)))
            self._templates[key] = template
        return template


def _template_line(exc: BaseException, token: str) -> int | None:
    """The innermost template line in the (Jinja-rewritten) traceback."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == token]
    return lines[-1] if lines else getattr(exc, "lineno", None)


def _syntax_message(exc: TemplateSyntaxError) -> str:
    detail = exc.message or ""
    if match := _UNCLOSED.search(detail):
        return f"lỗi cú pháp trong mẫu: khối '{match[1]}' chưa được đóng (thiếu {{% end{match[1]} %}})"
    if match := _UNKNOWN_TAG.search(detail):
        return f"lỗi cú pháp trong mẫu: thẻ không hợp lệ '{match[1]}'"
    return f"lỗi cú pháp trong mẫu: {detail}"


def _message(exc: Exception) -> str:
    if isinstance(exc, SecurityError):
        return f"mẫu dùng thao tác không được phép trong kịch bản ({exc})"
    if isinstance(exc, UndefinedError):
        text = str(exc)
        if match := _UNDEFINED.match(text):
            return f"biến chưa được định nghĩa: '{match[1]}'"
        if match := _NO_ATTRIBUTE.match(text):
            return f"không có thuộc tính '{match[2]}' (trong {match[1]})"
        return f"biến chưa được định nghĩa: {text}"
    if isinstance(exc, _BadValue):
        return str(exc)
    return f"lỗi khi dựng nội dung: {type(exc).__name__}: {exc}"


def tidy(text: str) -> str:
    """Strip trailing spaces, collapse inner runs of spaces and of blank lines, normalise to NFC."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw.rstrip())
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return unicodedata.normalize("NFC", "\n".join(lines))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def names_used(body: str) -> frozenset[str]:
    """The context names a template body reads (``village``, ``villages``…); empty when it does not parse
    (the render reports that error with its line)."""
    try:
        return frozenset(meta.find_undeclared_variables(_PARSER.parse(body)))
    except TemplateSyntaxError:
        return frozenset()


_PARSER = Environment(trim_blocks=True, lstrip_blocks=True)
