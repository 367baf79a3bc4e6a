"""The web interface in a real browser (Debian's chromium): what each person does, end to end, and a
fuzz of the whole JSON API for server errors. Screenshots for the README land in docs/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from webkit import HCM, PASSWORD, Site, make_site

from loa114.scheduler.db.models import Broadcast, VillageReportRow
from tests.browser import save_screenshot
from tests.fuzz import assert_no_server_errors

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture says why and skips, or fails under REQUIRE_BROWSER=1
    Page = expect = None  # type: ignore[assignment,misc]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.fixture
def base(site: Site, live_server: Callable[[Any], str]) -> str:
    return live_server(site.web)


def sign_in(page: Page, base: str, name: str, path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_sign_in_lands_where_the_person_was_going(page: Page, base: str) -> None:
    page.goto(base + "/reports")
    expect(page).to_have_url(f"{base}/login?next=/reports")
    save_screenshot(page, "dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("police")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("tên đăng nhập hoặc mật khẩu không đúng")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}/reports")
    expect(page.get_by_role("navigation")).to_contain_text("Báo cáo")
    expect(page.get_by_role("navigation")).not_to_contain_text("Tài khoản")  # admins only


def test_admin_adds_a_village_head(page: Page, base: str, site: Site) -> None:
    sign_in(page, base, "admin", "/admin")
    page.get_by_label("Tên đăng nhập (chữ thường không dấu)").fill("truongthon.khonpau")
    page.locator("form[action='/admin/users'] select[name=role]").select_option("village_head")
    page.locator("form[action='/admin/users'] select[name=village]").select_option("khon-pau")
    page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("mot-mat-khau")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã thêm người dùng truongthon.khonpau.")
    save_screenshot(page, "tai-khoan")
    assert "truongthon.khonpau" in [u["name"] for u in site.app.users.listing()]


def test_police_write_sections_four_and_five_and_download_the_report(page: Page, base: str) -> None:
    sign_in(page, base, "police", "/reports?period=month&day=30/11/2026")
    page.get_by_label("IV. KHÓ KHĂN, VƯỚNG MẮC").fill("Thôn Khòn Pẩu sóng điện thoại yếu.")
    page.get_by_label("V. ĐỀ XUẤT, KIẾN NGHỊ").fill("Đề nghị hỗ trợ thêm loa.")
    page.get_by_role("button", name="Lưu mục IV và V").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu mục IV và V")
    save_screenshot(page, "bao-cao")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo (Word) để ký").click()
    assert download.value.suggested_filename == "bao-cao-month-2026-11-01.docx"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_pages_fit_a_phone(page: Page, base: str) -> None:
    sign_in(page, base, "village-head")
    expect(page).to_have_url(f"{base}/")
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def test_no_api_request_makes_the_server_fail(site: Site) -> None:
    token = site.token("admin")
    ran = assert_no_server_errors(site.web, "/api/v1/openapi.json", {"Authorization": f"Bearer {token}"})
    assert "GET /api/v1/me" in ran


def test_operator_hears_and_confirms_a_published_program(
    page: Page, tmp_path: Path, live_server: Callable[[Any], str]
) -> None:
    airtime = datetime(2026, 11, 30, 5, 30, 20, tzinfo=HCM).astimezone(UTC)
    site = make_site(tmp_path, now=airtime)
    site.station.build_days(airtime.astimezone(HCM).date(), 1, airtime, "sang")  # the offline voice
    aired = site.station.air_due(airtime)  # published to the folder: awaiting the operator
    assert {r.status for r in aired} == {"published"}
    base = live_server(site.web)
    sign_in(page, base, "operator", "/today")
    program = page.locator("article.program").first
    duration = program.locator("audio").evaluate(
        "a => new Promise(done => { a.preload = 'metadata'; a.onloadedmetadata = () => done(a.duration); a.load(); })"
    )
    assert duration > 5, duration
    save_screenshot(page, "phat-hom-nay")
    program.get_by_role("button", name="Đã phát", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("chương trình đã phát")
    with site.app.store.session() as session:
        confirmed = session.scalars(select(Broadcast.confirmed_by).where(Broadcast.status == "aired")).all()
    assert confirmed == ["operator"]


def test_police_preview_and_send_an_alert_that_reaches_the_playout_folder(
    page: Page, base: str, site: Site
) -> None:
    sign_in(page, base, "police", "/alert")
    page.get_by_label("Nội dung thông báo khẩn").fill(
        "Đang có cháy tại thôn Nà Pàn, bà con tránh xa khu vực."
    )
    page.get_by_label("Cụm loa trung tâm").check()
    page.get_by_role("button", name="Nghe thử").click()
    expect(page.locator("audio")).to_be_visible()
    page.get_by_label("Tôi đã nghe thử và muốn phát ngay").check()
    save_screenshot(page, "phat-khan-cap")
    page.get_by_role("button", name="Phát ngay").click()
    expect(page.locator("main")).to_contain_text("Buổi phát số")
    manifests = list(site.app.config.playout.dir.glob("*/khan-*/trung-tam/manifest.json"))
    assert len(manifests) == 1 and (manifests[0].parent / "program.mp3").stat().st_size > 10_000


def test_office_edits_a_script_hears_it_and_the_police_approve_it_for_air(
    page: Page, tmp_path: Path, live_server: Callable[[Any], str]
) -> None:
    site = make_site(tmp_path, approval=True)
    base = live_server(site.web)
    sign_in(page, base, "office", "/scripts/goi-114")
    editor = page.locator("textarea[name=content]")
    editor.fill(editor.input_value().rstrip() + "\nBà con hãy gọi 114 ngay.\n")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu bản nháp.")
    page.get_by_role("link", name="Xem và nghe thử").click()
    duration = page.locator("audio").evaluate(
        "a => new Promise(done => { a.preload = 'metadata'; a.onloadedmetadata = () => done(a.duration); a.load(); })"
    )
    assert duration > 1, duration
    save_screenshot(page, "kich-ban-nghe-thu")
    library, held = site.app.studio.plannable(site.runtime.clock.now())
    assert "goi-114" not in library.scripts and "goi-114" in {d.script for d in held}  # a draft: not on air
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, base, "police", "/scripts/goi-114")
    page.get_by_role("button", name="Duyệt nội dung đang hiển thị").click()
    expect(page.get_by_role("status")).to_contain_text("Đã duyệt phiên bản này.")
    library, _ = site.app.studio.plannable(site.runtime.clock.now())
    assert "gọi 114 ngay" in library.scripts["goi-114"].body


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_village_head_sends_figures_from_a_phone_and_coverage_changes(
    page: Page, base: str, site: Site
) -> None:
    sign_in(page, base, "village-head", "/report")
    page.get_by_label("Số hộ đã cài").fill("80")
    page.get_by_label("Số người đã cài").fill("150")
    save_screenshot(page, "bao-cao-thon", full_page=False)
    page.get_by_label("Khó khăn, vướng mắc").fill(
        "Nhiều hộ chưa có điện thoại thông minh.\nĐường vào bản xa."
    )
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("status")).to_be_visible()
    with site.app.store.session() as session:
        stored = session.scalars(select(VillageReportRow.difficulties)).one()
    assert stored == "Nhiều hộ chưa có điện thoại thông minh.\nĐường vào bản xa."
    page.goto(base + "/coverage")
    expect(page.locator("tr", has_text="Nà Pàn")).to_contain_text("80")
    expect(page.locator("main")).not_to_contain_text("Khòn Pẩu")  # another village's figures stay hidden
