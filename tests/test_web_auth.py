"""Signing in, roles and the web's defences: every refusal a person or a system can meet."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from webkit import NOW, PASSWORD, Site, csrf_of, make_site

from loa114.scheduler.accounts import AccountError, LoginRefused
from loa114.scheduler.cli import main
from loa114.scheduler.db.models import Event


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


def test_pages_redirect_to_login_and_back_after_signing_in(site: Site) -> None:
    client = site.client()
    response = client.get("/?x=1")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/%3Fx%3D1"
    page = client.get(response.headers["location"])
    assert "Đăng nhập" in page.text and 'value="/?x=1"' in page.text
    signed = client.post(
        "/login", data={"name": "office", "password": PASSWORD, "csrf": csrf_of(client), "next": "/?x=1"}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/?x=1"
    home = client.get("/")
    assert home.status_code == 200 and "Xin chào, office" in home.text and "văn hóa - xã hội" in home.text


def test_api_without_credentials_is_401_json(site: Site) -> None:
    response = site.client().get("/api/v1/me")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "đăng nhập" in response.json()["detail"]


def test_bearer_token_and_its_revocation(site: Site) -> None:
    token = site.token("operator")
    client = site.client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {
        "name": "he-thong-operator",
        "role": "operator",
        "village_id": None,
        "via_token": True,
    }
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer loa114_wrong"}).status_code == 401
    site.app.tokens.revoke("he-thong-operator", NOW)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_wrong_password_is_refused_in_vietnamese_without_saying_which(site: Site) -> None:
    client = site.client()
    for name in ("office", "nobody"):
        response = client.post("/login", data={"name": name, "password": "sai", "csrf": csrf_of(client)})
        assert response.status_code == 401
        assert "tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert client.get("/").status_code == 303  # still not signed in


def test_five_failures_lock_the_account_for_fifteen_minutes(site: Site) -> None:
    users = site.app.users
    for _ in range(5):
        with pytest.raises(LoginRefused):
            users.sign_in("police", "sai", NOW)
    with pytest.raises(LoginRefused, match="tạm khóa"):
        users.sign_in("police", PASSWORD, NOW + timedelta(minutes=14))
    assert users.sign_in("police", PASSWORD, NOW + timedelta(minutes=15, seconds=1)).name == "police"
    with site.app.store.session() as session:
        kinds = session.scalars(select(Event.payload).where(Event.kind == "SignInFailed")).all()
    assert [k["locked"] for k in kinds] == [False, False, False, False, True]


def test_forms_without_the_session_token_are_refused(site: Site) -> None:
    client = site.client()
    refused = client.post("/login", data={"name": "office", "password": PASSWORD})
    assert refused.status_code == 403 and "tải lại trang" in refused.text
    signed = site.signed_in("office")
    assert signed.post("/logout").status_code == 403
    assert signed.get("/").status_code == 200  # still signed in
    assert signed.post("/logout", data={"csrf": csrf_of(signed, "/")}).status_code == 303
    assert signed.get("/").status_code == 303


def test_no_open_redirect_after_signing_in(site: Site) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = site.client()
        response = client.post(
            "/login", data={"name": "office", "password": PASSWORD, "csrf": csrf_of(client), "next": target}
        )
        assert response.headers["location"] == "/"


def test_session_cookie_and_security_headers(site: Site) -> None:
    client = site.client()
    response = client.post("/login", data={"name": "office", "password": PASSWORD, "csrf": csrf_of(client)})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    for path in ("/", "/login", "/healthz", "/khong-co", "/static/style.css"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    missing = client.get("/khong-co")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.text


def test_bodies_over_the_limit_are_refused_before_reading(site: Site) -> None:
    client = site.signed_in("office")
    big = io.BytesIO(b"x" * (5 * 1024 * 1024 + 1))
    response = client.post("/login", files={"file": ("a.csv", big, "text/csv")})
    assert response.status_code == 413 and "quá lớn" in response.text


def test_village_head_principal_is_bound_to_one_village(site: Site) -> None:
    me = site.signed_in("village_head").get("/api/v1/me").json()
    assert me["role"] == "village_head" and me["village_id"] == "na-pan"


def test_accounts_refuse_bad_identities_with_the_field_to_fix(site: Site) -> None:
    users = site.app.users
    cases = [
        (("Tên Có Dấu", "office"), "tên đăng nhập"),
        (("an", "chief"), "vai trò 'chief' không có"),
        (("an", "village_head"), "cần --village"),
    ]
    for (name, role), message in cases:
        with pytest.raises(AccountError, match=message):
            users.add(name, role, PASSWORD, NOW)
    with pytest.raises(AccountError, match="không có thôn"):
        users.add("an", "village_head", PASSWORD, NOW, village_id="xyz")
    with pytest.raises(AccountError, match="chỉ trưởng thôn"):
        users.add("an", "police", PASSWORD, NOW, village_id="na-pan")
    with pytest.raises(AccountError, match="ít nhất 8"):
        users.add("an", "police", "ngan", NOW)
    with pytest.raises(AccountError, match="đã có"):
        users.add("office", "office", PASSWORD, NOW)


def test_cli_adds_users_and_prints_a_token_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    config = str(site.app.config.source)
    monkeypatch.setattr(sys, "stdin", io.StringIO("mot-mat-khau-dai\n"))
    code = main(["--config", config, "users", "add", "truongthon.khonpau", "--role", "village_head",
                 "--village", "khon-pau", "--password-stdin"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and "Đã thêm" in out, err
    assert site.app.users.sign_in("truongthon.khonpau", "mot-mat-khau-dai", NOW).village_id == "khon-pau"
    code = main(["--config", config, "tokens", "create", "radio-ip", "--role", "operator"])
    out, _ = capsys.readouterr()
    token = out.split()[-1]
    assert code == 0 and site.app.tokens.principal(token, NOW) is not None
    code = main(["--config", config, "users", "add", "x", "--role", "office", "--password-stdin"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "tên đăng nhập 'x' không hợp lệ" in err
