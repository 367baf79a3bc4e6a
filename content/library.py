"""The script library: announcement files written by the cultural-social office.

A script is one UTF-8 file ``<id>.txt`` that a clerk edits in Notepad: YAML front matter between ``---``
lines, then a Jinja2 body. Every fault is reported with the file and the line a clerk must open, and a
bad file never stops the rest of the library from loading (``Library.problems``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import yaml

from content.errors import ScriptError

logger = logging.getLogger(__name__)

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
AUDIO_SUFFIXES = (".mp3", ".wav")
KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "slots",
        "valid_from",
        "valid_until",
        "priority",
        "repeat",
        "pinned",
        "audience",
        "urgent",
        "audio",
    }
)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_FRONT_MATTER_START = 2  # the YAML starts on file line 2, right after the opening "---"


@dataclass(frozen=True)
class Script:
    """One parsed announcement; ``body_line`` maps template line numbers back to the file."""

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

    def is_valid_on(self, day: date) -> bool:
        """True when ``day`` lies within the validity dates (both ends included)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def applies_to_slot(self, slot_id: str) -> bool:
        return self.slots is None or slot_id in self.slots


@dataclass
class Library:
    """The loaded scripts by id, and every file that could not be used (shown by ``loa check``)."""

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
        raise ScriptError(path, None, f"không đọc được tệp ({exc.strerror or exc})") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScriptError(path, line, "tệp không phải UTF-8; hãy lưu lại với mã hóa UTF-8") from exc
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_front_matter(path: Path, source: str) -> dict[str, tuple[object, int]]:
    """Parse the YAML into ``{key: (value, file line)}``, refusing duplicate keys."""
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise ScriptError(
                path,
                _FRONT_MATTER_START + node.start_mark.line,
                "phần khai báo phải gồm các dòng 'khóa: giá trị'",
            )
        result: dict[str, tuple[object, int]] = {}
        for key_node, value_node in node.value:
            line = _FRONT_MATTER_START + key_node.start_mark.line
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise ScriptError(path, line, f"khóa không hợp lệ: {key!r}")
            if key in result:
                raise ScriptError(path, line, f"khóa '{key}' bị khai báo hai lần")
            try:
                value = loader.construct_object(value_node, deep=True)
            except ValueError as exc:  # e.g. 2026-02-30 matches YAML's date pattern but is no date
                raise ScriptError(
                    path, line, f"giá trị của '{key}' không hợp lệ: {value_node.value!r}"
                ) from exc
            result[key] = (value, line)
        return result
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _FRONT_MATTER_START + mark.line if mark is not None else None
        raise ScriptError(path, line, f"lỗi cú pháp YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ScriptError(path, None, f"lỗi cú pháp YAML: {exc}") from exc
    finally:
        loader.dispose()


def _date(path: Path, key: str, value: object, line: int) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        raise ScriptError(path, line, f"'{key}' chỉ ghi ngày, không ghi giờ (ví dụ 2026-03-01)")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _DMY.fullmatch(text)
        try:
            if match:
                return date(int(match[3]), int(match[2]), int(match[1]))
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ScriptError(
        path, line, f"'{key}' không phải ngày hợp lệ: {value!r} (ghi 2026-03-01 hoặc 01/03/2026)"
    )


def _integer(path: Path, key: str, value: object, line: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ScriptError(path, line, f"'{key}' phải là số nguyên từ {low} đến {high}, không phải {value!r}")
    return value


def _flag(path: Path, key: str, value: object, line: int) -> bool:
    if not isinstance(value, bool):
        raise ScriptError(path, line, f"'{key}' phải là true hoặc false, không phải {value!r}")
    return value


def _text(path: Path, key: str, value: object, line: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScriptError(path, line, f"'{key}' phải là một dòng chữ không rỗng")
    return value.strip()


def _slots(path: Path, value: object, line: int) -> tuple[str, ...] | None:
    if isinstance(value, str) and value.strip().lower() == "all":
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise ScriptError(
        path,
        line,
        f"'slots' phải là all hoặc danh sách mã buổi phát, ví dụ [sang, chieu]; không phải {value!r}",
    )


def _audio(path: Path, value: object, line: int) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ScriptError(
            path, line, "'audio' phải là tên tệp ghi âm đặt cạnh kịch bản, ví dụ ban-tin-tay.mp3"
        )
    audio = (path.parent / value.strip()).resolve()
    if audio.suffix.lower() not in AUDIO_SUFFIXES:
        raise ScriptError(path, line, f"tệp ghi âm phải là MP3 hoặc WAV: {value}")
    if not audio.is_file():
        raise ScriptError(path, line, f"không tìm thấy tệp ghi âm: {audio}")
    try:
        with audio.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise ScriptError(path, line, f"không đọc được tệp ghi âm {audio}: {exc.strerror or exc}") from None
    is_wav = head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    is_mp3 = head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if not (is_wav if audio.suffix.lower() == ".wav" else is_mp3):
        raise ScriptError(
            path, line, f"tệp ghi âm hỏng hoặc sai định dạng {audio.suffix.upper()[1:]}: {audio}"
        )
    return audio


def parse_script(path: Path) -> Script:
    """Read and check one script file; every fault is a ``ScriptError`` with the file line."""
    source = read_script_text(path)
    front, body, body_line = split_front_matter(path, source)
    meta = parse_front_matter(path, front)
    for key, (_, line) in meta.items():
        if key not in KNOWN_KEYS:
            raise ScriptError(
                path,
                line,
                f"khóa không được hỗ trợ: '{key}' (các khóa hợp lệ: {', '.join(sorted(KNOWN_KEYS))})",
            )
    for key in ("id", "title"):
        if key not in meta:
            raise ScriptError(path, 1, f"thiếu khóa bắt buộc '{key}'")

    def get(key: str, default: object) -> tuple[object, int]:
        return meta.get(key, (default, 1))

    script_id, id_line = meta["id"]
    if not isinstance(script_id, str) or not ID_PATTERN.fullmatch(script_id):
        raise ScriptError(
            path,
            id_line,
            f"'id' phải viết chữ thường không dấu, nối bằng '-', ví dụ cach-cai-dat: {script_id!r}",
        )
    if script_id != path.stem:
        raise ScriptError(path, id_line, f"'id' ({script_id}) phải trùng tên tệp ({path.stem})")
    valid_from = _date(path, "valid_from", *get("valid_from", None))
    valid_until = _date(path, "valid_until", *get("valid_until", None))
    if valid_from and valid_until and valid_until < valid_from:
        raise ScriptError(path, get("valid_until", None)[1], "'valid_until' đứng trước 'valid_from'")
    audience, audience_line = get("audience", "commune")
    if audience not in ("commune", "village"):
        raise ScriptError(
            path, audience_line, f"'audience' phải là commune hoặc village, không phải {audience!r}"
        )
    urgent = _flag(path, "urgent", *get("urgent", False))
    if urgent and audience == "village":
        raise ScriptError(
            path, audience_line, "kịch bản khẩn (urgent) phát cho cả xã, không dùng audience: village"
        )
    audio_value, audio_line = get("audio", None)
    audio = None if audio_value is None else _audio(path, audio_value, audio_line)
    if audio is None and not body.strip():
        raise ScriptError(path, body_line, "kịch bản không có nội dung (và không có tệp ghi âm 'audio')")
    return Script(
        id=script_id,
        title=_text(path, "title", *meta["title"]),
        path=path,
        body=body,
        body_line=body_line,
        slots=_slots(path, *get("slots", "all")),
        valid_from=valid_from,
        valid_until=valid_until,
        priority=_integer(path, "priority", *get("priority", 5), 1, 9),
        repeat=_integer(path, "repeat", *get("repeat", 1), 1, 5),
        pinned=_flag(path, "pinned", *get("pinned", False)),
        audience="village" if audience == "village" else "commune",
        urgent=urgent,
        audio=audio,
    )


def _script_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix.lower() == ".txt"
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def load_library(*directories: Path) -> Library:
    """Load every ``*.txt`` under the directories; later directories override earlier ones by id.

    Nothing raises: unreadable or invalid files, duplicate ids within one directory and a second urgent
    template are recorded in ``problems`` and the good scripts are kept.
    """
    library = Library()
    urgent_rank: dict[str, int] = {}
    for rank, directory in enumerate(directories):
        if not directory.is_dir():
            library.problems.append(ScriptError(directory, None, "không tìm thấy thư mục kịch bản"))
            continue
        seen: dict[str, Path] = {}
        for path in _script_files(directory):
            try:
                script = parse_script(path)
            except ScriptError as exc:
                library.problems.append(exc)
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
