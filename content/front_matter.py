"""The front matter of a script file: every key and value checked, every problem kept.

A clerk fixing a script needs all of its mistakes at once, each at its own YAML line, in Vietnamese,
with a hint ("có phải `priority`?"). So nothing here stops at the first problem: `read_front_matter`
collects syntax-level faults (a YAML syntax error is the one thing after which nothing can be read)
and `check_fields` every value; the caller decides whether to raise the first or report them all.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from loa114.content.dates import parse_date_text
from loa114.content.errors import ScriptError

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
AUDIO_SUFFIXES = (".mp3", ".wav")
KNOWN_KEYS = frozenset(
    {"id", "title", "slots", "valid_from", "valid_until", "priority", "repeat", "pinned", "audience"}
    | {"urgent", "audio"}
)
FRONT_MATTER_START = 2  # the YAML starts on file line 2, right after the opening "---"
Meta = dict[str, tuple[object, int]]
_Fail = Callable[[int | None, str], None]  # records one problem at a file line

# What PyYAML says (English) → what a clerk should do, in Vietnamese.
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "dấu ':' đặt sai chỗ; giá trị có dấu ':' phải đặt trong ngoặc kép"),
    ("could not find expected ':'", "dòng thiếu dấu ':' giữa khóa và giá trị"),
    ("expected ',' or ']'", "danh sách [ ... ] thiếu dấu ']' hoặc thiếu dấu phẩy giữa các mục"),
    ("expected ',' or '}'", "nhóm { ... } thiếu dấu '}' hoặc thiếu dấu phẩy"),
    ("found character '\\t'", "không dùng phím Tab để thụt dòng, hãy dùng dấu cách"),
    ("unclosed quotation", "dấu ngoặc kép chưa được đóng"),
    ("end of stream", "dấu ngoặc hoặc ngoặc kép chưa được đóng"),
    ("found undefined alias", "không dùng dấu '*' ở đầu giá trị; hãy đặt giá trị trong ngoặc kép"),
    ("expected alphabetic or numeric character", "không dùng dấu '&' hoặc '*' ở đầu giá trị"),
    ("block mapping", "các dòng phải thẳng hàng nhau, dạng 'khóa: giá trị'"),
)


def show(value: object) -> str:
    """A YAML value the way the clerk wrote it, not as Python prints it (true, not True)."""
    if value is None:
        return "(để trống)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v).strip("'") for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def hint(word: str, choices: list[str] | frozenset[str], template: str = "có phải `{}`?") -> str:
    """ " có phải `priority`?" for the closest choice, or "" when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return " " + template.format(close[0]) if close else ""


def _yaml_message(exc: yaml.YAMLError) -> str:
    detail = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    for english, vietnamese in _YAML_PROBLEMS:
        if english in detail:
            return f"lỗi cú pháp YAML: {vietnamese}"
    return "lỗi cú pháp YAML: mỗi dòng phải có dạng 'khóa: giá trị'"


def read_front_matter(path: Path, source: str) -> tuple[Meta, list[ScriptError]]:
    """``{key: (value, file line)}`` and every problem found while reading it."""
    problems: list[ScriptError] = []
    meta: Meta = {}
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return meta, problems
        if not isinstance(node, yaml.MappingNode):
            line = FRONT_MATTER_START + node.start_mark.line
            return meta, [ScriptError(path, line, "phần khai báo phải gồm các dòng 'khóa: giá trị'")]
        for key_node, value_node in node.value:
            line = FRONT_MATTER_START + key_node.start_mark.line
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                problems.append(ScriptError(path, line, f"khóa không hợp lệ: {show(key)}"))
                continue
            if key in meta:
                problems.append(
                    ScriptError(
                        path, line, f"khóa '{key}' bị khai báo hai lần (lần đầu ở dòng {meta[key][1]})"
                    )
                )
                continue
            try:
                value = loader.construct_object(value_node, deep=True)
            except ValueError:  # e.g. 2026-02-30 matches YAML's date pattern but is no date
                problems.append(
                    ScriptError(path, line, f"giá trị của '{key}' không hợp lệ: '{value_node.value}'")
                )
                continue
            meta[key] = (value, line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = FRONT_MATTER_START + mark.line if mark is not None else None
        problems.append(ScriptError(path, at, _yaml_message(exc)))
    except yaml.YAMLError as exc:
        problems.append(ScriptError(path, None, _yaml_message(exc)))
    finally:
        loader.dispose()
    return meta, problems


def parse_front_matter(path: Path, source: str) -> Meta:
    """Like `read_front_matter`, raising the first problem (for files where one is enough)."""
    meta, problems = read_front_matter(path, source)
    if problems:
        raise problems[0]
    return meta


@dataclass
class Fields:
    """Checked values of a script's front matter (defaults where a key is absent or wrong)."""

    id: str = ""
    title: str = ""
    slots: tuple[str, ...] | None = None
    slots_line: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    priority: int = 5
    repeat: int = 1
    pinned: bool = False
    audience: str = "commune"
    urgent: bool = False
    audio: Path | None = None
    problems: list[ScriptError] = field(default_factory=list)


def check_fields(path: Path, meta: Meta) -> Fields:
    """Every key and value of ``meta`` checked; each problem recorded with its line."""
    out = Fields()

    def fail(line: int | None, message: str) -> None:
        out.problems.append(ScriptError(path, line, message))

    for key, (_, line) in meta.items():
        if key not in KNOWN_KEYS:
            fail(
                line,
                f"khóa không được hỗ trợ: '{key}';{hint(key, KNOWN_KEYS)} (các khóa hợp lệ: {', '.join(sorted(KNOWN_KEYS))})",
            )
    for key in ("id", "title"):
        if key not in meta:
            fail(1, f"thiếu khóa bắt buộc '{key}' trong phần khai báo đầu kịch bản")
    if "id" in meta:
        value, line = meta["id"]
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            fail(
                line,
                f"'id' phải viết chữ thường không dấu, nối bằng '-', ví dụ cach-cai-dat; không phải {show(value)}",
            )
        elif value != path.stem:
            fail(line, f"'id' ({value}) phải trùng tên tệp ({path.stem}); hãy đổi một trong hai")
        else:
            out.id = value
    if "title" in meta:
        value, line = meta["title"]
        if isinstance(value, str) and value.strip():
            out.title = value.strip()
        else:
            fail(line, "'title' phải là một dòng chữ không rỗng, ví dụ: title: Gọi 114 khi có cháy")
    _check_slots(out, meta, fail)
    out.valid_from = _date(meta, "valid_from", fail)
    out.valid_until = _date(meta, "valid_until", fail)
    if out.valid_from and out.valid_until and out.valid_until < out.valid_from:
        fail(
            meta["valid_until"][1],
            f"'valid_until' ({out.valid_until.isoformat()}) đứng trước 'valid_from' ({out.valid_from.isoformat()})",
        )
    out.priority = _integer(meta, "priority", fail, default=5, low=1, high=9)
    out.repeat = _integer(meta, "repeat", fail, default=1, low=1, high=5)
    out.pinned = _flag(meta, "pinned", fail)
    out.urgent = _flag(meta, "urgent", fail)
    if "audience" in meta:
        value, line = meta["audience"]
        if value in ("commune", "village"):
            out.audience = str(value)
            if out.urgent and value == "village":
                fail(line, "kịch bản khẩn (urgent) phát cho cả xã, không dùng audience: village")
        else:
            fail(
                line,
                f"'audience' phải là commune (cả xã) hoặc village (riêng thôn), không phải {show(value)}",
            )
    if "audio" in meta:
        out.audio = _audio(path, *meta["audio"], fail)
    return out


def _check_slots(out: Fields, meta: Meta, fail: _Fail) -> None:
    """Any slot text is kept as written ("sáng"); the scheduler matches it against its config."""
    if "slots" not in meta:
        return
    value, line = meta["slots"]
    out.slots_line = line
    if isinstance(value, str) and value.strip().lower() == "all":
        return
    items = value.split(",") if isinstance(value, str) else value
    if (
        isinstance(items, list)
        and items
        and all(isinstance(v, str | int) and not isinstance(v, bool) for v in items)
    ):
        slots = tuple(str(v).strip() for v in items if str(v).strip())
        if slots:
            out.slots = slots
            return
    fail(
        line,
        f"'slots' phải là all hoặc danh sách mã buổi phát, ví dụ [sang, chieu]; không phải {show(value)}",
    )


def _date(meta: Meta, key: str, fail: _Fail) -> date | None:
    if key not in meta or meta[key][0] is None:
        return None
    value, line = meta[key]
    if isinstance(value, datetime):
        fail(line, f"'{key}' chỉ ghi ngày, không ghi giờ (ví dụ 2026-03-01)")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and (day := parse_date_text(value)) is not None:
        return day
    fail(line, f"'{key}' không phải ngày hợp lệ: {show(value)} (ghi 2026-03-01 hoặc 01/03/2026)")
    return None


def _integer(meta: Meta, key: str, fail: _Fail, *, default: int, low: int, high: int) -> int:
    if key not in meta:
        return default
    value, line = meta[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(line, f"'{key}' phải là số nguyên từ {low} đến {high}, không phải {show(value)}")
        return default
    return value


def _flag(meta: Meta, key: str, fail: _Fail) -> bool:
    if key not in meta:
        return False
    value, line = meta[key]
    if not isinstance(value, bool):
        fail(line, f"'{key}' phải là true (có) hoặc false (không), không phải {show(value)}")
        return False
    return value


def _audio(path: Path, value: object, line: int, fail: _Fail) -> Path | None:
    if not isinstance(value, str) or not value.strip():
        fail(line, "'audio' phải là tên tệp ghi âm đặt cạnh kịch bản, ví dụ ban-tin-tay.mp3")
        return None
    audio = (path.parent / value.strip()).resolve()
    if audio.suffix.lower() not in AUDIO_SUFFIXES:
        fail(line, f"tệp ghi âm phải là MP3 hoặc WAV: {value}")
        return None
    if not audio.is_file():
        fail(line, f"không tìm thấy tệp ghi âm: {audio}")
        return None
    try:
        with audio.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        fail(line, f"không đọc được tệp ghi âm {audio}: {exc.strerror or 'lỗi đọc tệp'}")
        return None
    is_wav = head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    is_mp3 = head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if not (is_wav if audio.suffix.lower() == ".wav" else is_mp3):
        fail(line, f"tệp ghi âm hỏng hoặc sai định dạng {audio.suffix.upper()[1:]}: {audio}")
        return None
    return audio
