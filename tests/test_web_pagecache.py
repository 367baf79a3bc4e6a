"""Kept pages (web/pagecache.py): the dashboard and the coverage table are drawn once per change of the
data, yet nobody ever sees a page older than their own last action, another person's page, or another
session's form token."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from webkit import NOW, Site, csrf_of, make_site

from loa114.audio.engines.offline import OfflineEngine
from loa114.scheduler.db.engine import Database
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.pagecache import PageCache

REPORT = {"date": "2026-11-30", "households_installed": 70, "installs": 90}


class Ticks:
    """The page cache's monotonic clock, turned by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Site:
    return make_site(tmp_path, db_url)


@pytest.fixture
def ticks(site: Site) -> Ticks:
    clock = Ticks()
    site.web.state.web.pages.monotonic = clock
    return clock


def _row(html: str, village: str) -> str:
    found = re.search(rf'<tr data-village="{village}">(.*?)</tr>', html, re.S)
    assert found, f"no row for {village}"
    return found.group(1)


def test_a_write_through_the_service_is_on_the_next_view(site: Site, ticks: Ticks) -> None:
    police = site.signed_in("police")
    assert "<td>70</td>" not in _row(police.get("/coverage").text, "khon-pau")
    pages = site.web.state.web.pages
    police.get("/coverage")
    assert pages.hits >= 1  # the second view was the kept page
    token = {"Authorization": f"Bearer {site.token('police')}"}
    assert police.post("/api/v1/villages/khon-pau/reports", json=REPORT, headers=token).status_code == 200
    assert "<td>70</td>" in _row(police.get("/coverage").text, "khon-pau")  # no time has passed


def test_another_process_write_is_seen_within_the_time_to_live(
    site: Site, ticks: Ticks, tmp_path: Path
) -> None:
    police = site.signed_in("police")
    assert "<td>70</td>" not in _row(police.get("/coverage").text, "khon-pau")
    report = tmp_path / "bao-cao.csv"
    report.write_text("Ngày,Thôn,Số hộ đã cài,Số người đã cài\n30/11/2026,Khòn Pẩu,70,90\n", "utf-8")
    other = App.create(site.app.config, engines=[OfflineEngine()])  # `loa coverage import` elsewhere
    try:
        Station(other).import_reports(report, NOW)
    finally:
        other.close()
    ticks.now += site.app.config.web.page_cache_s - 0.5
    assert "<td>70</td>" not in _row(police.get("/coverage").text, "khon-pau")  # still the kept page
    ticks.now += 1
    assert "<td>70</td>" in _row(police.get("/coverage").text, "khon-pau")


def test_each_person_gets_their_own_page_and_their_own_form_token(site: Site, ticks: Ticks) -> None:
    first, second = site.signed_in("police"), site.signed_in("police")
    one, two = first.get("/").text, second.get("/").text
    assert csrf_of(first, "/") != csrf_of(second, "/")
    assert (
        re.search(r'name="csrf" value="([^"]+)"', one)[1] != re.search(r'name="csrf" value="([^"]+)"', two)[1]
    )
    head = site.signed_in("village_head").get("/coverage").text
    assert "Xin chào" not in head and 'data-village="khon-pau"' not in head
    assert 'data-village="khon-pau"' in first.get("/coverage").text
    assert (
        "Xin chào, police" in first.get("/").text
        and "Xin chào, village-head" in site.signed_in("village_head").get("/").text
    )


def test_the_message_after_an_action_shows_around_a_kept_page(site: Site, ticks: Ticks) -> None:
    head = site.signed_in("village_head")
    head.get("/")
    token = csrf_of(head, "/report")
    fields = {"day": "30/11/2026", "households_installed": "60", "installs": "80"}
    sent = head.post("/report", data={"csrf": token, "village": "na-pan", **fields})
    assert sent.status_code == 303
    assert "đã lưu" in head.get("/report").text
    assert "<td>60</td>" in _row(head.get("/coverage").text, "na-pan")


def test_zero_seconds_keeps_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    site.web.state.web.pages.ttl_s = 0
    police = site.signed_in("police")
    police.get("/")
    police.get("/")
    assert site.web.state.web.pages.hits == 0


def test_page_cache_holds_at_most_its_size_and_answers_only_its_version() -> None:
    ticks = Ticks()
    cache = PageCache(5, size=2, monotonic=ticks)
    cache.put("a", 1, "A")
    cache.put("b", 1, "B")
    assert cache.get("a", 1) == "A" and cache.get("a", 2) is None
    cache.put("c", 1, "C")  # "b" was used least recently
    assert cache.get("b", 1) is None and cache.get("a", 1) == "A" and cache.get("c", 1) == "C"
    ticks.now += 5.1
    assert cache.get("a", 1) is None


def test_write_counter_moves_only_on_a_committed_write(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    start = db.writes.value
    with db.engine.begin() as connection:
        connection.execute(text("SELECT count(*) FROM t"))
    assert db.writes.value == start
    with db.engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        connection.rollback()
    assert db.writes.value == start
    with db.engine.begin() as connection:
        connection.execute(text("  insert into t values (2)"))
    assert db.writes.value == start + 1
    db.dispose()


@pytest.mark.parametrize("drawer_fails", [False, True])
def test_one_thread_draws_the_others_wait_for_it(drawer_fails: bool) -> None:
    cache = PageCache(5, monotonic=Ticks())
    assert cache.get("home", 7) is None  # this thread draws
    answers: list[str | None] = []
    waiter = threading.Thread(target=lambda: answers.append(cache.get("home", 7)))
    waiter.start()
    if drawer_fails:
        cache.drop("home", 7)
    else:
        cache.put("home", 7, "<p>drawn once</p>")
    waiter.join(10)
    assert answers == [None if drawer_fails else "<p>drawn once</p>"]
