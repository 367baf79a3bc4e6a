"""Rendering: Vietnamese filters, strictness, the sandbox, and errors in file coordinates."""

from __future__ import annotations

import time
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from loa114.content.context import (
    AlertInfo,
    CommuneInfo,
    SlotInfo,
    sample_campaign,
    sample_coverage,
    sample_village,
    slot_label,
    template_context,
)
from loa114.content.errors import ScriptError
from loa114.content.library import Script, parse_script
from loa114.content.render import ScriptRenderer

FRONT = "---\nid: {id}\ntitle: Thử\n---\n"  # the body starts on file line 5


@pytest.fixture(scope="module")
def renderer() -> ScriptRenderer:
    return ScriptRenderer()


def script(tmp_path: Path, body: str, stem: str = "thu") -> Script:
    path = tmp_path / f"{stem}.txt"
    path.write_text(FRONT.format(id=stem) + body, encoding="utf-8")
    return parse_script(path)


def context(**extra: object) -> dict[str, object]:
    campaign = sample_campaign(date(2026, 5, 20))
    base = template_context(
        commune=CommuneInfo("Lợi Bác", "Lạng Sơn"),
        campaign=campaign,
        today=date(2026, 5, 20),
        slot=SlotInfo("sang", "05:30", slot_label("05:30")),
        coverage=sample_coverage(campaign, date(2026, 5, 20)),
    )
    return {**base, **extra}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 0.853|percent }}", "85,3%"),
        ("{{ 1.0|percent }}", "100%"),
        ("{{ 0|percent }}", "0%"),
        ("{{ 0.5|percent }}", "50%"),
        ("{{ 0.12345|percent(2) }}", "12,35%"),
        ("{{ 1250|number }}", "1.250"),
        ("{{ 1234567|number }}", "1.234.567"),
        ("{{ 999|number }}", "999"),
        ("{{ 1250.5|number }}", "1.250,5"),
        ("{{ d|date_vn }}", "29/11/2026"),
        ("{{ d|weekday_vn }}", "chủ nhật"),
        ("{{ (d + one)|weekday_vn }}", "thứ hai"),
        ("{{ t|time_vn }}", "14 giờ 20 phút"),
    ],
)
def test_vietnamese_filters(renderer: ScriptRenderer, source: str, expected: str) -> None:
    values = {"d": date(2026, 11, 29), "one": timedelta(days=1), "t": datetime(2026, 11, 29, 14, 20)}
    assert renderer.render_text(source, values) == expected


def test_renders_context_with_attribute_access(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(
        tmp_path,
        "Xã {{ commune.name }}, {{ slot.label }} {{ today|weekday_vn }}: {{ coverage.household_rate|percent }}.",
    )
    assert renderer.render(s, context()) == "Xã Lợi Bác, buổi sáng thứ tư: 76,9%."


def test_undefined_name_is_reported_with_file_line(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(tmp_path, "Kính thưa bà con!\n\nThôn {{ thon.name }} còn ít hộ.\n")
    with pytest.raises(ScriptError) as caught:
        renderer.render(s, context())
    assert caught.value.file == s.path
    assert caught.value.line == 7  # body line 3 → file line 5 + 3 - 1
    assert "thon" in caught.value.message
    lines = s.path.read_text(encoding="utf-8").splitlines()
    assert "thon.name" in lines[caught.value.line - 1]


def test_undefined_attribute_names_it(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(tmp_path, "Dòng một\n{{ coverage.ho_gia_dinh }}")
    with pytest.raises(ScriptError, match="ho_gia_dinh") as caught:
        renderer.render(s, context())
    assert caught.value.line == 6


def test_village_name_outside_village_script_fails(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(tmp_path, "{% if coverage.reported %}\nThôn {{ village.name }}\n{% endif %}")
    with pytest.raises(ScriptError, match="village") as caught:
        renderer.render(s, context())
    assert caught.value.line == 6
    village = sample_village(sample_campaign(), date(2026, 5, 20))
    assert renderer.render(s, context(village=village)) == "Thôn Nà Pàn"


def test_syntax_error_line_in_file_coordinates(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(tmp_path, "Một\nHai\n{% if coverage.reported %}\nBa\n")
    with pytest.raises(ScriptError) as caught:
        renderer.render(s, context())
    assert caught.value.file == s.path and caught.value.line == 8  # end of the body, where Jinja notices
    assert "{% endif %}" in caught.value.message
    s2 = script(tmp_path, "Một\n{{ coverage.households | }}\n", stem="thu2")
    with pytest.raises(ScriptError) as caught2:
        renderer.render(s2, context())
    assert caught2.value.line == 6 and "cú pháp" in caught2.value.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ commune.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ [1, 2].append(3) }}",
        "{{ {'a': 1}.update({'b': 2}) }}",
        "{{ 'x' * 100000000 }}",
        "{{ 10 ** 100000 }}",
    ],
)
def test_sandbox_escapes_are_script_errors(renderer: ScriptRenderer, tmp_path: Path, source: str) -> None:
    s = script(tmp_path, "Dòng một\n" + source)
    started = time.perf_counter()
    with pytest.raises(ScriptError) as caught:
        renderer.render(s, context())
    assert time.perf_counter() - started < 2
    assert caught.value.line == 6 and caught.value.file == s.path


def test_sandbox_never_executes_unsafe_calls(renderer: ScriptRenderer, tmp_path: Path) -> None:
    marker = tmp_path / "da-chay"
    source = "{{ cycler.__init__.__globals__.os.system('touch " + str(marker) + "') }}"
    with pytest.raises(ScriptError):
        renderer.render_text(source, context())
    assert not marker.exists()


def test_any_runtime_error_becomes_script_error(renderer: ScriptRenderer, tmp_path: Path) -> None:
    s = script(tmp_path, "A\nB\n{{ coverage.households / 0 }}")
    with pytest.raises(ScriptError) as caught:
        renderer.render(s, context())
    assert caught.value.line == 7


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{{ nothing }}", "None"),
        ("{{ 'abc'|percent }}", "percent"),
        ("{{ nan|percent }}", "percent"),
        ("{{ 5|date_vn }}", "date_vn"),
    ],
)
def test_bad_values_are_not_read_aloud(renderer: ScriptRenderer, source: str, words: str) -> None:
    with pytest.raises(ScriptError, match=words) as caught:
        renderer.render_text(source, {"nothing": None, "nan": float("nan")}, name="canh-bao.txt")
    assert caught.value.file == Path("canh-bao.txt") and caught.value.line == 1


def test_output_whitespace_is_tidied_and_nfc(renderer: ScriptRenderer, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Bà con")
    body = "\n\nKính thưa   {{ who }}!   \n\n\n\n{% if true %}\nGọi 114.\t\n{% endif %}\n\n\n"
    assert renderer.render(script(tmp_path, body), {"who": decomposed}) == "Kính thưa Bà con!\n\nGọi 114."
    assert renderer.render_text("{{ who }}", {"who": decomposed}) == unicodedata.normalize("NFC", decomposed)


def test_same_renderer_renders_changed_bodies(renderer: ScriptRenderer, tmp_path: Path) -> None:
    assert renderer.render(script(tmp_path, "Một"), {}) == "Một"
    assert renderer.render(script(tmp_path, "Hai"), {}) == "Hai"


def test_alert_context(renderer: ScriptRenderer) -> None:
    ict = timezone(timedelta(hours=7))
    alert = AlertInfo("Cháy tại thôn Nà Pàn.", datetime(2026, 3, 2, 5, 0, tzinfo=ict), ("na-pan",))
    ctx = context(alert=alert)
    text = renderer.render_text(
        "{{ alert.message }} Lúc {{ alert.issued_at|time_vn }} {{ alert.issued_at|date_vn }}.", ctx
    )
    assert text == "Cháy tại thôn Nà Pàn. Lúc 5 giờ 02/03/2026."


@pytest.mark.parametrize(
    ("hhmm", "label"),
    [
        ("05:30", "buổi sáng"),
        ("10:59", "buổi sáng"),
        ("11:00", "buổi trưa"),
        ("12:59", "buổi trưa"),
        ("13:00", "buổi chiều"),
        ("17:59", "buổi chiều"),
        ("18:00", "buổi tối"),
        ("21:15", "buổi tối"),
    ],
)
def test_slot_label(hhmm: str, label: str) -> None:
    assert slot_label(hhmm) == label


@pytest.mark.parametrize("bad", ["5h30", "24:00", "07:60", ""])
def test_slot_label_rejects_bad_times(bad: str) -> None:
    with pytest.raises(ValueError):
        slot_label(bad)


def test_template_context_only_holds_what_applies() -> None:
    ctx = context()
    assert set(ctx) == {"commune", "campaign", "today", "slot", "coverage"}
