"""The web side under test: a real App (offline voice, fast argon2), a Runtime on a fixed clock, and one
signed-in client per role. Pages and API are driven through Starlette's TestClient, over real HTTP
semantics (cookies, redirects, CSRF)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import write_commune
from fastapi import FastAPI
from fastapi.testclient import TestClient

from loa114.audio.engines.offline import OfflineEngine
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import load_config
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=HCM).astimezone(UTC)  # Monday 08:00 in the commune
PASSWORD = "mat-khau-thu"
ROLES = ("admin", "office", "operator", "police", "village_head")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    app: App
    station: Station
    runtime: Runtime
    web: FastAPI

    def client(self) -> TestClient:
        return TestClient(self.web, base_url="http://loa.test", follow_redirects=False)

    def signed_in(self, role: str) -> TestClient:
        """A client signed in as the user of `role` (name = role, village head of na-pan)."""
        client = self.client()
        response = client.post(
            "/login", data={"name": role.replace("_", "-"), "password": PASSWORD, "csrf": csrf_of(client)}
        )
        assert response.status_code == 303, response.text
        return client

    def token(self, role: str) -> str:
        village = "na-pan" if role == "village_head" else None
        return self.app.tokens.create(f"he-thong-{role.replace('_', '-')}", role, NOW, village_id=village)


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The session's CSRF token, as a page's form carries it."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def make_site(root: Path, db_url: str | None = None, *, now: datetime = NOW, approval: bool = False) -> Site:
    """`approval`: the commune plans only scripts the police approved (`scripts.require_approval`)."""
    path = write_commune(root, db_url or f"sqlite:///{root / 'loa.db'}")
    if approval:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("scripts: {dir: scripts}", "scripts: {dir: scripts, require_approval: true}")
        )
    config = load_config(path)
    app = App.create(config, engines=[OfflineEngine()], passwords=Passwords.fast())
    for role in ROLES:
        village = "na-pan" if role == "village_head" else None
        app.users.add(role.replace("_", "-"), role, PASSWORD, now, village_id=village)
    station = Station(app)
    runtime = Runtime(station, Clock.fixed(now))
    return Site(app, station, runtime, create_web(runtime, secret="test-secret"))
