"""The script library: announcement files written by the cultural-social office.

A script is one UTF-8 file ``<id>.txt`` that a clerk edits in Notepad: YAML front matter between ``---``
lines, then a Jinja2 body. Every fault is reported with the file and the line a clerk must open, and a
bad file never stops the rest of the library from loading (``Library.problems``), and every problem
of a file is reported in the same pass, so one run of ``loa check`` shows a clerk all there is to fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from loa114.content.errors import ScriptError
from loa114.content.front_matter import (
    AUDIO_SUFFIXES,
    ID_PATTERN,
    KNOWN_KEYS,
    check_fields,
    parse_front_matter,
    read_front_matter,
)
from loa114.content.text import clean_text, fold

SHIPPED_DIR = (
    Path(__file__).resolve().parent / "scripts"
)  # the campaign's own scripts, installed with the code

__all__ = [
    "AUDIO_SUFFIXES",
    "ID_PATTERN",
    "KNOWN_KEYS",
    "Library",
    "Script",
    "check_script_file",
    "load_library",
    "parse_front_matter",
    "parse_script",
    "read_script_text",
    "split_front_matter",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Script:
    """One parsed announcement; ``body_line`` maps template line numbers back to the file.

    ``slots`` keeps the slot ids as written ("sáng" as well as "sang"); ``slots_line`` is the file line
    of the ``slots:`` key (None when the key is absent) so a message about a slot can point at it.
    """

    id: str
    title: str
    path: Path
    body: str
    body_line: int
    slots: tuple[str, ...] | None
    valid_from: date | None
    valid_until: date | None
    priority: int
    repeat: int
    pinned: bool
    audience: Literal["commune", "village"]
    urgent: bool
    audio: Path | None
    slots_line: int | None = None

    def is_valid_on(self, day: date) -> bool:
        """True when ``day`` lies within the validity dates (both ends included)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def applies_to_slot(self, slot_id: str) -> bool:
        """True for a slot the script names; "sáng" names the slot "sang" (case and marks ignored)."""
        if self.slots is None or slot_id in self.slots:
            return True
        return fold(slot_id) in {fold(s) for s in self.slots}


@dataclass
class Library:
    """The loaded scripts by id, and every problem of every file that could not be used (``loa check``)."""

    scripts: dict[str, Script] = field(default_factory=dict)
    problems: list[ScriptError] = field(default_factory=list)

    def regular(self) -> list[Script]:
        """Scripts the planner may put into slots, in a stable order."""
        return sorted((s for s in self.scripts.values() if not s.urgent), key=lambda s: s.id)

    def urgent(self) -> Script | None:
        """The urgent-alert template; ``load_library`` guarantees there is at most one."""
        return next((s for s in sorted(self.scripts.values(), key=lambda s: s.id) if s.urgent), None)


def split_front_matter(path: Path, text: str) -> tuple[str, str, int]:
    """Return (front matter, body, body line); the body keeps its own lines so line numbers stay exact."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ScriptError(path, 1, "tệp phải bắt đầu bằng một dòng '---' (phần khai báo đầu kịch bản)")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise ScriptError(path, 1, "thiếu dòng '---' đóng phần khai báo đầu kịch bản")


def read_script_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScriptError(path, None, f"không đọc được tệp ({exc.strerror or 'lỗi đọc tệp'})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScriptError(path, line, "tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8") from exc
    return clean_text(text)  # also what Word pastes: its manual line break (\x0b) and other controls


def _read_script(path: Path) -> tuple[Script | None, list[ScriptError], bool]:
    """The script as far as its front matter allows, every front-matter problem, and whether the
    front matter could be read at all (a YAML syntax error leaves no key to check)."""
    try:
        source = read_script_text(path)
        front, body, body_line = split_front_matter(path, source)
    except ScriptError as exc:
        return None, [exc], False
    meta, problems = read_front_matter(path, front)
    readable = not (problems and not meta)
    fields = check_fields(path, meta)
    if readable:
        problems += fields.problems
    if fields.audio is None and "audio" not in meta and not body.strip():
        problems.append(
            ScriptError(path, body_line, "kịch bản không có nội dung (và không có tệp ghi âm 'audio')")
        )
    audience: Literal["commune", "village"] = "village" if fields.audience == "village" else "commune"
    script = Script(
        id=fields.id or path.stem,
        title=fields.title,
        path=path,
        body=body,
        body_line=body_line,
        slots=fields.slots,
        valid_from=fields.valid_from,
        valid_until=fields.valid_until,
        priority=fields.priority,
        repeat=fields.repeat,
        pinned=fields.pinned,
        audience=audience,
        urgent=fields.urgent,
        audio=fields.audio,
        slots_line=fields.slots_line,
    )
    return script, problems, readable


def _template_problems(script: Script, readable: bool) -> list[ScriptError]:
    if not script.body.strip():
        return []
    # imported here: the checker knows the template context, whose module needs `Script`
    from loa114.content.template_check import check_body

    # with unreadable front matter, check the body as the most permissive kind of script
    return check_body(script if readable else replace(script, audience="village", urgent=True))


def check_script_file(path: Path, *, template_check: bool = True) -> tuple[Script | None, list[ScriptError]]:
    """Read one script file and report every problem: each front-matter key and value at its line and,
    with ``template_check``, the body's template syntax, unknown names, attributes and filters.

    The script is returned only when there is no problem (a script with a problem never airs).
    """
    script, problems, readable = _read_script(path)
    if script is not None and template_check:
        problems += _template_problems(script, readable)
    problems.sort(key=lambda p: p.line or 0)
    return (None if problems else script), problems


def parse_script(path: Path) -> Script:
    """Read and check one script file's front matter; raises its first problem as a ``ScriptError``."""
    script, problems = check_script_file(path, template_check=False)
    if problems:
        raise problems[0]
    assert script is not None
    return script


def _script_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix.lower() == ".txt"
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def load_library(*directories: Path, check_templates: bool = False) -> Library:
    """Load every ``*.txt`` under the directories; later directories override earlier ones by id.

    Nothing raises: every problem of every file, duplicate ids within one directory and a second
    urgent template are recorded in ``problems``; the good scripts are kept. A file whose front matter
    is wrong gets all its problems at once — each key and value, and its body's template syntax,
    unknown names, attributes and filters. With ``check_templates`` (what `content.checking` and
    ``loa check`` use) a well-formed file with such template problems is refused too; without it (the
    service) that file loads and its template fails when rendered, as a decision in the manifest.
    """
    library = Library()
    urgent_rank: dict[str, int] = {}
    for rank, directory in enumerate(directories):
        if not directory.is_dir():
            library.problems.append(ScriptError(directory, None, "không tìm thấy thư mục kịch bản"))
            continue
        seen: dict[str, Path] = {}
        for path in _script_files(directory):
            script, problems, readable = _read_script(path)
            if script is not None and (problems or check_templates):
                problems += _template_problems(script, readable)
            if script is None or problems:
                library.problems += sorted(problems, key=lambda p: p.line or 0)
                continue
            if script.id in seen:
                library.problems.append(
                    ScriptError(path, None, f"trùng mã kịch bản '{script.id}' với {seen[script.id]}")
                )
                continue
            seen[script.id] = path
            if script.id in library.scripts:
                logger.info(
                    "script %s from %s overrides %s", script.id, path, library.scripts[script.id].path
                )
            library.scripts[script.id] = script
            if script.urgent:
                urgent_rank[script.id] = rank
            else:
                urgent_rank.pop(script.id, None)
    _keep_one_urgent(library, urgent_rank)
    logger.info("loaded %d scripts, %d problems", len(library.scripts), len(library.problems))
    return library


def _keep_one_urgent(library: Library, urgent_rank: dict[str, int]) -> None:
    """Several urgent templates: the one from the latest directory wins, the others are problems."""
    if len(urgent_rank) < 2:
        return
    keep = min(urgent_rank, key=lambda sid: (-urgent_rank[sid], sid))
    for script_id in sorted(urgent_rank):
        if script_id != keep:
            dropped = library.scripts.pop(script_id)
            message = f"chỉ được có một kịch bản khẩn (urgent); đang dùng '{keep}', bỏ qua '{script_id}'"
            library.problems.append(ScriptError(dropped.path, None, message))
