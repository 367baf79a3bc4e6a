"""One web site serving two communes (a province on PostgreSQL serves all its communes from each process): a
person signs in to one commune and, on every page and API route, sees only that commune's rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from webkit import NOW, PASSWORD, ROLES, csrf_of, make_site

from loa114.audio.engines.offline import OfflineEngine
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import load_config
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

PAGES = ["/", "/coverage", "/today", "/schedule", "/scripts", "/reminders", "/reports", "/alert", "/admin"]
OTHER_VILLAGES = {"Nà Pàn": "Bản Chắt", "Khòn Pẩu": "Pò Mả", "Lợi Bác": "Na Sầm"}


def other_commune(root: Path, db_url: str) -> Runtime:
    """A second commune: same zones and ids, its own names, its own database and its own users."""
    site = make_site(root, db_url)
    site.app.close()
    path = root / "config.yaml"
    text = path.read_text(encoding="utf-8")
    for mine, theirs in OTHER_VILLAGES.items():
        text = text.replace(mine, theirs)
    path.write_text(text.replace("{name: Na Sầm,", "{name: Na Sầm, id: na-sam,"), encoding="utf-8")
    config = load_config(path)
    app = App.create(config, engines=[OfflineEngine()], passwords=Passwords.fast())
    return Runtime(Station(app), Clock.fixed(NOW))


@pytest.fixture
def two(tmp_path: Path) -> tuple[TestClient, Runtime, Runtime]:
    first = make_site(tmp_path / "a")
    second = other_commune(tmp_path / "b", f"sqlite:///{tmp_path / 'b' / 'loa.db'}")
    web = create_web(first.runtime, secret="s", communes={"loi-bac": first.runtime, "na-sam": second})
    return TestClient(web, base_url="http://loa.test", follow_redirects=False), first.runtime, second


def sign_in(client: TestClient, commune: str, role: str = "police") -> None:
    response = client.post(
        "/login",
        data={
            "name": role.replace("_", "-"),
            "password": PASSWORD,
            "csrf": csrf_of(client),
            "commune": commune,
        },
    )
    assert response.status_code == 303, response.text


def test_sign_in_asks_for_the_commune(two: tuple[TestClient, Runtime, Runtime]) -> None:
    client, _, _ = two
    page = client.get("/login").text
    assert (
        '<option value="loi-bac">Lợi Bác</option>' in page
        and '<option value="na-sam">Na Sầm</option>' in page
    )
    refused = client.post("/login", data={"name": "police", "password": PASSWORD, "csrf": csrf_of(client)})
    assert refused.status_code == 401 and "Chọn xã" in refused.text


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_only_the_signed_in_commune(
    two: tuple[TestClient, Runtime, Runtime], path: str
) -> None:
    client, _, _ = two
    sign_in(client, "na-sam", "admin")
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    for mine in OTHER_VILLAGES:  # the first commune's names
        assert mine not in re.sub(r"<option[^>]*>[^<]*</option>", "", page.text), (path, mine)
    assert "Na Sầm" in page.text


def test_a_token_reads_its_own_commune_only(two: tuple[TestClient, Runtime, Runtime]) -> None:
    client, first, second = two
    token_a = first.station.app.tokens.create("he-thong-a", "police", NOW)
    token_b = second.station.app.tokens.create("he-thong-b", "police", NOW)
    names_a = [
        v["name"]
        for v in client.get("/api/v1/coverage", headers={"Authorization": f"Bearer {token_a}"}).json()[
            "villages"
        ]
    ]
    names_b = [
        v["name"]
        for v in client.get("/api/v1/coverage", headers={"Authorization": f"Bearer {token_b}"}).json()[
            "villages"
        ]
    ]
    assert names_a == ["Nà Pàn", "Khòn Pẩu"] and names_b == ["Bản Chắt", "Pò Mả"]
    report = {"date": "2026-11-30", "households_installed": 5, "installs": 7}
    sent = client.post(
        "/api/v1/villages/na-pan/reports", json=report, headers={"Authorization": f"Bearer {token_b}"}
    )
    assert sent.status_code == 200
    with first.station.app.store.db.engine.connect() as connection:
        assert (
            connection.execute(text("SELECT count(*) FROM village_reports")).scalar() == 0
        )  # went to B only


def test_every_role_exists_in_each_commune_separately(two: tuple[TestClient, Runtime, Runtime]) -> None:
    client, _, second = two
    assert {u["name"] for u in second.station.app.users.listing()} >= {r.replace("_", "-") for r in ROLES}
    sign_in(client, "loi-bac")
    assert "Lợi Bác" in client.get("/").text


def test_a_token_never_reads_or_changes_another_commune_on_any_api_route(
    two: tuple[TestClient, Runtime, Runtime],
) -> None:
    """Each route takes its commune from the token, whatever the order its parameters are read in (a route
    that took its commune first would have served the site's first commune to every token)."""
    client, first, second = two
    first.station.maintain(NOW)
    built = first.station.build(NOW.date(), "chieu", "trung-tam", NOW)
    assert built.built
    theirs = {"Authorization": f"Bearer {first.station.app.tokens.create('he-thong-a', 'admin', NOW)}"}
    ours = {"Authorization": f"Bearer {second.station.app.tokens.create('he-thong-b', 'admin', NOW)}"}
    playout_a = first.station.config.playout.dir
    before = sorted(str(p) for p in playout_a.rglob("*"))
    with first.station.app.store.db.engine.connect() as connection:
        broadcast_id = connection.execute(text("SELECT min(id) FROM broadcasts")).scalar_one()
    assert client.get("/api/v1/broadcasts?date=2026-11-30", headers=theirs).json() != []

    assert client.get("/api/v1/broadcasts?date=2026-11-30", headers=ours).json() == []
    assert client.get("/api/v1/programs/2026-11-30/chieu/trung-tam", headers=ours).status_code == 404
    assert client.get("/api/v1/programs/2026-11-30/chieu/trung-tam", headers=theirs).status_code == 200
    assert client.get("/api/v1/reminders", headers=ours).json() == []
    for outcome, body in (("aired", None), ("failed", {"reason": "Mất điện cả xã"})):
        answer = client.post(f"/api/v1/broadcasts/{broadcast_id}/{outcome}", json=body, headers=ours)
        assert answer.status_code == 404, answer.text
    alert = client.post("/api/v1/alerts", json={"message": "Cháy ở chợ Na Sầm"}, headers=ours)
    assert alert.status_code == 200, alert.text
    assert any((second.station.config.playout.dir / "2026-11-30").glob("khan-*/*/program.mp3"))

    assert sorted(str(p) for p in playout_a.rglob("*")) == before  # not one file of the other commune
    with first.station.app.store.db.engine.connect() as connection:
        statuses = connection.execute(text("SELECT DISTINCT status FROM broadcasts")).scalars().all()
        kinds = connection.execute(text("SELECT DISTINCT kind FROM broadcasts")).scalars().all()
    assert set(statuses) <= {"planned", "ready"} and kinds == ["slot"]
