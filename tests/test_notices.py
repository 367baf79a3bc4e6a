"""Notice templates: what the village head and the commune leaders read, and errors in file coordinates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from loa114.content.errors import ScriptError
from loa114.content.notices import NOTICE_KINDS, SHIPPED_DIR, Notice, render_notice, sample_notice_context

LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\bNone\b|\bnan\b|\*\*|^#", re.MULTILINE)


def render(kind: str, **changes: object) -> Notice:
    context = sample_notice_context(kind)
    context.update(changes)
    return render_notice(kind, context)


@pytest.mark.parametrize("kind", NOTICE_KINDS)
@pytest.mark.parametrize("reported", [True, False])
def test_shipped_notices_render_clean_printable_text(kind: str, reported: bool) -> None:
    context = sample_notice_context(kind, reported=reported)
    notice = render_notice(kind, context)
    assert notice.kind == kind
    assert notice.title and "\n" not in notice.title
    for text in (notice.title, notice.body):
        assert not LEFTOVERS.search(text), LEFTOVERS.search(text)
        assert unicodedata.normalize("NFC", text) == text
    assert "Nà Pàn" in notice.title
    for reason in context["reasons"]:  # type: ignore[attr-defined]
        assert reason in notice.body
    assert "CÔNG AN XÃ LỢI BÁC" in notice.body
    assert "Kính gửi:" in notice.body


@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_notice_states_the_figures_and_what_to_do(kind: str) -> None:
    body = render(kind).body
    # 78 of 142 households, 54,9% against 70,7% expected on 20/05/2026; 64 missing; 9 unsafe; 41 days left
    for figure in ("78/142 hộ", "54,9%", "70,7%", "64 hộ chưa có người cài đặt", "151/318", "47,5%"):
        assert figure in body
    assert "an toàn phòng cháy, chữa cháy: 9 hộ" in body
    assert "ngày 30/06/2026, còn 41 ngày" in body
    assert "báo cáo gần nhất ngày 17/05/2026" in body
    assert re.search("đến từng hộ|gõ từng nhà", body) and "hỗ trợ cài đặt tận nhà" in body
    assert "người cao tuổi" in body


def test_reminder_is_addressed_to_village_head_and_security_leader() -> None:
    body = render("reminder").body
    assert "- Đồng chí Hoàng Văn Páo, Trưởng thôn Nà Pàn;" in body
    assert "- Đồng chí Lộc Văn Thành, Tổ trưởng Tổ an ninh trật tự cơ sở thôn Nà Pàn." in body
    assert "đi từng ngõ, gõ từng nhà, trước hết là 64 hộ" in body


def test_escalation_counts_reminders_since_the_first_and_asks_for_direction() -> None:
    notice = render("escalation", reminder_count=4, first_reminder=date(2026, 5, 2))
    assert "sau 4 lần nhắc nhở" in notice.title
    assert "Từ ngày 02/05/2026 đến nay, Công an xã đã 4 lần gửi thông báo nhắc nhở" in notice.body
    assert "chưa có chuyển biến" in notice.body
    assert "cho ý kiến chỉ đạo" in notice.body
    assert "- Đồng chí Vi Văn Hùng, Trưởng Công an xã;" in notice.body


@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_village_without_report_gets_no_misleading_zero_figures(kind: str) -> None:
    body = render_notice(kind, sample_notice_context(kind, reported=False)).body
    assert "Thôn chưa gửi báo cáo số liệu nào về Công an xã" in body
    assert "0/142" not in body and "báo cáo gần nhất" not in body
    assert "báo cáo ngay" in body or "báo cáo số liệu cài đặt của thôn về Công an xã ngay" in body
    assert "an toàn phòng cháy, chữa cháy: " not in body  # no unsafe line when there are none


@pytest.mark.parametrize("kind", NOTICE_KINDS)
def test_deadline_today_and_past(kind: str) -> None:
    campaign = sample_notice_context(kind)["campaign"]
    deadline = campaign.deadline  # type: ignore[attr-defined]
    on_day = render(kind, today=deadline, campaign=replace(campaign, days_left=0)).body  # type: ignore[type-var]
    assert "ngày 30/06/2026, tức là ngay hôm nay." in on_day
    late = render(kind, today=deadline + timedelta(days=5), campaign=replace(campaign, days_left=0)).body  # type: ignore[type-var]
    assert "ngày 30/06/2026, đã quá hạn 5 ngày." in late


def test_missing_contacts_fall_back_to_the_offices() -> None:
    assert "- Đồng chí Trưởng thôn Nà Pàn;" in render("reminder", recipients=[]).body
    body = render("escalation", recipients=[]).body
    assert "- Đồng chí Phó Chủ tịch Ủy ban nhân dân xã Lợi Bác." in body


def test_contact_without_role_is_named_alone() -> None:
    from loa114.content.notices import Recipient

    body = render("reminder", recipients=[Recipient("Hoàng Văn Páo")]).body
    assert "- Đồng chí Hoàng Văn Páo.\n" in body


def write(directory: Path, kind: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{kind}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_office_override_replaces_one_notice_and_keeps_the_other(tmp_path: Path) -> None:
    override = tmp_path / "mau"
    write(
        override,
        "reminder",
        '---\nkind: reminder\ntitle: "Nhắc thôn {{ village.name }}"\n---\nThôn {{ village.name }}: {{ village.household_rate|percent }}.\n',
    )
    reminder = render_notice("reminder", sample_notice_context("reminder"), directory=override)
    assert reminder == Notice("reminder", "Nhắc thôn Nà Pàn", "Thôn Nà Pàn: 54,9%.")
    escalation = render_notice("escalation", sample_notice_context("escalation"), directory=override)
    assert escalation == render_notice("escalation", sample_notice_context("escalation"))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # undefined attribute on body line 3 → file line 7
        (
            "---\nkind: reminder\ntitle: Nhắc\n---\nKính gửi\n\nThôn {{ village.nam }}\n",
            7,
            "không có thuộc tính 'nam'",
        ),
        (
            "---\nkind: reminder\ntitle: Nhắc\n---\n{% if village.households > 0 %}\nThôn\n",
            6,  # Jinja notices the missing endif at the end of the file
            "chưa được đóng",
        ),
        ('---\nkind: reminder\ntitle: "Nhắc {{ thon }}"\n---\nThôn\n', 3, "'thon'"),
        ("---\nkind: escalation\ntitle: Nhắc\n---\nThôn\n", 2, "'kind' phải là reminder"),
        ("---\nkind: reminder\ntitle: Nhắc\nslots: all\n---\nThôn\n", 4, "khóa không được hỗ trợ"),
        ("---\nkind: reminder\n---\nThôn\n", 1, "thiếu khóa bắt buộc 'title'"),
        ("---\nkind: reminder\ntitle: Nhắc\n---\nNgày {{ village.last_report }}\n", 5, "None"),
        ("kind: reminder\ntitle: Nhắc\nThôn\n", 1, "'---'"),
    ],
)
def test_broken_override_names_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path / "mau", "reminder", text)
    context = sample_notice_context("reminder", reported=False)
    with pytest.raises(ScriptError) as caught:
        render_notice("reminder", context, directory=tmp_path / "mau")
    assert caught.value.file == path
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_missing_override_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="không tìm thấy thư mục"):
        render_notice("reminder", sample_notice_context("reminder"), directory=tmp_path / "khong-co")


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown notice kind"):
        render_notice("thank-you", {})
    with pytest.raises(ValueError):
        sample_notice_context("thank-you")


def test_shipped_templates_exist_as_plain_utf8_files() -> None:
    for kind in NOTICE_KINDS:
        raw = (SHIPPED_DIR / f"{kind}.txt").read_bytes()
        text = raw.decode("utf-8")
        assert text.startswith("---\n")
        assert f"kind: {kind}\n" in text
