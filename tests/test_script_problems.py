"""A clerk's script with many mistakes: all of them in one pass, each at its line, in Vietnamese, with a hint.

Also the API `loa check` calls (errors and warnings apart) and the slot matching the scheduler uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loa114.content.checking import ScriptWarning, check_library, check_script
from loa114.content.context import sample_context
from loa114.content.errors import ScriptError
from loa114.content.library import check_script_file, load_library, parse_script
from loa114.content.render import ScriptRenderer
from loa114.content.slots import match_slot

# Fragments of Python or Jinja English that must never reach a clerk.
ENGLISH = re.compile(
    r"object|has no attribute|is undefined|No filter|No test|expected|unexpected|Error\b|content\.|"
    r"\bNone\b|\bTrue\b|\bFalse\b|token|Encountered|mapping|stream|flow|traceback",
    re.IGNORECASE,
)


def write(directory: Path, stem: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.txt"
    path.write_text(text, encoding="utf-8")
    return path


MANY_MISTAKES = """---
id: nhieu-loi
title: Nhiều lỗi
prioriy: 7
repeat: 9
slots: [sáng]
valid_from: 31/02/2026
audience: thon
---
Kính thưa bà con xã {{ commune.nmae }}!
Thôn {{ thon.name }} còn chậm.
Tỷ lệ: {{ coverage.household_rate | phantram }}.
{{ today | date_vn }}
"""


def test_every_problem_of_a_file_is_reported_in_one_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "nhieu-loi", MANY_MISTAKES)
    library = load_library(tmp_path)
    assert library.scripts == {}
    assert [str(p) for p in load_library(tmp_path, check_templates=True).problems] == [
        str(p) for p in library.problems
    ]
    found = [(p.line, p.message) for p in library.problems]
    assert all(p.file == path for p in library.problems)
    lines = [line for line, _ in found]
    assert lines == sorted(lines)
    by_line = {line: message for line, message in found}
    assert "'prioriy'" in by_line[4] and "có phải `priority`?" in by_line[4]
    assert "'repeat'" in by_line[5] and "1 đến 5" in by_line[5]
    assert "'valid_from'" in by_line[7] and "31/02/2026" in by_line[7]
    assert "'audience'" in by_line[8] and "'thon'" in by_line[8]
    assert "'nmae'" in by_line[10] and "có phải `commune.name`?" in by_line[10]
    assert "'thon'" in by_line[11] and "có phải" not in by_line[11] and "commune" in by_line[11]
    assert "'phantram'" in by_line[12] and "có phải `percent`?" in by_line[12] and "date_vn" in by_line[12]
    assert 6 not in by_line  # "slots: [sáng]" is accepted as written
    for message in by_line.values():
        assert not ENGLISH.search(message), message


def test_template_problems_of_a_well_formed_file(tmp_path: Path) -> None:
    """The service loads it (its render fails later, as a manifest decision); `loa check` refuses it."""
    write(tmp_path, "mau-hong", "---\nid: mau-hong\ntitle: Hỏng\n---\n{{ thon }} {{ commune.nmae }}\n")
    assert list(load_library(tmp_path).scripts) == ["mau-hong"]
    strict = load_library(tmp_path, check_templates=True)
    assert strict.scripts == {} and [p.line for p in strict.problems] == [5, 5]


def test_parse_script_still_raises_the_first_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "nhieu-loi", MANY_MISTAKES)
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    assert caught.value.line == 4


def test_slot_text_is_kept_as_written_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sang", "---\nid: sang\ntitle: Buổi sáng\nslots: [sáng, Chiều]\n---\nGọi 114.\n")
    script = parse_script(path)
    assert script.slots == ("sáng", "Chiều")
    assert script.slots_line == 4
    assert script.applies_to_slot("sang") and script.applies_to_slot("chieu")
    assert not script.applies_to_slot("toi")
    one = parse_script(
        write(tmp_path, "mot", "---\nid: mot\ntitle: Một buổi\nslots: sang, toi\n---\nGọi 114.\n")
    )
    assert one.slots == ("sang", "toi")
    everywhere = parse_script(write(tmp_path, "tat-ca", "---\nid: tat-ca\ntitle: Mọi buổi\n---\nGọi 114.\n"))
    assert everywhere.slots is None and everywhere.slots_line is None


@pytest.mark.parametrize(
    ("written", "known", "expected"),
    [
        ("sang", {"sang", "chieu"}, "sang"),
        ("sáng", {"sang", "chieu"}, "sang"),
        ("Chiều", {"sang", "chieu"}, "chieu"),
        (" SÁNG ", {"sang"}, "sang"),
        ("đêm", {"dem"}, "dem"),
        ("toi", {"sang", "chieu"}, None),
        ("sáng", {"sang", "Sang"}, None),  # two ids fold alike: ambiguous
        ("Sang", {"sang", "Sang"}, "Sang"),  # but an exact id wins
    ],
)
def test_match_slot_ignores_case_and_diacritics(written: str, known: set[str], expected: str | None) -> None:
    assert match_slot(written, known) == expected


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("{% if coverage.reported %}\nCó\n", "{% endif %}"),
        ("{% endif %}\n", "không khớp"),
        ("{% iff coverage.reported %}x{% endif %}\n", "có phải `{% if %}`?"),
        ("{{ coverage.households | }}\n", "cú pháp"),
        ("{{ commune.name commune.province }}\n", "thiếu"),
        ("{{ commune. }}\n", "sau dấu chấm"),
    ],
)
def test_syntax_errors_are_vietnamese(tmp_path: Path, body: str, words: str) -> None:
    path = write(tmp_path, "cu-phap", f"---\nid: cu-phap\ntitle: Cú pháp\n---\n{body}")
    script, problems = check_script_file(path)
    assert script is None and len(problems) == 1
    assert problems[0].line is not None and problems[0].line >= 5
    assert words in problems[0].message
    assert not ENGLISH.search(problems[0].message), problems[0].message


def test_village_names_in_a_commune_script_are_caught_unless_guarded(tmp_path: Path) -> None:
    bad = write(tmp_path, "xa", "---\nid: xa\ntitle: Xã\n---\nThôn {{ village.name }}\n")
    _, problems = check_script_file(bad)
    assert [(p.line, "audience: village" in p.message) for p in problems] == [(5, True)]
    guarded = write(
        tmp_path,
        "co-dieu-kien",
        "---\nid: co-dieu-kien\ntitle: Có\n---\n{% if village is defined %}{{ village.name }}{% endif %}\n",
    )
    assert check_script_file(guarded)[1] == []
    village = write(
        tmp_path, "thon", "---\nid: thon\ntitle: Thôn\naudience: village\n---\nThôn {{ village.nam }}\n"
    )
    _, problems = check_script_file(village)
    assert "có phải `village.name`?" in problems[0].message


def test_loops_sets_and_date_attributes_are_not_false_alarms(tmp_path: Path) -> None:
    body = (
        "{% set ten = commune.name %}{{ ten }} {{ today.year }} {{ campaign.deadline.day }}\n"
        "{% for ly_do in village.reasons %}{{ loop.index }}. {{ ly_do }}{% endfor %}\n"
        "{{ today.yaer }}\n"
    )
    path = write(tmp_path, "vong", f"---\nid: vong\ntitle: Vòng\naudience: village\n---\n{body}")
    _, problems = check_script_file(path)
    assert [p.line for p in problems] == [8]
    assert "'yaer'" in problems[0].message and "`today.year`" in problems[0].message


def test_render_time_errors_are_vietnamese(tmp_path: Path) -> None:
    renderer = ScriptRenderer()
    script = parse_script(
        write(tmp_path, "chia", "---\nid: chia\ntitle: Chia\n---\nA\n{{ coverage.households / 0 }}\n")
    )
    problems = renderer.problems(script, [sample_context(script)])
    assert [p.line for p in problems] == [6]
    assert "chia cho 0" in problems[0].message
    with pytest.raises(ScriptError) as caught:  # found only at render time: "x" is no context name
        renderer.render_text("{{ x.nmae }}", {"x": sample_context(script)["commune"]})
    assert "'nmae'" in caught.value.message and "có phải `commune.name`?" in caught.value.message
    assert not ENGLISH.search(caught.value.message)


@pytest.mark.parametrize(
    "source", ["{{ ''.__class__ }}", "{{ 'a' + 1 }}", "{{ 'x' * 100000000 }}", "{{ x.nmae }}"]
)
def test_no_render_error_speaks_python(source: str) -> None:
    with pytest.raises(ScriptError) as caught:
        ScriptRenderer().render_text(source, {"x": "chữ"}, name="thu.txt")
    assert caught.value.line == 1
    assert not ENGLISH.search(caught.value.message), caught.value.message


def test_check_api_separates_errors_from_warnings(tmp_path: Path) -> None:
    write(tmp_path, "tot", "---\nid: tot\ntitle: Tốt\n---\nLiên hệ VT hoặc cskh@loibac.gov.vn. Gọi 114.\n")
    write(tmp_path, "xau", "---\nid: xau\ntitle: Xấu\npriority: 0\n---\n{{ thon }}\n")
    report = check_library(tmp_path)
    assert not report.ok
    assert sorted((Path(e.file).stem, e.line) for e in report.errors) == [("xau", 4), ("xau", 6)]
    assert all(isinstance(w, ScriptWarning) for w in report.warnings)
    messages = [str(w) for w in report.warnings]
    assert any(":5: 'VT' sẽ được đọc từng chữ cái: “vê tê”" in m for m in messages), messages
    assert any("phần 'cskh'" in m for m in messages), messages
    script = report.library.scripts["tot"]
    errors, warnings = check_script(script, contexts=lambda s: [sample_context(s)])
    assert errors == [] and len(warnings) == 2
