"""The campaign on the web: coverage, import, the village report form and its API, reminders and their
printable notices — each checked against what the command line's own code does."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from webkit import NOW, Site, csrf_of, make_site

from loa114.scheduler.campaign.importer import read_reports
from loa114.scheduler.db.models import Delivery, Event, VillageReportRow

GOOD_CSV = "Ngày,Thôn,Số hộ đã cài,Số người đã cài\n30/11/2026,Nà Pàn,100,150\n30/11/2026,Khòn Pẩu,40,60\n"
BAD_CSV = "Ngày,Thôn,Số hộ đã cài,Số người đã cài\n30/11/2026,Nà Pàn,100,150\n30/11/2026,Khòn Pẩu,abc,60\n"
FIELDS_OK = {"day": "30/11/2026", "households_installed": "60", "installs": "80"}


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Site:
    return make_site(tmp_path, db_url)  # SQLite, and PostgreSQL when LOA_TEST_POSTGRES_URL is set


def _reports(site: Site) -> int:
    with site.app.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(VillageReportRow)) or 0)


def _upload(client: TestClient, name: str, text: str) -> Response:
    data = {"csrf": csrf_of(client, "/coverage")}
    files = {"file": (name, io.BytesIO(text.encode("utf-8")), "text/csv")}
    return client.post("/coverage/import", data=data, files=files)


def _row(html: str, village: str) -> str:
    found = re.search(rf'<tr data-village="{village}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {village}"
    return found.group(1)


def test_import_with_a_bad_row_lists_it_and_imports_nothing(site: Site) -> None:
    police = site.signed_in("police")
    response = _upload(police, "bao-cao.csv", BAD_CSV)
    assert response.status_code == 400
    assert "dòng 3, cột Số hộ đã cài: phải là số nguyên, không phải &#39;abc&#39;" in response.text
    assert "không nhập dòng nào" in response.text
    assert _reports(site) == 0
    assert "chưa có số liệu" in _row(police.get("/coverage").text, "na-pan")


def test_import_of_a_good_file_changes_the_coverage_table(site: Site) -> None:
    police = site.signed_in("police")
    before = _row(police.get("/coverage").text, "na-pan")
    response = _upload(police, "Báo cáo tuần 48.csv", GOOD_CSV)
    assert response.status_code == 303 and response.headers["location"] == "/coverage"
    page = police.get("/coverage").text
    assert "Đã nhập Báo cáo tuần 48.csv: 2 dòng — 2 mới" in page
    after = _row(page, "na-pan")
    assert after != before and "<td>100</td>" in after and "70,4 %" in after  # 100 of 142 households
    with site.app.store.session() as session:
        event = session.scalars(select(Event).where(Event.kind == "CoverageReported")).one()
        sources = set(session.scalars(select(VillageReportRow.source)))
    assert event.actor == "police" and sources == {"Báo cáo tuần 48.csv"}
    assert "Đã nhập" not in police.get("/coverage").text  # the message is shown once


def test_import_refuses_other_file_types_and_empty_files(site: Site) -> None:
    police = site.signed_in("police")
    wrong = _upload(police, "bao-cao.pdf", GOOD_CSV)
    assert wrong.status_code == 400 and "chỉ nhận tệp .xlsx hoặc .csv" in wrong.text
    empty = _upload(police, "bao-cao.csv", "")
    assert empty.status_code == 400 and "tệp trống" in empty.text
    assert _reports(site) == 0


def test_blank_form_downloads_as_a_valid_xlsx_with_a_vietnamese_name(site: Site, tmp_path: Path) -> None:
    response = site.signed_in("office").get("/coverage/template.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''M%E1%BA%ABu%20b%C3%A1o%20c%C3%A1o" in response.headers["content-disposition"]
    path = tmp_path / "mau.xlsx"
    path.write_bytes(response.content)
    assert load_workbook(path).sheetnames == ["Báo cáo", "Hướng dẫn", "Danh sách thôn"]
    parsed = read_reports(path, site.app.config.villages, today=NOW.date())
    assert parsed.errors[0].message == "tệp không có dòng số liệu nào"  # blank, yet read by the importer


def test_village_head_sees_and_sends_only_their_own_village(site: Site) -> None:
    site.signed_in("police").post(
        "/report", data={"csrf": csrf_of(site.signed_in("police"), "/"), "village": "khon-pau", **FIELDS_OK}
    )
    _upload(site.signed_in("police"), "b.csv", GOOD_CSV)
    head = site.signed_in("village_head")
    page = head.get("/coverage").text
    assert 'data-village="na-pan"' in page and "Khòn Pẩu" not in page and "khon-pau" not in page
    assert "Toàn xã" not in page  # the commune's totals add up other villages' figures
    form = head.get("/report").text
    assert "Nà Pàn" in form and "Khòn Pẩu" not in form and "khon-pau" not in form  # no village picker
    assert head.get("/report?village=khon-pau").status_code == 403
    refused = head.post("/report", data={"csrf": csrf_of(head, "/"), "village": "khon-pau", **FIELDS_OK})
    assert refused.status_code == 403
    api = head.get("/api/v1/coverage").json()
    assert [v["id"] for v in api["villages"]] == ["na-pan"] and api["totals"] is None
    token = {"Authorization": f"Bearer {site.token('village_head')}"}
    sent = head.post(
        "/api/v1/villages/khon-pau/reports", json={"households_installed": 1, "installs": 1}, headers=token
    )
    assert sent.status_code == 403 and "thôn mình" in sent.json()["detail"]


def test_form_rejects_with_the_importers_own_message_beside_the_field(site: Site, tmp_path: Path) -> None:
    head = site.signed_in("village_head")
    fields = {"day": "30/11/2026", "households_installed": "60", "installs": "40", "with_extinguisher": "500"}
    response = head.post("/report", data={"csrf": csrf_of(head, "/report"), "village": "na-pan", **fields})
    assert response.status_code == 400 and _reports(site) == 0
    csv = tmp_path / "one.csv"
    csv.write_text(
        "Ngày,Thôn,Số hộ đã cài,Số người đã cài,Số hộ có bình chữa cháy\n30/11/2026,na-pan,60,40,500\n",
        encoding="utf-8",
    )
    problems = {
        p.column: p.message for p in read_reports(csv, site.app.config.villages, today=NOW.date()).errors
    }
    for field, header in (("installs", "Số người đã cài"), ("with_extinguisher", "Số hộ có bình chữa cháy")):
        error = re.search(rf'id="e-{field}"[^>]*>([^<]*)<', response.text)
        assert error and error.group(1) == f"{header}: {problems[header]}"
    assert 'id="f-installs" name="installs" value="40"' in response.text  # what was typed is kept


def test_form_submit_is_stored_like_an_import_and_changes_the_coverage(site: Site) -> None:
    head = site.signed_in("village_head")
    token = csrf_of(head, "/report")
    sent = head.post(
        "/report",
        data={"csrf": token, "village": "na-pan", **FIELDS_OK, "unsafe_households": "Hộ số 12: thiếu bình"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/report"
    assert "Báo cáo thôn Nà Pàn ngày 30/11/2026: đã lưu." in head.get("/report").text
    assert "<td>60</td>" in _row(head.get("/coverage").text, "na-pan")
    again = head.post("/report", data={"csrf": token, "village": "na-pan", **FIELDS_OK, "installs": "90"})
    assert again.status_code == 303 and "đã thay số liệu" in head.get("/report").text
    with site.app.store.session() as session:
        (row,) = session.scalars(select(VillageReportRow)).all()
        replaced = session.scalars(select(Event).where(Event.kind == "ReportReplaced")).one()
    assert (row.installs, row.unsafe_households, row.source) == (90, [], "biểu mẫu web")
    assert replaced.actor == "village-head" and replaced.payload["before"]["installs"] == 80


def test_api_submit_twice_is_idempotent_and_checked_like_a_file(site: Site) -> None:
    client, token = site.client(), {"Authorization": f"Bearer {site.token('police')}"}
    body = {"date": "2026-11-29", "households_installed": 50, "installs": 60}
    first = client.post("/api/v1/villages/khon-pau/reports", json=body, headers=token)
    second = client.post(
        "/api/v1/villages/khon-pau/reports", json={**body, "date": "29/11/2026"}, headers=token
    )
    assert (first.status_code, first.json()["result"]) == (200, "inserted")
    assert (second.status_code, second.json()["result"]) == (200, "unchanged")
    assert first.json()["coverage"]["households_installed"] == 50 and _reports(site) == 1
    bad = client.post(
        "/api/v1/villages/khon-pau/reports",
        json={**body, "households_installed": 97, "installs": 120},
        headers=token,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {"field": "households_installed", "message": "97 lớn hơn số hộ của thôn Khòn Pẩu (96)"}
    ]
    late = client.post(
        "/api/v1/villages/khon-pau/reports", json={**body, "date": "01/12/2026"}, headers=token
    )
    assert late.status_code == 422 and late.json()["detail"][0]["field"] == "date"
    huge = client.post(
        "/api/v1/villages/khon-pau/reports", json={**body, "smartphone_users": 10**30}, headers=token
    )
    assert huge.status_code == 422 and "quá lớn" in huge.json()["detail"][0]["message"]
    assert client.post("/api/v1/villages/xyz/reports", json=body, headers=token).status_code == 404
    today = client.post(
        "/api/v1/villages/na-pan/reports", json={"households_installed": 1, "installs": 1}, headers=token
    )
    assert today.json()["date"] == "2026-11-30"  # no date: today in the commune


def test_coverage_dates_in_both_forms_and_a_clear_refusal(site: Site) -> None:
    police = site.signed_in("police")
    assert police.get("/api/v1/coverage?date=31/12/2026").json()["date"] == "2026-12-31"
    target = site.app.config.campaign.targets.household_rate  # the plan reaches it on the deadline
    assert police.get("/api/v1/coverage?date=2026-12-31").json()["expected_rate"] == target
    wrong = police.get("/api/v1/coverage?date=31/02/2026")
    assert wrong.status_code == 400 and "date: ngày không hợp lệ" in wrong.json()["detail"]
    page = police.get("/coverage?date=abc")
    assert page.status_code == 400 and "ngày không hợp lệ" in page.text


def test_chart_has_one_path_per_village_through_its_reports_in_date_order(site: Site) -> None:
    police = site.signed_in("police")
    token = csrf_of(police, "/")
    for day, installed in (("20/11/2026", "30"), ("10/11/2026", "10"), ("30/11/2026", "70")):
        fields = {"day": day, "households_installed": installed, "installs": installed}
        assert police.post("/report", data={"csrf": token, "village": "na-pan", **fields}).status_code == 303
    _upload(police, "b.csv", "Ngày,Thôn,Số hộ đã cài,Số người đã cài\n30/11/2026,Khòn Pẩu,40,60\n")
    page = police.get("/coverage").text
    paths = dict(re.findall(r'<path class="village" data-village="([^"]+)" d="([^"]+)"', page))
    assert set(paths) == {"na-pan", "khon-pau"}
    points = [tuple(map(float, p.split())) for p in re.split(r"[ML] ", paths["na-pan"]) if p.strip()]
    assert len(points) == 3
    assert [x for x, _ in points] == sorted(x for x, _ in points)  # oldest report first
    assert [y for _, y in points] == sorted((y for _, y in points), reverse=True)  # 10, 30, 70 households: up


def test_reminders_list_retry_and_printable_notices(site: Site) -> None:
    police = site.signed_in("police")
    _upload(police, "b.csv", GOOD_CSV)  # both villages lag: reminders queued
    site.app.outbox.deliver_due(NOW)  # the file channel writes each notice as .docx and .txt
    page = police.get("/reminders").text
    links = re.findall(r'href="(/reminders/files/[^"]+)"', page)
    assert any(link.endswith(".docx") for link in links) and "Nhắc nhở" in page and "đã gửi" in page
    docx = police.get(links[0])
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    with site.app.store.session() as session:
        session.execute(update(Delivery).values(status="failed", last_error="hết giấy"))
        notice_id = session.scalars(select(Delivery.notice_id)).first()
    assert "Gửi lại" in police.get("/reminders").text
    retried = police.post(f"/reminders/{notice_id}/retry", data={"csrf": csrf_of(police, "/reminders")})
    assert retried.status_code == 303 and "sẽ được gửi lại" in police.get("/reminders").text
    with site.app.store.session() as session:
        event = session.scalars(select(Event).where(Event.kind == "NoticeRetried")).one()
    assert event.actor == "police" and event.payload["notice_id"] == notice_id
    api = police.get("/api/v1/reminders?date=30/11/2026").json()
    assert {n["village"] for n in api} == {"na-pan", "khon-pau"} and api[0]["deliveries"]


def test_notice_files_never_leave_the_notices_folder(site: Site, tmp_path: Path) -> None:
    folder = site.app.config.notices.dir
    (folder / "2026-11-30").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("mật", encoding="utf-8")
    (folder / "2026-11-30" / "link.txt").symlink_to(secret)
    (folder / "2026-11-30" / "ok.txt").write_text("thông báo", encoding="utf-8")
    police = site.signed_in("police")
    assert police.get("/reminders/files/2026-11-30/ok.txt").status_code == 200
    for path in (
        "/reminders/files/2026-11-30/link.txt",
        "/reminders/files/2026-11-30/..%2F..%2Fsecret.txt",
        "/reminders/files/..%2F..%2F/secret.txt",
        "/reminders/files/2026-11-30/.hidden.txt",
        "/reminders/files/2026-11-30/loa.db",
        "/reminders/files/x/ok.txt",
    ):
        response = police.get(path)
        assert response.status_code == 404, path
        assert "mật" not in response.text
