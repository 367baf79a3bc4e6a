"""Script files edited through the web interface: found by a checked id, saved atomically, and checked
exactly as `loa check` does, every problem at its file line.

A file with errors is still saved — a clerk's half-finished work must not be lost — as a draft: the library
never plans a script with an error, so an invalid file never airs. Every save is a version
(`approval.record_version`) written by the signed-in user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from loa114.content.errors import ScriptError
from loa114.content.front_matter import ID_PATTERN, read_front_matter
from loa114.content.library import load_library, read_script_text, split_front_matter
from loa114.content.text import clean_text
from loa114.scheduler.config import Config
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import ScriptSaved
from loa114.scheduler.files import write_atomic
from loa114.scheduler.programs.approval import Version, record_version
from loa114.scheduler.programs.checks import check_all
from loa114.scheduler.store import Store

MAX_SCRIPT_BYTES = 100_000  # a long announcement is ~3 KB; anything near this is not a script
RESERVED_IDS = frozenset({"new", "upload"})  # page addresses under /scripts/
_LINE = re.compile(r"(\d*):\s*(.*)", re.DOTALL)


@dataclass(frozen=True)
class Problem:
    """One `loa check` line about a file: its line (None: the file as a whole) and the message."""

    line: int | None
    message: str
    text: str  # the whole `file:line: message`, as `loa check` prints it


@dataclass(frozen=True)
class Findings:
    errors: list[Problem]
    warnings: list[Problem]


@dataclass(frozen=True)
class Saved:
    script_id: str
    path: Path
    version: Version
    findings: Findings


def is_script_id(script_id: str) -> bool:
    """An id the library accepts (lowercase, no marks, words joined by '-'): never a path."""
    return len(script_id) <= 100 and ID_PATTERN.fullmatch(script_id) is not None


def script_file(directory: Path, script_id: str) -> Path | None:
    """The file of `script_id` under `directory` (sub-folders too, as the library reads), or None."""
    if not is_script_id(script_id) or not directory.is_dir():
        return None
    root = directory.resolve()
    candidates = [directory / f"{script_id}.txt"] + sorted(directory.rglob(f"{script_id}.txt"))
    for path in candidates:
        hidden = any(part.startswith(".") for part in path.relative_to(directory).parts)
        if path.is_file() and not hidden and path.resolve().is_relative_to(root):
            return path
    return None


def decode_script(data: bytes, name: str) -> str:
    """The text of an uploaded or typed script: at most `MAX_SCRIPT_BYTES`, UTF-8, cleaned as the library
    cleans it (Word's line breaks and control characters)."""
    if len(data) > MAX_SCRIPT_BYTES:
        raise InputError(f"{name}: tệp quá lớn ({len(data) // 1000} KB); một kịch bản tối đa 100 KB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}: dòng {line}: tệp không phải UTF-8; trong Notepad chọn Lưu thành… → Mã hóa UTF-8"
        ) from exc
    if not text.strip():
        raise InputError(f"{name}: kịch bản trống")
    return clean_text(text)


def findings(config: Config, path: Path, now: datetime) -> Findings:
    """Every error and warning `loa check` reports about `path`, with its line, same words."""
    result = check_all(config, now)
    prefix = f"{path}:"
    return Findings(
        [_problem(t, prefix) for t in result.errors if t.startswith(prefix)],
        [_problem(t, prefix) for t in result.warnings if t.startswith(prefix)],
    )


def _problem(text: str, prefix: str) -> Problem:
    rest = text[len(prefix) :]
    found = _LINE.fullmatch(rest)
    if found is None:
        return Problem(None, rest.strip(), text)
    return Problem(int(found.group(1)) if found.group(1) else None, found.group(2), text)


def save_script(
    config: Config, store: Store, script_id: str, text: str, *, author: str, now: datetime
) -> Saved:
    """Write the script file atomically and record its version (a draft) by `author`, in one step: when
    the file cannot be written, no version is recorded."""
    if not is_script_id(script_id):
        raise InputError(f"mã bài '{script_id}': chỉ dùng chữ thường không dấu, số và dấu '-', ví dụ goi-114")
    directory = config.scripts.dir
    path = script_file(directory, script_id) or directory / f"{script_id}.txt"
    data = clean_text(text).encode("utf-8")
    with store.session() as session:
        row, _ = record_version(session, script_id, data, author=author, now=now)
        write_atomic(path, data)
        found = findings(config, path, now)
        event = ScriptSaved(at=now, script=script_id, sha256=row.sha256, errors=len(found.errors))
        store.record(session, event, actor=author)
        version = Version.of(row)
    return Saved(script_id, path, version, found)


@dataclass(frozen=True)
class Entry:
    """One row of the script list."""

    id: str
    path: Path
    title: str
    slots: tuple[str, ...] | None
    priority: int | None
    valid_from: date | None
    valid_until: date | None
    urgent: bool
    errors: int


def entries(config: Config, now: datetime) -> list[Entry]:
    """Every script file of the library, valid or not, by id, with its number of `loa check` errors."""
    library = load_library(config.scripts.dir)
    errors = check_all(config, now).errors
    found: dict[str, Entry] = {}
    for s in library.scripts.values():
        count = sum(e.startswith(f"{s.path}:") for e in errors)
        found[s.id] = Entry(
            s.id, s.path, s.title, s.slots, s.priority, s.valid_from, s.valid_until, s.urgent, count
        )
    for problem in library.problems:
        path = Path(problem.file)
        if path.suffix.lower() == ".txt" and path.stem not in found:
            count = sum(e.startswith(f"{path}:") for e in errors)
            found[path.stem] = Entry(path.stem, path, _title(path), None, None, None, None, False, count)
    return [found[k] for k in sorted(found)]


def _title(path: Path) -> str:
    """The title of a file with errors, when its front matter still shows one."""
    try:
        front, _, _ = split_front_matter(path, read_script_text(path))
    except ScriptError:
        return ""
    value = read_front_matter(path, front)[0].get("title", ("", 0))[0]
    return value.strip() if isinstance(value, str) else ""
