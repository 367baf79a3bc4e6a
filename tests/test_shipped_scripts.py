"""The Vietnamese scripts shipped in content/scripts: they load, render and read well on air."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from loa114.content.context import sample_context
from loa114.content.library import Library, Script, load_library
from loa114.content.render import ScriptRenderer

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "content" / "scripts"
LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\bNone\b|\bnan\b|\bTrue\b|\bFalse\b", re.IGNORECASE)
VIETNAMESE = re.compile(r"[ăâđêôơưạảãáàặẳẵắằậẩẫấầẹẻẽéèệểễếềịỉĩíìọỏõóòộổỗốồợởỡớờụủũúùựửữứừỵỷỹýỳ]")


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(SCRIPTS_DIR)


@pytest.fixture(scope="module")
def renderer() -> ScriptRenderer:
    return ScriptRenderer()


def shipped_ids() -> list[str]:
    return sorted(p.stem for p in SCRIPTS_DIR.glob("*.txt"))


def check_reads_well(text: str) -> None:
    assert not LEFTOVERS.search(text), LEFTOVERS.search(text)
    assert unicodedata.is_normalized("NFC", text)
    assert len(VIETNAMESE.findall(text)) > 20
    assert "114" in text


def test_every_shipped_file_loads_without_problems(library: Library) -> None:
    assert len(shipped_ids()) >= 11
    assert library.problems == []
    assert sorted(library.scripts) == shipped_ids()
    for script in library.scripts.values():
        assert script.id.isascii() and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", script.id)
        assert VIETNAMESE.search(script.title)


@pytest.mark.parametrize("script_id", shipped_ids())
@pytest.mark.parametrize("reported", [True, False])
def test_every_shipped_script_renders_with_sample_context(
    library: Library, renderer: ScriptRenderer, script_id: str, reported: bool
) -> None:
    script = library.scripts[script_id]
    text = renderer.render(script, sample_context(script, reported=reported))
    check_reads_well(text)
    words = len(text.split())
    if script.urgent:
        assert 50 <= words <= 200
    else:
        # 60–150 seconds on air at a commune-broadcast pace
        assert 150 <= words <= 350, words
        assert text.startswith("Kính thưa")
    assert re.search(r"(Ủy ban nhân dân xã|Công an xã) Lợi Bác (trân trọng )?thông báo\.$", text)


@pytest.mark.parametrize("script_id", shipped_ids())
def test_renders_after_the_deadline(library: Library, renderer: ScriptRenderer, script_id: str) -> None:
    script = library.scripts[script_id]
    text = renderer.render(script, sample_context(script, today=date(2026, 7, 15)))
    check_reads_well(text)
    assert "còn 0 ngày" not in text


def test_the_set_covers_the_plan(library: Library) -> None:
    regular = library.regular()
    urgent = library.urgent()
    assert urgent is not None
    assert (urgent.repeat, urgent.pinned, urgent.priority) == (3, True, 9)
    assert "alert.message" in urgent.body
    village = [s for s in regular if s.audience == "village"]
    assert len(village) == 1 and "village.households_missing" in village[0].body
    progress = [s for s in regular if "coverage.reported" in s.body]
    assert len(progress) == 1 and progress[0].pinned
    bodies = " ".join(s.body for s in regular)
    for topic in (
        "CH Play",
        "App Store",
        "VNeID",
        "vị trí",
        "thông báo",
        "bình chữa cháy",
        "lối thoát nạn thứ hai",
        "ổ cắm",
        "bàn thờ",
        "đốt nương",
        "kinh doanh",
        "học sinh",
        "sai sự thật",
        "gọi ngay số 114",
    ):
        assert topic in bodies, topic
    assert all(s.repeat in (1, 2) for s in regular)


def progress_script(library: Library) -> Script:
    return next(s for s in library.regular() if "coverage.reported" in s.body)


def test_progress_reads_figures_only_when_reported(library: Library, renderer: ScriptRenderer) -> None:
    script = progress_script(library)
    reported = renderer.render(script, sample_context(script, reported=True))
    unreported = renderer.render(script, sample_context(script, reported=False))
    assert "1.874 trên tổng số 2.436 hộ" in reported and "76,9%" in reported
    assert not re.search(r"\bđạt\b|(?<![\d,])0%|\b0 trên", unreported)
    assert "rà soát, tổng hợp" in unreported and "76,9%" not in unreported


def test_progress_says_when_behind(library: Library, renderer: ScriptRenderer) -> None:
    script = progress_script(library)
    context = sample_context(script)
    context["coverage"] = replace(context["coverage"], household_rate=0.41)  # type: ignore[type-var]
    text = renderer.render(script, context)
    assert "41%" in text and "chậm" in text


def test_village_reminder_before_any_report(library: Library, renderer: ScriptRenderer) -> None:
    script = next(s for s in library.regular() if s.audience == "village")
    context = sample_context(script)
    text = renderer.render(script, context)
    assert "thôn Nà Pàn" in text and "64 hộ chưa có người cài đặt" in text and "54,9%" in text
    context["village"] = replace(
        context["village"], last_report=None, households_installed=0, household_rate=0.0
    )  # type: ignore[type-var]
    silent = renderer.render(script, context)
    check_reads_well(silent)
    assert "chưa gửi báo cáo" in silent and "0 trên" not in silent


def test_urgent_alert_reads_the_message(library: Library, renderer: ScriptRenderer) -> None:
    urgent = library.urgent()
    assert urgent is not None
    context = sample_context(urgent)
    text = renderer.render(urgent, context)
    assert text.startswith("Thông báo khẩn")
    assert context["alert"].message in text  # type: ignore[attr-defined]
    assert "14 giờ 20 phút" in text
