"""`/reports`: the police read the period's figures, write sections IV and V, and download what they sign."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from webkit import NOW, ROLES, Site, csrf_of, make_site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.mark.parametrize("path", ["/reports", "/reports/download/docx", "/reports/download/json"])
def test_only_police_and_admins_open_reports(site: Site, path: str) -> None:
    assert site.client().get(path).status_code == 303
    for role in ROLES:
        status = site.signed_in(role).get(path).status_code
        assert status == (200 if role in ("police", "admin") else 403), (role, path)


def test_notes_are_saved_and_carried_into_every_download(site: Site) -> None:
    police = site.signed_in("police")
    page = police.get("/reports?period=month&day=30/11/2026")
    assert "Tháng 11 năm 2026" in page.text and "Tải báo cáo (Word) để ký" in page.text
    saved = police.post("/reports/notes", data={
        "csrf": csrf_of(police, "/reports"), "period": "month", "day": "30/11/2026",
        "difficulties": "Thôn Khòn Pẩu sóng điện thoại yếu\x0b(dán từ Word)", "proposals": "Cấp thêm loa.",
    })  # fmt: skip
    assert saved.status_code == 303
    assert "Sửa lần cuối: police" in police.get(saved.headers["location"]).text
    docx = police.get("/reports/download/docx?period=month&day=2026-11-30")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Thôn Khòn Pẩu sóng điện thoại yếu\n(dán từ Word)" in text and "Cấp thêm loa." in text
    data = json.loads(police.get("/reports/download/json?period=month&day=2026-11-30").content)
    assert data["proposals"] == "Cấp thêm loa." and data["period"]["first"] == "2026-11-01"
    book = load_workbook(io.BytesIO(police.get("/reports/download/xlsx?period=month&day=2026-11-30").content))
    assert book["IV-V"]["A5"].value == "Cấp thêm loa."
    other_month = police.get("/reports/download/json?period=month&day=2026-10-15").json()
    assert other_month["proposals"] == ""  # notes belong to their period


def test_bad_period_or_date_is_a_clear_400(site: Site) -> None:
    police = site.signed_in("police")
    assert "kỳ báo cáo &#39;year&#39; không có" in police.get("/reports?period=year").text
    response = police.get("/reports?period=month&day=32/13/2026")
    assert response.status_code == 400 and "không hợp lệ" in response.text
    assert police.get("/reports/download/pdf").status_code == 400


def test_reports_issued_on_schedule_are_listed_and_served_safely(site: Site) -> None:
    from loa114.scheduler.reports.issuing import issue_due

    issue_due(site.app.config, site.app.store, NOW)  # Monday 30/11 08:00: last Friday's week is due
    police = site.signed_in("police")
    page = police.get("/reports").text
    assert "bao-cao-week-2026-11-23.docx" in page
    download = police.get("/reports/issued/bao-cao-week-2026-11-23.docx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    for name in ("..%2Fconfig.yaml", "bao-cao-week-2026-11-23.docx.bak", "bao-cao-year-2026-11-23.docx"):
        assert police.get(f"/reports/issued/{name}").status_code == 404
    assert site.signed_in("office").get("/reports/issued/bao-cao-week-2026-11-23.docx").status_code == 403
