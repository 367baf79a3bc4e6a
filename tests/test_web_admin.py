"""`/admin`: only admins manage people and tokens; every change is audited with who made it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from webkit import NOW, PASSWORD, ROLES, Site, csrf_of, make_site

from loa114.scheduler.db.models import Event

ROUTES = [
    ("get", "/admin"),
    ("post", "/admin/users"),
    ("post", "/admin/users/khach/password"),
    ("post", "/admin/users/khach/disable"),
    ("post", "/admin/users/khach/enable"),
    ("post", "/admin/tokens"),
    ("post", "/admin/tokens/x/revoke"),
]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_only_admins_reach_account_management(site: Site, method: str, path: str) -> None:
    site.app.users.add("khach", "office", PASSWORD, NOW)
    anonymous = getattr(site.client(), method)(path)
    assert anonymous.status_code in (303, 403)  # GET → sign in; POST without a session token → refused
    for role in ROLES:
        client = site.signed_in(role)
        data = {"csrf": csrf_of(client, "/")}
        response = client.get(path) if method == "get" else client.post(path, data=data)
        if role == "admin":
            assert response.status_code in (200, 303, 400, 422), (role, path, response.status_code)
        else:
            assert response.status_code == 403 and "không có quyền" in response.text, (role, path)


def test_admin_adds_a_village_head_who_can_then_sign_in(site: Site) -> None:
    admin = site.signed_in("admin")
    form = {"csrf": csrf_of(admin, "/admin"), "name": "truongthon.khonpau", "role": "village_head",
            "village": "khon-pau", "password": "mot-mat-khau"}  # fmt: skip
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 303
    page = admin.get("/admin").text
    assert "Đã thêm người dùng truongthon.khonpau." in page and "trưởng thôn" in page
    head = site.client()
    head.post(
        "/login", data={"name": "truongthon.khonpau", "password": "mot-mat-khau", "csrf": csrf_of(head)}
    )
    assert head.get("/api/v1/me").json()["village_id"] == "khon-pau"
    with site.app.store.session() as session:
        actors = session.scalars(select(Event.actor).where(Event.kind == "UserAdded")).all()
    assert "admin" in actors


def test_bad_user_form_says_what_to_fix_and_adds_nothing(site: Site) -> None:
    admin = site.signed_in("admin")
    form = {
        "csrf": csrf_of(admin, "/admin"),
        "name": "ba",
        "role": "village_head",
        "password": "mot-mat-khau",
    }
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 200 and "trưởng thôn cần --village" in response.text
    assert "ba" not in [u["name"] for u in site.app.users.listing()]


def test_disabled_user_is_signed_out_at_the_next_request(site: Site) -> None:
    office = site.signed_in("office")
    admin = site.signed_in("admin")
    admin.post("/admin/users/office/disable", data={"csrf": csrf_of(admin, "/admin")})
    assert office.get("/").status_code == 303
    refused = admin.post("/admin/users/admin/disable", data={"csrf": csrf_of(admin, "/admin")})
    assert "không thể tự khóa" in refused.text


def test_token_is_shown_once_and_works_until_revoked(site: Site) -> None:
    admin = site.signed_in("admin")
    page = admin.post(
        "/admin/tokens", data={"csrf": csrf_of(admin, "/admin"), "name": "radio-ip", "role": "operator"}
    ).text
    token = re.search(r'<pre id="new-token">([^<]+)</pre>', page)
    assert token is not None
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert site.client().get("/api/v1/me", headers=bearer).json()["name"] == "radio-ip"
    assert token.group(1) not in admin.get("/admin").text  # never shown again
    admin.post("/admin/tokens/radio-ip/revoke", data={"csrf": csrf_of(admin, "/admin")})
    assert site.client().get("/api/v1/me", headers=bearer).status_code == 401


def test_password_reset_lifts_a_lock_out(site: Site) -> None:
    admin = site.signed_in("admin")
    admin.post(
        "/admin/users/police/password", data={"csrf": csrf_of(admin, "/admin"), "password": "moi-hoan-toan"}
    )
    police = site.client()
    refused = police.post("/login", data={"name": "police", "password": PASSWORD, "csrf": csrf_of(police)})
    assert refused.status_code == 401
    signed = police.post(
        "/login", data={"name": "police", "password": "moi-hoan-toan", "csrf": csrf_of(police)}
    )
    assert signed.status_code == 303


def test_audit_log_shows_who_did_what(site: Site) -> None:
    admin, police = site.signed_in("admin"), site.signed_in("police")
    admin.post("/admin/users/police/disable", data={"csrf": csrf_of(admin, "/admin")})
    page = admin.get("/admin/audit").text
    assert "thay đổi tài khoản" in page and "name: police; change: disabled" in page and ">admin<" in page
    only_office = admin.get("/admin/audit?actor=office").text
    assert "Chưa có thao tác nào." in only_office
    assert police.get("/admin/audit").status_code == 303  # disabled: signed out at the next request
    assert site.signed_in("office").get("/admin/audit").status_code == 403
