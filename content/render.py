"""Sandboxed rendering of script bodies into announcement text.

Scripts are written by clerks, not programmers, and are read aloud to the whole commune, so rendering
is strict (an undefined name or a printed ``None`` is an error, not an empty gap in a sentence) and
sandboxed (a template cannot reach Python internals). Every failure becomes a ``ScriptError`` pointing
at the line of the script file, never a traceback.
"""

from __future__ import annotations

import functools
import logging
import re
import traceback
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from jinja2 import Environment, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError

from loa114.content.context import CONTEXT_TYPES
from loa114.content.environment import (  # re-exported: scheduler and notices use the filters directly
    FILTERS,
    MAX_REPEAT,
    WEEKDAYS_VN,
    BadValue,
    date_vn,
    make_environment,
    number,
    percent,
    time_vn,
    weekday_vn,
)
from loa114.content.errors import ScriptError
from loa114.content.library import Script
from loa114.content.template_check import (
    attribute_message,
    check_body,
    fields_of,
    syntax_message,
    undefined_message,
)

__all__ = [
    "FILTERS",
    "MAX_REPEAT",
    "WEEKDAYS_VN",
    "ScriptRenderer",
    "date_vn",
    "number",
    "percent",
    "tidy",
    "time_vn",
    "weekday_vn",
]

logger = logging.getLogger(__name__)

_CACHE_SIZE = 256
_SPACES = re.compile(r"(?<=\S)[ \t]{2,}")
_UNDEFINED = re.compile(r"^'([^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"^'?(?:[\w.]+\.)?(\w+)(?: object)?'? has no attribute '([^']+)'$")
_BY_CLASS = {kind.__name__: name for name, kind in CONTEXT_TYPES.items()}


class ScriptRenderer:
    """Renders script bodies and one-off texts with the Vietnamese filters; safe to reuse."""

    def __init__(self) -> None:
        self.environment = make_environment()
        self._templates: dict[tuple[str, str], Template] = {}

    def render(self, script: Script, context: Mapping[str, object]) -> str:
        """The announcement text of ``script``; errors name the script file and its line."""
        return self._render(script.body, context, script.path, script.body_line)

    def problems(self, script: Script, contexts: Iterable[Mapping[str, object]] = ()) -> list[ScriptError]:
        """Every problem of ``script``'s body: all those found without rendering (syntax, unknown
        names, attributes, filters), then, if there are none, what rendering in each context finds."""
        found = check_body(script, self.environment)
        if found:
            return found
        seen: set[str] = set()
        for context in contexts:
            try:
                self.render(script, context)
            except ScriptError as exc:
                if str(exc) not in seen:
                    seen.add(str(exc))
                    found.append(exc)
        return found

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
            raise ScriptError(path, file_line(exc.lineno), syntax_message(exc)) from None
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


def _message(exc: Exception) -> str:
    """A render-time failure in Vietnamese, with the closest name when one was misspelt."""
    if isinstance(exc, SecurityError):
        return "mẫu dùng thao tác không được phép trong kịch bản (chỉ đọc dữ liệu và dùng bộ lọc)"
    if isinstance(exc, UndefinedError):
        text = str(exc)
        if match := _UNDEFINED.match(text):
            return undefined_message(match[1], set(CONTEXT_TYPES))
        if match := _NO_ATTRIBUTE.match(text):
            owner, attr = match[1], match[2]
            if owner in _BY_CLASS:
                fields = fields_of(CONTEXT_TYPES[_BY_CLASS[owner]]) or []
                return attribute_message(_BY_CLASS[owner], attr, fields)
            if owner == "None":
                return f"giá trị rỗng (không có ở bài này) nên không có thuộc tính `{attr}`"
            return f"giá trị không có thuộc tính `{attr}`"
        return "biểu thức dùng một tên chưa có trong dữ liệu của bài"
    if isinstance(exc, BadValue):
        return str(exc)
    if isinstance(exc, ZeroDivisionError):
        return "phép chia cho 0; hãy kiểm tra bằng {% if ... %} trước khi chia"
    if isinstance(exc, TypeError):
        return "phép tính hoặc bộ lọc dùng sai loại giá trị (ví dụ cộng chữ với số)"
    return "không dựng được nội dung ở dòng này; hãy kiểm tra biểu thức trong {{ }} và {% %}"


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
