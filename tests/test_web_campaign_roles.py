"""Who may open each campaign route: every role, a stranger, and a bearer token, for every page and API
route of /coverage, /reminders, /report. The requests change nothing (bad files, blank forms, unknown
notices), so one site serves the whole matrix."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from webkit import ROLES, Site, csrf_of, make_site

ANONYMOUS = "anonymous"
PAGE_ROUTES: dict[tuple[str, str], set[str]] = {
    ("GET", "/coverage"): {"admin", "office", "police", "village_head"},
    ("POST", "/coverage/import"): {"admin", "police"},
    ("GET", "/coverage/template.xlsx"): {"admin", "office", "police"},
    ("GET", "/reminders"): {"admin", "police"},
    ("POST", "/reminders/999/retry"): {"admin", "police"},
    ("GET", "/reminders/files/2026-11-30/na-pan-reminder-1.docx"): {"admin", "police"},
    ("GET", "/report"): {"admin", "police", "village_head"},
    ("POST", "/report"): {"admin", "police", "village_head"},
}
API_ROUTES: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/v1/coverage"): {"admin", "office", "police", "village_head"},
    ("POST", "/api/v1/villages/na-pan/reports"): {"admin", "police", "village_head"},
    ("GET", "/api/v1/reminders"): {"admin", "police"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield make_site(Path(tmp_path_factory.mktemp("roles")))


@pytest.fixture(scope="module")
def clients(site: Site) -> dict[str, TestClient]:
    found = {role: site.signed_in(role) for role in ROLES}
    stranger = site.client()
    csrf_of(stranger)  # a session with a CSRF token, so the refusal is about signing in
    found[ANONYMOUS] = stranger
    return found


def _send(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None) -> Response:
    """A request that would change nothing even if allowed."""
    if method == "GET":
        return client.get(path, headers=headers)
    if path.startswith("/api/"):
        return client.post(path, json={"households_installed": 5, "installs": 1}, headers=headers)
    data = {"csrf": _csrf(client), "village": "na-pan"}
    files = {"file": ("bao-cao.pdf", io.BytesIO(b"%PDF"), "application/pdf")} if "import" in path else None
    return client.post(path, data=data, files=files)


def _csrf(client: TestClient) -> str:
    """The session's token, read from a page any visitor can open."""
    return csrf_of(client, "/login") if not _signed(client) else csrf_of(client, "/")


def _signed(client: TestClient) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.parametrize(("method", "path"), list(PAGE_ROUTES))
@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_pages_by_role(clients: dict[str, TestClient], role: str, method: str, path: str) -> None:
    response = _send(clients[role], method, path)
    allowed = PAGE_ROUTES[(method, path)]
    if role == ANONYMOUS:
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    elif role in allowed:
        assert response.status_code not in (303, 401, 403), response.text[:300]
        assert response.status_code < 500
    else:
        assert response.status_code == 403 and "Không có quyền" in response.text


@pytest.mark.parametrize(("method", "path"), list(API_ROUTES))
@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_api_by_role_signed_in_by_cookie(
    clients: dict[str, TestClient], role: str, method: str, path: str
) -> None:
    client = clients[role]
    headers = {"X-CSRF-Token": _csrf(client)} if method == "POST" else None
    response = _send(client, method, path, headers)
    allowed = API_ROUTES[(method, path)]
    if role == ANONYMOUS:
        assert response.status_code == 401 and "đăng nhập" in response.json()["detail"]
    elif role in allowed:
        assert response.status_code in (200, 422), response.text
    else:
        assert response.status_code == 403 and response.json()["detail"]


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    return {role: site.token(role) for role in ROLES}


@pytest.mark.parametrize(("method", "path"), list(API_ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_api_by_role_with_a_bearer_token(
    site: Site, tokens: dict[str, str], role: str, method: str, path: str
) -> None:
    headers = {"Authorization": f"Bearer {tokens[role]}"}
    response = _send(site.client(), method, path, headers)  # no cookie, no CSRF token: none needed
    if role in API_ROUTES[(method, path)]:
        assert response.status_code in (200, 422), response.text
    else:
        assert response.status_code == 403
    wrong = _send(site.client(), method, path, {"Authorization": "Bearer loa114_sai"})
    assert wrong.status_code == 401
