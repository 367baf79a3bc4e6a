"""Command-line misuse as one Vietnamese line: what is wrong, and where to look.

Typer ships its own copy of click, so its usage errors are recognised here by what they carry (the
parameter, the option name, the context), not by importing click's classes.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_INT = re.compile(r"'(.*)' is not a valid integer|valid integer")
_RANGE = re.compile(r"'?(.*?)'? is not in the range (.*)\.")
_BOUND = re.compile(r"(greater|less) than( or equal to)? (-?[\d.]+)")
_NO_COMMAND = re.compile(r"No such command '(.*)'")
_EXTRA = re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)")
_REQUIRES = re.compile(r"Option '(.*)' requires an argument")


def command_path(exc: Any) -> str:
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", "") or "loa"
    return path if path.startswith("loa") else "loa"


def usage_message(exc: Exception) -> str:
    """The one line printed for a usage error raised by the command-line parser."""
    where = command_path(exc)
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    text = getattr(exc, "message", None) or str(exc)
    see = f"; xem `{where} --help`"
    if kind == "MissingParameter" and param is not None:
        return f"{where}: thiếu {_label(param)}{see}"
    if kind == "NoSuchOption":
        option = getattr(exc, "option_name", "") or text
        close = sorted(getattr(exc, "possibilities", None) or [])
        hint = f"; có phải {' hoặc '.join(close)}?" if close else ""
        return f"{where}: không có tùy chọn {option}{hint}{see}"
    if kind == "BadParameter" and param is not None:
        return f"{where}: {_label(param)}: {_value_problem(text)}{see}"
    if match := _NO_COMMAND.search(text):
        ctx = getattr(exc, "ctx", None)
        commands = ", ".join(ctx.command.list_commands(ctx)) if ctx is not None else ""
        return f"{where}: không có lệnh {match[1]!r}; các lệnh: {commands}"
    if match := _EXTRA.search(text):
        return f"{where}: thừa đối số {match[1]}{see}"
    if match := _REQUIRES.search(text):
        return f"{where}: tùy chọn {match[1]} cần một giá trị{see}"
    return f"{where}: cách dùng không đúng ({text}){see}"


def _label(param: Any) -> str:
    names = "/".join(getattr(param, "opts", []) or [])
    help_text = (getattr(param, "help", None) or "").rstrip(".")
    about = f" ({help_text[:1].lower() + help_text[1:]})" if help_text else ""
    if getattr(param, "param_type_name", "") == "argument":
        return (
            f"đối số {(getattr(param, 'metavar', None) or getattr(param, 'name', '') or '').upper()}{about}"
        )
    return f"tùy chọn {names}{about}"


def _value_problem(text: str) -> str:
    if match := _NOT_INT.search(text):
        return f"{match[1]!r} không phải là số nguyên" if match[1] else "phải là số nguyên"
    if match := _RANGE.search(text):
        return f"{match[1]!r} nằm ngoài khoảng cho phép {match[2]}"
    if match := _BOUND.search(text):
        sign = {("greater", True): "≥", ("greater", False): ">", ("less", True): "≤", ("less", False): "<"}
        return f"phải {sign[(match[1], bool(match[2]))]} {match[3]}"
    return f"giá trị không hợp lệ ({text})"
