"""Reminder and escalation notices: office-editable templates rendered into printable text.

A notice template is a file like a script (``content/notices/<kind>.txt``): YAML front matter with
``kind`` and ``title`` (itself a template), then a Jinja2 body. It goes through the same sandboxed
renderer as the scripts, so the office gets the same filters, strictness and ``file:line`` errors. The
result is plain text (no Markdown): it is sent as a message and also printed for village heads without
a smartphone, so it must read well on paper.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from loa114.content.context import SAMPLE_COMMUNE, SAMPLE_TODAY, sample_campaign, sample_village
from loa114.content.errors import ScriptError
from loa114.content.library import (  # the script file format
    parse_front_matter,
    read_script_text,
    split_front_matter,
)
from loa114.content.render import ScriptRenderer, date_vn, number, percent

logger = logging.getLogger(__name__)

NOTICE_KINDS = ("reminder", "escalation")
SHIPPED_DIR = Path(__file__).resolve().parent / "notices"
_KEYS = frozenset({"kind", "title"})
_RENDERER = ScriptRenderer()


@dataclass(frozen=True)
class Notice:
    """A rendered notice: ``title`` is one line, ``body`` plain text with blank lines between blocks."""

    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Recipient:
    """Who a notice is addressed to; ``scheduler`` passes its own contacts, which have the same fields."""

    name: str
    role: str = ""


def notice_path(kind: str, directory: Path | None = None) -> Path:
    """The template file used for ``kind``: the office's copy when it has one, else the shipped one.

    An override folder may hold only the notice it changes; a folder that does not exist is a
    configuration mistake and is reported rather than silently ignored.
    """
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; expected one of {NOTICE_KINDS}")
    if directory is not None:
        if not directory.is_dir():
            raise ScriptError(directory, None, "không tìm thấy thư mục mẫu thông báo")
        candidate = directory / f"{kind}.txt"
        if candidate.is_file():
            return candidate
        logger.debug("no %s notice in %s, using the shipped template", kind, directory)
    return SHIPPED_DIR / f"{kind}.txt"


def render_notice(kind: str, context: Mapping[str, object], *, directory: Path | None = None) -> Notice:
    """Render the ``kind`` notice; every template fault is a ``ScriptError`` naming the file line."""
    path = notice_path(kind, directory)
    stat = path.stat()
    meta, body, body_line = _parsed(path, stat.st_mtime_ns, stat.st_size)
    for key, (_, line) in meta.items():
        if key not in _KEYS:
            raise ScriptError(
                path, line, f"khóa không được hỗ trợ: '{key}' (các khóa hợp lệ: {', '.join(sorted(_KEYS))})"
            )
    for key in sorted(_KEYS):
        if key not in meta:
            raise ScriptError(path, 1, f"thiếu khóa bắt buộc '{key}'")
    declared, kind_line = meta["kind"]
    if declared != kind:
        raise ScriptError(path, kind_line, f"'kind' phải là {kind} (trùng tên tệp), không phải {declared!r}")
    title_source, title_line = meta["title"]
    if not isinstance(title_source, str) or not title_source.strip():
        raise ScriptError(path, title_line, "'title' phải là một dòng chữ không rỗng")
    if not body.strip():
        raise ScriptError(path, body_line, "mẫu thông báo không có nội dung")
    title = " ".join(_render(title_source, context, path, title_line).split())
    if not title:
        raise ScriptError(path, title_line, "tiêu đề thông báo sau khi dựng bị rỗng")
    text = _render(body, context, path, body_line)
    if not text:
        raise ScriptError(path, body_line, "nội dung thông báo sau khi dựng bị rỗng")
    return Notice(kind=kind, title=title, body=text)


@functools.lru_cache(maxsize=16)
def _parsed(path: Path, _mtime_ns: int, _size: int) -> tuple[dict[str, tuple[Any, int]], str, int]:
    """Front matter and body of a template file, re-read only when the file changes (office edits)."""
    front, body, body_line = split_front_matter(path, read_script_text(path))
    return parse_front_matter(path, front), body, body_line


def _render(source: str, context: Mapping[str, object], path: Path, first_line: int) -> str:
    """Render with the script renderer and move its line numbers from the fragment to the file."""
    try:
        return _RENDERER.render_text(source, context, name=str(path))
    except ScriptError as exc:
        line = None if exc.line is None else first_line + exc.line - 1
        raise ScriptError(path, line, exc.message) from None


def sample_notice_context(kind: str, *, reported: bool = True) -> dict[str, object]:
    """Plausible Lợi Bác figures for ``loa check`` and tests: a village behind on both rates, or
    (``reported=False``) one that has sent no report at all, so both branches of a template are tried."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}; expected one of {NOTICE_KINDS}")
    today = SAMPLE_TODAY
    campaign = sample_campaign(today)
    village = replace(sample_village(campaign, today), reasons=("household_behind", "install_behind"))
    if not reported:
        village = replace(
            village,
            households_installed=0,
            installs=0,
            household_rate=0.0,
            install_rate=0.0,
            reasons=("stale",),  # unknown rates are not behind: only silent
            unsafe_households=0,
            last_report=None,
        )
    install_expected = village.expected_install_rate
    reasons = [
        _behind_sentence("hộ có người cài đặt", village.household_rate, village.expected_rate),
        _behind_sentence(
            "người dùng điện thoại thông minh đã cài đặt", village.install_rate, install_expected
        ),
    ]
    if not reported:
        reasons.append(
            f"Thôn chưa gửi báo cáo số liệu nào kể từ ngày bắt đầu kế hoạch {date_vn(campaign.start)}."
        )
    context: dict[str, object] = {
        "commune": SAMPLE_COMMUNE,
        "campaign": campaign,
        "today": today,
        "village": village,
        "reasons": reasons,
    }
    if kind == "reminder":
        context["recipients"] = [
            Recipient("Hoàng Văn Páo", f"Trưởng thôn {village.name}"),
            Recipient("Lộc Văn Thành", f"Tổ trưởng Tổ an ninh trật tự cơ sở thôn {village.name}"),
        ]
    else:
        context["recipients"] = [
            Recipient("Vi Văn Hùng", "Trưởng Công an xã"),
            Recipient("Nông Văn Quý", "Phó Chủ tịch Ủy ban nhân dân xã"),
        ]
        context["reminder_count"] = 3
        context["first_reminder"] = today - timedelta(days=6)
    return context


def _behind_sentence(what: str, rate: float, expected: float) -> str:
    gap = number((expected - rate) * 100, 1)
    return f"Tỷ lệ {what} {percent(rate)}, thấp hơn mức cần đạt {percent(expected)} (chậm {gap} điểm)."
