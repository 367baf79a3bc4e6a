"""What is wrong with a script body, found without running it, and Jinja's errors in Vietnamese.

Rendering stops at the first fault, so a clerk who misspells three names learns of them in three
runs. Walking the template's syntax tree finds them all at once: names that no context provides
(with the closest one that exists: "có phải `commune`?"), attributes that the context's values do not
have ("có phải `commune.name`?" — the fields come from `content.context`), filters and tests that do
not exist (with the list of those that do). Messages never show Python or Jinja English.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import date, datetime, time

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from loa114.content.context import CONTEXT_TYPES, context_names
from loa114.content.environment import FILTERS, make_environment
from loa114.content.errors import ScriptError
from loa114.content.front_matter import hint
from loa114.content.library import Script
from loa114.content.text import fold

# Names Jinja itself provides to a template.
JINJA_NAMES = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "caller"})
JINJA_NAMES |= {"varargs", "kwargs", "self", "super", "true", "false", "none", "True", "False", "None"}
_TAGS = ["if", "elif", "else", "endif", "for", "endfor", "set", "endset", "macro", "endmacro", "filter"]
_ENV = make_environment()

_SYNTAX = (
    (re.compile(r"innermost block that needs to be closed is '(\w+)'"), "khối `{0}` chưa được đóng (thiếu {{% end{0} %}})"),
    (re.compile(r"Encountered unknown tag 'end(\w+)'"), "thẻ đóng `{{% end{0} %}}` không khớp với khối nào đang mở"),
    (re.compile(r"Encountered unknown tag '(\w+)'"), "không có thẻ `{{% {0} %}}`"),
    (re.compile(r"No filter named '([^']+)'"), "không có bộ lọc '{0}'"),
    (re.compile(r"No test named '([^']+)'"), "không có phép thử '{0}'"),
    (re.compile(r"unexpected end of template|unexpected 'end of template'", re.I), "mẫu kết thúc khi biểu thức chưa xong (thiếu }} hoặc %})"),
    (re.compile(r"expected token 'end of print statement'"), "biểu thức trong {{{{ }}}} chưa đúng: thiếu }} hoặc thiếu dấu chấm, dấu | giữa hai tên"),
    (re.compile(r"expected token 'end of statement block'"), "thẻ {{% %}} chưa đúng: thiếu %} hoặc viết thừa chữ"),
    (re.compile(r"tag name expected"), "sau {{% phải là tên thẻ, ví dụ {{% if coverage.reported %}}"),
    (re.compile(r"expected name or number"), "sau dấu chấm phải là tên thuộc tính, ví dụ commune.name"),
    (re.compile(r"unexpected char '(.)'"), "ký tự `{0}` không dùng được trong biểu thức"),
    (re.compile(r"unexpected '([^']+)'"), "ký tự hoặc từ `{0}` đặt sai chỗ"),
)  # fmt: skip


def syntax_message(exc: TemplateSyntaxError) -> str:
    """Jinja's syntax error as a Vietnamese sentence with what to do."""
    detail = exc.message or ""
    for pattern, message in _SYNTAX:
        if match := pattern.search(detail):
            text = message.format(*match.groups())
            if "thẻ `{%" in text and (name := match.group(1)) and not name.startswith("end"):
                text += hint(name, _TAGS, "có phải `{{% {} %}}`?")
            if text.startswith("không có bộ lọc"):
                text += filter_hint(match.group(1))
            return f"lỗi cú pháp trong mẫu: {text}"
    return "lỗi cú pháp trong mẫu: hãy kiểm tra các dấu {{ }}, {% %} và | ở dòng này"


def _with_hint(message: str, close: str, listing: str) -> str:
    """ "không có bộ lọc `phantram`; có phải `percent`? (các bộ lọc: …)"."""
    return f"{message};{close} ({listing})" if close else f"{message} ({listing})"


# Filters a clerk may name in Vietnamese ("phantram" for `percent`).
_VIETNAMESE_FILTERS = {
    "phantram": "percent", "phan_tram": "percent", "tyle": "percent", "ty_le": "percent", "so": "number",
    "con_so": "number", "ngay": "date_vn", "ngay_vn": "date_vn", "thu": "weekday_vn", "thu_vn": "weekday_vn",
    "gio": "time_vn", "gio_vn": "time_vn",
}  # fmt: skip


def filter_hint(name: str) -> str:
    """ "; có phải `percent`? (các bộ lọc: percent, number, date_vn, weekday_vn, time_vn)"."""
    alias = _VIETNAMESE_FILTERS.get(fold(name))
    close = f" có phải `{alias}`?" if alias else hint(name, list(_ENV.filters))
    return _with_hint("", close, f"các bộ lọc: {', '.join(FILTERS)}")


def undefined_message(name: str, available: frozenset[str] | set[str]) -> str:
    if name in CONTEXT_TYPES:
        where = "bài có audience: village" if name == "village" else "bài khẩn (urgent: true)"
        return f"biến `{name}` chỉ có trong {where}"
    known = sorted(available)
    return _with_hint(f"chưa có biến '{name}'", hint(name, known), f"các biến có: {', '.join(known)}")


def attribute_message(owner: str, attr: str, fields: list[str]) -> str:
    close = hint(attr, fields, "có phải `" + owner + ".{}`?")
    return _with_hint(f"`{owner}` không có thuộc tính '{attr}'", close, f"có: {', '.join(fields)}")


def fields_of(kind: type) -> list[str] | None:
    """The attribute names a template may read on a context value, or None if not checked."""
    if dataclasses.is_dataclass(kind):
        return [f.name for f in dataclasses.fields(kind)]
    if kind in (date, datetime, time):
        return sorted(n for n in dir(kind) if not n.startswith("_"))
    return None


def _unwrap(kind: object) -> type | None:
    """ "SlotInfo | None" → SlotInfo; anything not a single class → None (not checked)."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        return args[0] if len(args) == 1 and isinstance(args[0], type) else None
    return kind if isinstance(kind, type) else None


def _type_of(node: nodes.Node, local: set[str]) -> type | None:
    if isinstance(node, nodes.Name):
        return None if node.name in local else CONTEXT_TYPES.get(node.name)
    if isinstance(node, nodes.Getattr):
        owner = _type_of(node.node, local)
        if owner is not None and dataclasses.is_dataclass(owner):
            return _unwrap(typing.get_type_hints(owner).get(node.attr))
    return None


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return node.name if isinstance(node, nodes.Name) else "…"


def check_body(script: Script, environment: SandboxedEnvironment | None = None) -> list[ScriptError]:
    """Every problem of ``script``'s body that can be found without rendering it, in file lines.

    What the clerk wrote is quoted ('nmae'), what exists is in backticks (`commune.name`)."""
    env = environment or _ENV

    def at(lineno: int | None) -> int | None:
        return None if lineno is None else script.body_line + lineno - 1

    try:
        tree = env.parse(script.body)
    except TemplateSyntaxError as exc:
        return [ScriptError(script.path, at(exc.lineno), syntax_message(exc))]
    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    local |= {m.name for m in tree.find_all(nodes.Macro)}
    guarded = {
        t.node.name
        for t in tree.find_all(nodes.Test)
        if t.name in ("defined", "undefined") and isinstance(t.node, nodes.Name)
    }
    available = context_names(audience=script.audience, urgent=script.urgent)
    found: dict[tuple[int | None, str], ScriptError] = {}

    def add(lineno: int | None, message: str) -> None:
        found.setdefault((at(lineno), message), ScriptError(script.path, at(lineno), message))

    for name in tree.find_all(nodes.Name):
        if name.ctx != "load" or name.name in local or name.name in JINJA_NAMES or name.name in available:
            continue
        if name.name in CONTEXT_TYPES and name.name in guarded:
            continue  # "{% if village is defined %}": the author knows it may be absent
        add(name.lineno, undefined_message(name.name, available))
    for getattr_node in tree.find_all(nodes.Getattr):
        owner = _type_of(getattr_node.node, local)
        fields = fields_of(owner) if owner is not None else None
        if fields is not None and getattr_node.attr not in fields:
            add(getattr_node.lineno, attribute_message(_dotted(getattr_node.node), getattr_node.attr, fields))
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in env.filters:
            add(filter_node.lineno, f"không có bộ lọc '{filter_node.name}'{filter_hint(filter_node.name)}")
    for test in tree.find_all(nodes.Test):
        if test.name not in env.tests:
            close = hint(test.name, list(env.tests))
            add(
                test.lineno,
                f"không có phép thử '{test.name}';{close}" if close else f"không có phép thử '{test.name}'",
            )
    return sorted(found.values(), key=lambda p: p.line or 0)
