"""The web interface in a real browser (Debian's chromium): what each person does, end to end, and a
fuzz of the whole JSON API for server errors. Screenshots for the README land in docs/screenshots/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from webkit import PASSWORD, Site, make_site

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
