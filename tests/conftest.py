"""Shared fixtures: a small commune config in tmp_path, and a database URL per real store.

Every test that takes `db_url` runs on SQLite and, when LOA_TEST_POSTGRES_URL is set (CI sets it), on
PostgreSQL too. Browser tests take `live_server`, `browser` and `page` (helpers in tests/browser.py).
"""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from tests import browser as browser_helpers

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _database_of_this_worker(url: str | None) -> str | None:
    """`make test` runs the suite in parallel (pytest-xdist): each worker gets a PostgreSQL database of its
    own (`test_gw0`, `test_gw1`…, created when missing), since the tests reset their database's schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"{server.database}_{worker}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            with suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _database_of_this_worker(os.environ.get("LOA_TEST_POSTGRES_URL"))

# CI replays the same examples every run (a red CI must mean a change broke something); a developer's
# `make test` explores new random examples each time, and any failure it finds becomes a regression case.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default"))

SMALL_CONFIG = """\
commune: {{name: Lợi Bác, province: Lạng Sơn, timezone: Asia/Ho_Chi_Minh}}
campaign: {{name: Báo cháy 114, start: 2026-02-10, deadline: 2026-12-31}}
zones:
  - {{id: trung-tam, name: Cụm loa trung tâm}}
  - {{id: phia-bac, name: Cụm loa phía Bắc}}
villages:
  - {{id: na-pan, name: Nà Pàn, households: 142, smartphone_users: 318, zone: trung-tam}}
  - {{id: khon-pau, name: Khòn Pẩu, households: 96, smartphone_users: 187, zone: phia-bac}}
slots:
  - {{id: sang, time: "05:30", days: [mon, tue, wed, thu, fri, sat], max_duration: {max_duration}, zones: all}}
  - {{id: chieu, time: "17:00", days: daily, max_duration: {max_duration}, zones: [trung-tam]}}
scripts: {{dir: scripts}}
playout: {{dir: playout{command}}}
schedule: {{lead_time: 2h, misfire_grace: 5m}}
database: {{url: "{db_url}"}}
audio: {{engines: [offline], cache_dir: cache, chime: true}}
"""

SCRIPTS = {
    "tien-do": """\
---
id: tien-do
title: Tiến độ cài đặt
pinned: true
priority: 9
---
{% if coverage.reported %}Đã có {{ coverage.households_installed }} hộ cài đặt.{% else %}Xã {{ commune.name }} bắt đầu cài đặt Báo cháy 114.{% endif %}
""",
    "goi-114": """\
---
id: goi-114
title: Gọi 114 khi có cháy
priority: 8
---
Khi phát hiện cháy, hãy gọi ngay 114.
""",
    "cai-dat": """\
---
id: cai-dat
title: Cài đặt ứng dụng
priority: 6
---
Bà con hãy cài ứng dụng Báo cháy 114 trên điện thoại.
""",
    "an-toan-dien": """\
---
id: an-toan-dien
title: An toàn điện
priority: 4
---
Ngắt điện khi ra khỏi nhà.
""",
    "bep-lua": """\
---
id: bep-lua
title: Bếp lửa
priority: 2
---
Tắt bếp trước khi đi ngủ.
""",
    "khan": """\
---
id: khan
title: Thông báo khẩn
urgent: true
repeat: 2
---
Thông báo khẩn. {{ alert.message }}
""",
}


def write_commune(
    root: Path,
    db_url: str,
    *,
    max_duration: str = "15m",
    command: str | None = None,
    scripts: dict[str, str] | None = None,
) -> Path:
    """A two-zone commune with short scripts, spoken by the real offline voice. Returns config path."""
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    for name, body in (SCRIPTS if scripts is None else scripts).items():
        (root / "scripts" / f"{name}.txt").write_text(body, encoding="utf-8")
    cmd = f", command: {json.dumps(command)}" if command else ""
    path = root / "config.yaml"
    path.write_text(
        SMALL_CONFIG.format(max_duration=max_duration, command=cmd, db_url=db_url), encoding="utf-8"
    )
    return path


def write_province(root: Path, url: str, renames: dict[str, str] | None = None) -> Path:
    """A province of two communes, Lợi Bác and Na Sầm (each `write_commune`'s, in its own folder) on
    `url`; `renames`: Na Sầm's villages renamed (old → new), so that a page naming one commune's villages
    can be told from the other's."""
    for key, name in (("loi-bac", "Lợi Bác"), ("na-sam", "Na Sầm")):
        path = write_commune(root / key, "sqlite:///ignored.db")
        text = path.read_text(encoding="utf-8").replace("Lợi Bác", name)
        for mine, theirs in (renames or {}).items() if key == "na-sam" else ():
            text = text.replace(mine, theirs)
        path.write_text(text, encoding="utf-8")
    file = root / "province.yaml"
    file.write_text(
        "province: {name: Lạng Sơn}\n"
        f'database: {{url: "{url}"}}\n'
        "playout: {dir: playout}\n"
        "communes:\n"
        "  - {id: loi-bac, config: loi-bac/config.yaml}\n"
        "  - {id: na-sam, config: na-sam/config.yaml}\n",
        encoding="utf-8",
    )
    return file


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'loa.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("LOA_TEST_POSTGRES_URL not set")
    _reset_postgres(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database of its own (created and dropped here), for tests whose processes
    migrate a fresh database: the shared test database is never disturbed."""
    if not POSTGRES_URL:
        pytest.skip("LOA_TEST_POSTGRES_URL not set")
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES_URL)
    name = f"loa_migrate_{uuid.uuid4().hex[:10]}"
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dedent(text: str) -> str:
    return textwrap.dedent(text)


# --- browser tests (tests/browser.py): a live server, Debian's chromium through Playwright ---------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that takes `browser` or `page` is a browser test: `-m "not browser"` leaves it out."""
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server() -> Iterator[Callable[[Any], str]]:
    """Factory: `base_url = live_server(app)` serves an ASGI app on 127.0.0.1 until the test ends."""
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(browser_helpers.serve(app))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium (/usr/bin/chromium), headless; skipped without it unless REQUIRE_BROWSER=1."""
    missing = browser_helpers.browser_missing()
    if missing:
        browser_helpers.skip_or_fail(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(browser_helpers.CHROMIUM), headless=True, args=browser_helpers.launch_args()
        )
        yield chromium
        chromium.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """The page's size. A module overrides this fixture; one test parametrizes it:
    `@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])` (a phone)."""
    return {"width": 1280, "height": 800}


@pytest.fixture
def page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    """A fresh page in a fresh context per test; any request off 127.0.0.1 is aborted and fails the test."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    guard = browser_helpers.OfflineGuard()
    context.route("**/*", guard)
    try:
        yield context.new_page()
    finally:
        context.close()
    if guard.blocked:
        pytest.fail(f"the page tried to reach the internet: {guard.blocked}", pytrace=False)
