"""A village head's "khó khăn, vướng mắc" from the phone form and the API to section IV of the police's report:
in the DOCX, the XLSX and the JSON, with the police's own text winning once they write one."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from webkit import NOW, Site, csrf_of, make_site

from loa114.scheduler.cli import main
from loa114.scheduler.db.models import VillageReportRow
from loa114.scheduler.reports.issuing import write_report
from loa114.scheduler.reports.periods import period_of

FIELDS_OK = {"day": "30/11/2026", "households_installed": "60", "installs": "80"}
PHONES = "Nhiều hộ chưa có điện thoại thông minh."
SIGNAL = "Sóng điện thoại yếu ở khu Bản Mới; người già khó thao tác."
NOVEMBER = "period=month&day=30/11/2026"


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Site:
    return make_site(tmp_path, db_url)  # SQLite, and PostgreSQL when LOA_TEST_POSTGRES_URL is set


def _stored(site: Site) -> dict[tuple[str, date], str]:
    with site.app.store.session() as session:
        rows = session.execute(
            select(VillageReportRow.village_id, VillageReportRow.day, VillageReportRow.difficulties)
        )
        return {(v, d): t for v, d, t in rows}


def _textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', page)
    assert found, f"no textarea {name}"
    return unescape(found.group(1))


def test_the_form_stores_the_text_and_a_head_writes_only_their_village(site: Site) -> None:
    head = site.signed_in("village_head")
    form = head.get("/report").text
    assert "Khó khăn, vướng mắc" in form and 'name="difficulties"' in form and 'maxlength="2000"' in form
    token = csrf_of(head, "/report")
    sent = head.post(
        "/report", data={"csrf": token, "village": "na-pan", **FIELDS_OK, "difficulties": f" {PHONES}\x07 "}
    )
    assert sent.status_code == 303
    assert _stored(site) == {("na-pan", date(2026, 11, 30)): PHONES}  # cleaned and trimmed
    assert _textarea(head.get("/report").text, "difficulties") == PHONES  # the next report starts from it
    refused = head.post(
        "/report", data={"csrf": token, "village": "khon-pau", **FIELDS_OK, "difficulties": SIGNAL}
    )
    assert refused.status_code == 403 and ("khon-pau", date(2026, 11, 30)) not in _stored(site)


def test_the_form_refuses_an_over_long_text_beside_the_field_and_keeps_it(site: Site) -> None:
    head = site.signed_in("village_head")
    long = "Khó khăn " * 222 + "cuối"  # 2,002 characters
    response = head.post(
        "/report",
        data={"csrf": csrf_of(head, "/report"), "village": "na-pan", **FIELDS_OK, "difficulties": long},
    )
    assert response.status_code == 400 and _stored(site) == {}
    error = re.search(r'id="e-difficulties"[^>]*>([^<]*)<', response.text)
    assert (
        error
        and error.group(1)
        == "Khó khăn, vướng mắc: dài 2.002 ký tự, quá giới hạn 2.000 ký tự: viết ngắn gọn lại"
    )
    assert _textarea(response.text, "difficulties") == long  # what was typed is not lost


def test_the_api_accepts_the_text_and_refuses_bad_input(site: Site) -> None:
    client = site.client()
    police = {"Authorization": f"Bearer {site.token('police')}"}
    body = {
        "date": "2026-11-29",
        "households_installed": 50,
        "installs": 60,
        "difficulties": f"{SIGNAL}\r\nCần thêm người.",
    }
    sent = client.post("/api/v1/villages/khon-pau/reports", json=body, headers=police)
    assert sent.status_code == 200, sent.text
    assert sent.json()["difficulties"] == f"{SIGNAL}\nCần thêm người." and sent.json()["result"] == "inserted"
    assert _stored(site)[("khon-pau", date(2026, 11, 29))] == f"{SIGNAL}\nCần thêm người."
    without = client.post(
        "/api/v1/villages/khon-pau/reports", json={**body, "difficulties": None}, headers=police
    )
    assert without.json()["result"] == "replaced" and _stored(site)[("khon-pau", date(2026, 11, 29))] == ""

    long = client.post(
        "/api/v1/villages/khon-pau/reports", json={**body, "difficulties": "a" * 2001}, headers=police
    )
    assert long.status_code == 422
    assert long.json()["detail"] == [
        {"field": "difficulties", "message": "dài 2.001 ký tự, quá giới hạn 2.000 ký tự: viết ngắn gọn lại"}
    ]
    for wrong in (5, ["a"], "a" * 9000):  # not text; far beyond any report (refused before it is read)
        response = client.post(
            "/api/v1/villages/khon-pau/reports", json={**body, "difficulties": wrong}, headers=police
        )
        assert response.status_code == 422, wrong
    head = {"Authorization": f"Bearer {site.token('village_head')}"}
    other = client.post("/api/v1/villages/khon-pau/reports", json=body, headers=head)
    assert other.status_code == 403
    assert _stored(site)[("khon-pau", date(2026, 11, 29))] == ""  # nothing refused was stored


def _sender(site: Site) -> Callable[[str, str, str], None]:
    """Send (village, date, text) through the API as the police's system does."""
    police = {"Authorization": f"Bearer {site.token('police')}"}

    def send(village: str, day: str, text: str) -> None:
        body = {"date": day, "households_installed": 10, "installs": 12, "difficulties": text}
        response = site.client().post(f"/api/v1/villages/{village}/reports", json=body, headers=police)
        assert response.status_code == 200, response.text

    return send


def _section_iv_docx(content: bytes) -> list[str]:
    paragraphs = [p.text for p in Document(io.BytesIO(content)).paragraphs]
    start = paragraphs.index("IV. KHÓ KHĂN, VƯỚNG MẮC") + 1
    return paragraphs[start : paragraphs.index("V. ĐỀ XUẤT, KIẾN NGHỊ")]


def _downloads(site: Site, query: str) -> tuple[list[str], str, dict[str, object]]:
    police = site.signed_in("police")
    docx = _section_iv_docx(police.get(f"/reports/download/docx?{query}").content)
    book = load_workbook(io.BytesIO(police.get(f"/reports/download/xlsx?{query}").content))
    data = json.loads(police.get(f"/reports/download/json?{query}").content)
    return docx, str(book["IV-V"]["A2"].value), data


def test_section_iv_gathers_the_villages_texts_of_the_period(site: Site) -> None:
    send = _sender(site)
    send("na-pan", "2026-10-20", "Chuyện tháng trước.")  # October: not in November's report
    send("na-pan", "2026-11-27", SIGNAL)
    send("na-pan", "2026-11-29", PHONES)
    send("na-pan", "2026-11-30", "  nhiều hộ chưa có  điện thoại thông minh.")  # the same words again
    send("khon-pau", "2026-11-28", "Đường vào bản bị sạt lở,\nđi lại khó khăn")
    send("khon-pau", "2026-11-29", "")
    lines = [
        "- Thôn Nà Pàn (30/11/2026): nhiều hộ chưa có  điện thoại thông minh.",
        f"- Thôn Nà Pàn (27/11/2026): {SIGNAL}",
        "- Thôn Khòn Pẩu (28/11/2026): Đường vào bản bị sạt lở, đi lại khó khăn",
    ]
    docx, xlsx, data = _downloads(site, NOVEMBER)
    assert docx == lines and xlsx == "\n".join(lines)
    assert data["difficulties"] == "\n".join(lines)
    assert data["village_difficulties"] == [
        {"village": "na-pan", "village_name": "Nà Pàn", "date": "2026-11-30", "text": "nhiều hộ chưa có  điện thoại thông minh."},
        {"village": "na-pan", "village_name": "Nà Pàn", "date": "2026-11-27", "text": SIGNAL},
        {"village": "khon-pau", "village_name": "Khòn Pẩu", "date": "2026-11-28", "text": "Đường vào bản bị sạt lở,\nđi lại khó khăn"},
    ]  # fmt: skip
    page = site.signed_in("police").get(f"/reports?{NOVEMBER}").text
    assert _textarea(page, "difficulties") == "\n".join(lines)
    assert "Mục IV đang lấy từ khó khăn, vướng mắc các thôn báo cáo trong kỳ (3 ý kiến)" in page
    october, _, _ = _downloads(site, "period=month&day=2026-10-31")
    assert october == ["- Thôn Nà Pàn (20/10/2026): Chuyện tháng trước."]
    september, xlsx, data = _downloads(site, "period=month&day=2026-09-30")
    assert (september, xlsx, data["difficulties"], data["village_difficulties"]) == (
        ["Không có."],
        "Không có.",
        "",
        [],
    )


def _cli_section_iv(site: Site, tmp_path: Path) -> list[str]:
    """Section IV of `loa report` (the command line reads the same notes as the web)."""
    out = tmp_path / "cli.docx"
    code = main(["--config", str(site.app.config.source), "--now", "2026-11-30T09:00+07:00", "report",
                 "--period", "month", "--date", "30/11/2026", "--format", "docx", "-o", str(out)])  # fmt: skip
    assert code == 0
    return _section_iv_docx(out.read_bytes())


def test_the_polices_own_text_wins_and_clearing_it_brings_the_villages_back(
    site: Site, tmp_path: Path
) -> None:
    send = _sender(site)
    send("na-pan", "2026-11-29", PHONES)
    police = site.signed_in("police")
    own = "Một số thôn vùng sâu sóng yếu; Công an xã đã phối hợp với nhà mạng."
    saved = police.post("/reports/notes", data={
        "csrf": csrf_of(police, "/reports"), "period": "month", "day": "30/11/2026", "difficulties": own, "proposals": "",
    })  # fmt: skip
    assert saved.status_code == 303
    docx, xlsx, data = _downloads(site, NOVEMBER)
    assert (
        docx == [own]
        and xlsx == own
        and data["difficulties"] == own
        and _cli_section_iv(site, tmp_path) == [own]
    )
    assert [d["text"] for d in data["village_difficulties"]] == [PHONES]  # still listed for other systems
    page = police.get(f"/reports?{NOVEMBER}").text
    assert _textarea(page, "difficulties") == own and "Mục IV đang lấy từ" not in page
    police.post("/reports/notes", data={
        "csrf": csrf_of(police, "/reports"), "period": "month", "day": "30/11/2026", "difficulties": "  ", "proposals": "",
    })  # fmt: skip
    docx, _, _ = _downloads(site, NOVEMBER)
    assert docx == ["- Thôn Nà Pàn (29/11/2026): Nhiều hộ chưa có điện thoại thông minh."]
    assert _cli_section_iv(site, tmp_path) == docx


def test_saving_the_page_without_touching_section_iv_keeps_following_the_villages(site: Site) -> None:
    send = _sender(site)
    send("na-pan", "2026-11-28", PHONES)
    police = site.signed_in("police")
    page = police.get(f"/reports?{NOVEMBER}").text
    started = _textarea(page, "difficulties")
    assert started == f"- Thôn Nà Pàn (28/11/2026): {PHONES}"
    saved = police.post(
        "/reports/notes",
        data={
            "csrf": csrf_of(police, "/reports"),
            "period": "month",
            "day": "30/11/2026",
            "difficulties": started.replace("\n", "\r\n") + "\r\n",
            "proposals": "Cấp thêm loa.",
        },
    )  # fmt: skip  (a browser sends CRLF)
    assert saved.status_code == 303
    send("khon-pau", "2026-11-29", SIGNAL)  # a village reports after the police saved
    docx, _, data = _downloads(site, NOVEMBER)
    assert (
        docx == [started, f"- Thôn Khòn Pẩu (29/11/2026): {SIGNAL}"] and data["proposals"] == "Cấp thêm loa."
    )


def test_the_issued_report_files_carry_the_villages_texts(site: Site) -> None:
    send = _sender(site)
    send("khon-pau", "2026-11-24", SIGNAL)
    config, store = site.app.config, site.app.store
    docx, xlsx, payload = write_report(config, store, period_of("week", date(2026, 11, 24), config), NOW)
    line = f"- Thôn Khòn Pẩu (24/11/2026): {SIGNAL}"
    assert _section_iv_docx(docx.read_bytes()) == [line]
    assert load_workbook(xlsx)["IV-V"]["A2"].value == line
    assert json.loads(payload.read_text(encoding="utf-8"))["difficulties"] == line


def test_at_most_three_latest_texts_per_village(site: Site) -> None:
    send = _sender(site)
    for day in (25, 26, 27, 28):
        send("na-pan", f"2026-11-{day}", f"Ý kiến ngày {day}.")
    _, _, data = _downloads(site, NOVEMBER)
    assert [d["text"] for d in data["village_difficulties"]] == [
        "Ý kiến ngày 28.",
        "Ý kiến ngày 27.",
        "Ý kiến ngày 26.",
    ]
