"""The broadcast pages and API: who may open each route, the operator's confirmation, cancelling,
pinning, program files without path traversal, the dashboard's attention list, and an urgent alert."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from webkit import HCM, NOW, ROLES, Site, csrf_of, make_site

from loa114.content.library import load_library
from loa114.scheduler.db.models import Broadcast, Delivery, Event, Notice, SchedulePin, Status
from loa114.scheduler.errors import InputError
from loa114.scheduler.playout.manifest import read_status
from loa114.scheduler.programs import confirming, pins
from loa114.scheduler.programs.listing import broadcasts_on
from loa114.scheduler.programs.planner import choose
from loa114.scheduler.programs.rows import BroadcastKey
from tests.fuzz import assert_no_server_errors

MONDAY = date(2026, 11, 30)
DAWN = datetime(2026, 11, 30, 5, 30, tzinfo=HCM)  # the `sang` slot of the test commune
NO_ID = 999999
AUDIO = "/programs/2026-11-30/sang/trung-tam/program.mp3"

# (method, path, form/json body, roles allowed besides admin); allowed roles never get 303/401/403
PAGES = [
    ("GET", "/", None, ROLES),
    ("GET", "/schedule", None, ("office", "police")),
    ("GET", "/today", None, ("operator", "police")),
    ("GET", "/alert", None, ("police",)),
    ("GET", AUDIO, None, ("office", "operator", "police")),
    ("GET", "/alert/preview/" + "x" * 32 + ".mp3", None, ("police",)),
    ("POST", f"/today/{NO_ID}/aired", {}, ("operator",)),
    ("POST", f"/today/{NO_ID}/failed", {"reason": "mất điện"}, ("operator",)),
    ("POST", f"/today/{NO_ID}/replay", {}, ("operator",)),
    ("POST", f"/schedule/broadcasts/{NO_ID}/cancel", {"reason": "họp xã"}, ("office", "police")),
    ("POST", f"/schedule/pins/{NO_ID}/delete", {}, ("office",)),
    ("POST", "/schedule/pins", {"day": "x", "slot": "sang", "zone": "all", "script": "goi-114"}, ("office",)),
    ("POST", "/schedule/rebuild", {"day": "01/12/2026", "slot": "khong", "zone": "trung-tam"}, ("office",)),
    ("POST", "/alert/preview", {"message": "Cháy", "zones": ["khong-co"]}, ("police",)),
    ("POST", "/alert/send", {"message": "Cháy", "zones": ["trung-tam"]}, ("police",)),
]
API = [
    ("GET", "/api/v1/broadcasts?date=31/12/2026", None, ROLES),
    ("GET", "/api/v1/programs/2026-11-30/sang/trung-tam", None, ("office", "operator", "police")),
    ("POST", f"/api/v1/broadcasts/{NO_ID}/aired", {}, ("operator",)),
    ("POST", f"/api/v1/broadcasts/{NO_ID}/failed", {"reason": "loa hỏng"}, ("operator",)),
    ("POST", "/api/v1/alerts", {"message": "Cháy", "zones": ["khong-co"]}, ("police",)),
]


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A site where nothing is built: every route answers fast."""
    return make_site(tmp_path_factory.mktemp("quiet"))


@pytest.fixture(scope="module")
def tokens(quiet: Site) -> dict[str, str]:
    return {role: quiet.token(role) for role in ROLES}


@pytest.fixture(scope="module")
def aired(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A site whose 05:30 programs were built and published to the folder (awaiting confirmation)."""
    site = make_site(tmp_path_factory.mktemp("aired"))
    site.station.tick(DAWN)
    return site


def _call(
    client: TestClient, method: str, path: str, body: dict[str, object] | None, *, csrf: str | None
) -> int:
    if method == "GET":
        return client.get(path).status_code
    if path.startswith("/api/"):
        headers = {"X-CSRF-Token": csrf} if csrf else {}
        return client.post(path, json=body, headers=headers).status_code
    return client.post(path, data={**(body or {}), "csrf": csrf or ""}).status_code


@pytest.mark.parametrize(
    "method,path,body,allowed", PAGES + API, ids=[f"{m} {p}" for m, p, _, _ in PAGES + API]
)
def test_every_route_checks_the_role(
    quiet: Site, method: str, path: str, body: dict[str, object] | None, allowed: tuple[str, ...]
) -> None:
    for role in ROLES:
        client = quiet.signed_in(role)
        code = _call(client, method, path, body, csrf=csrf_of(client, "/"))
        if role == "admin" or role in allowed:
            assert code not in (303, 401, 403), (role, code)
        else:
            assert code == 403, (role, code)
    anonymous = quiet.client()
    code = _call(anonymous, method, path, body, csrf=csrf_of(anonymous))
    assert code == (401 if path.startswith("/api/") else 303)


@pytest.mark.parametrize("method,path,body,allowed", API, ids=[f"{m} {p}" for m, p, _, _ in API])
def test_api_routes_accept_bearer_tokens_by_role(
    quiet: Site,
    tokens: dict[str, str],
    method: str,
    path: str,
    body: dict[str, object] | None,
    allowed: tuple[str, ...],
) -> None:
    for role in ROLES:
        client = quiet.client()
        client.headers["Authorization"] = f"Bearer {tokens[role]}"
        code = _call(client, method, path, body, csrf=None)
        assert (code not in (401, 403)) if role == "admin" or role in allowed else code == 403, (role, code)


def test_broadcast_list_reads_both_date_forms(quiet: Site) -> None:
    client = quiet.signed_in("operator")
    assert client.get("/api/v1/broadcasts?date=31/12/2026").json() == []
    bad = client.get("/api/v1/broadcasts?date=2026-13-01")
    assert bad.status_code == 400 and "31/12/2026" in bad.json()["detail"]


def test_operator_confirms_a_published_program_once(aired: Site) -> None:
    rows = {
        r["zone"]: r
        for r in broadcasts_on(aired.app.config, aired.app.db, MONDAY, NOW)
        if r["slot"] == "sang"
    }
    assert {r["status"] for r in rows.values()} == {"published"}
    center, north = rows["trung-tam"]["id"], rows["phia-bac"]["id"]
    api = aired.client()
    api.headers["Authorization"] = f"Bearer {aired.token('operator')}"
    first = api.post(f"/api/v1/broadcasts/{center}/aired")
    assert first.status_code == 200 and first.json() == {
        "broadcast_id": center,
        "status": "aired",
        "changed": True,
    }
    again = api.post(f"/api/v1/broadcasts/{center}/aired")
    assert again.status_code == 200 and again.json()["changed"] is False  # a double click changes nothing
    conflict = api.post(f"/api/v1/broadcasts/{center}/failed", json={"reason": "loa hỏng"})
    assert conflict.status_code == 409 and "đã phát" in conflict.json()["detail"]
    folder = aired.app.config.playout.dir / "2026-11-30" / "sang" / "trung-tam"
    assert read_status(folder) == "aired"

    page = aired.signed_in("operator")
    today = page.get("/today")
    assert today.status_code == 200 and "<audio controls" in today.text and "Không phát được" in today.text
    token = csrf_of(page, "/today")
    missing = page.post(f"/today/{north}/failed", data={"csrf": token, "reason": "  "})
    assert missing.status_code == 400 and "lý do" in missing.text
    done = page.post(f"/today/{north}/failed", data={"csrf": token, "reason": "mất điện cả thôn"})
    assert done.status_code == 303 and done.headers["location"] == "/today?done=failed"
    assert page.post(f"/today/{north}/aired", data={"csrf": token}).status_code == 409
    with aired.app.store.session() as session:
        row = session.get(Broadcast, north)
        assert row is not None and row.status == "failed" and row.confirmed_by == "operator"
        assert row.error and "mất điện cả thôn" in row.error
        actors = session.execute(
            select(Event.actor, Event.payload).where(Event.kind == "BroadcastConfirmed")
        ).all()
    assert {a for a, _ in actors} == {"he-thong-operator", "operator"} and len(actors) == 2
    planned = next(
        r for r in broadcasts_on(aired.app.config, aired.app.db, MONDAY, NOW) if r["slot"] == "chieu"
    )
    assert api.post(f"/api/v1/broadcasts/{planned['id']}/aired").status_code == 409


def test_program_files_are_served_without_traversal(aired: Site) -> None:
    client = aired.signed_in("office")
    mp3 = client.get(AUDIO)
    assert (
        mp3.status_code == 200
        and mp3.headers["content-type"] == "audio/mpeg"
        and mp3.content[:3] in (b"ID3", b"\xff\xfb")
    )
    assert client.get(AUDIO.replace("program.mp3", "playlist.m3u8")).status_code == 200
    program = client.get("/api/v1/programs/2026-11-30/sang/trung-tam").json()
    assert program["audio_url"] == AUDIO and program["manifest"]["items"]
    for path in (
        "/programs/2026-11-30/sang/trung-tam/manifest.json",
        "/programs/2026-11-30/sang/..%2F..%2F..%2Fetc/program.mp3",
        "/programs/2026-11-30/sang/%2E%2E/program.mp3",
        "/programs/2026-11-30/../../config.yaml",
        "/programs/..%2Floa.db/sang/trung-tam/program.mp3",
        "/programs/2026-13-40/sang/trung-tam/program.mp3",
        "/programs/2026-11-30/sang/khong-co/program.mp3",
        "/programs/2026-11-30/sang/trung-tam/..%2F..%2F..%2F..%2Floa.db",
        "/api/v1/programs/2026-11-30/sang/..%2F..",
    ):
        assert client.get(path).status_code == 404, path


def test_cancelled_broadcast_never_airs(quiet: Site, tmp_path: Path) -> None:
    site = make_site(tmp_path)
    station = site.station
    station.maintain(NOW)
    evening = next(
        r for r in broadcasts_on(site.app.config, site.app.db, MONDAY, NOW) if r["slot"] == "chieu"
    )
    client = site.signed_in("police")
    token = csrf_of(client, "/schedule")
    assert (
        client.post(f"/schedule/broadcasts/{evening['id']}/cancel", data={"csrf": token}).status_code == 400
    )
    done = client.post(
        f"/schedule/broadcasts/{evening['id']}/cancel", data={"csrf": token, "reason": "họp dân"}
    )
    assert done.status_code == 303
    airtime = datetime(2026, 11, 30, 17, 0, tzinfo=HCM)
    assert station.air_due(airtime, render_late=True) == []
    assert station.mark_missed(airtime + timedelta(minutes=30)) == []
    key = BroadcastKey(MONDAY, "chieu", "trung-tam")
    assert not station.renders.build(key, airtime - timedelta(hours=1), rebuild="thử").built
    row = next(
        r for r in broadcasts_on(site.app.config, site.app.db, MONDAY, airtime) if r["id"] == evening["id"]
    )
    assert row["status"] == "cancelled" and not row["overdue"] and row["confirmed_by"] == "police"
    again = confirming.cancel(site.app.config, site.app.store, evening["id"], NOW, actor="office", reason="x")
    assert not again.changed
    assert "đã hủy" in client.get("/schedule").text


def test_pinned_script_is_planned_first(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    library = load_library(site.app.config.scripts.dir)
    candidates, _ = choose(pins.with_pins(library.regular(), {"bep-lua"}, "sang"), day=MONDAY, slot_id="sang")
    order = [c.script.id for c in candidates]
    assert order[:2] == ["tien-do", "bep-lua"] and order.index("bep-lua") < order.index("goi-114")
    client = site.signed_in("office")
    token = csrf_of(client, "/schedule")
    form = {"csrf": token, "day": "01/12/2026", "slot": "sang", "zone": "phia-bac", "script": "bep-lua"}
    assert client.post("/schedule/pins", data=form).status_code == 303
    refused = client.post("/schedule/pins", data={**form, "script": "khan"})
    assert refused.status_code == 400 and "khẩn" in refused.text
    with site.app.store.session() as session:
        assert pins.pins_for(session, date(2026, 12, 1), "sang", "phia-bac") == {"bep-lua"}
        assert pins.pins_for(session, date(2026, 12, 1), "sang", "trung-tam") == set()
        pin_id = session.scalars(select(SchedulePin.id)).one()
    assert "bep-lua" in client.get("/schedule?week=01/12/2026").text
    with pytest.raises(InputError, match="không phát vào ngày"):
        pins.pin(site.app.config, site.app.store, library, (date(2026, 12, 6), "sang", None), "goi-114",
                 actor="office", now=NOW)  # fmt: skip
    assert client.post(f"/schedule/pins/{pin_id}/delete", data={"csrf": token}).status_code == 303
    past = {"csrf": token, "day": "30/11/2026", "slot": "sang", "zone": "trung-tam"}  # 05:30 is over at 08:00
    refused = client.post("/schedule/rebuild", data=past)
    assert refused.status_code == 400 and "không còn buổi phát nào để dựng" in refused.text


def test_dashboard_shows_what_needs_attention(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site.app.config.scripts.dir / "hong.txt").write_text(
        "---\nid: hong\npriority: x\n---\nBài hỏng.\n", "utf-8"
    )
    dawn = DAWN.astimezone(NOW.tzinfo)
    with site.app.store.session() as session:
        session.add(
            Broadcast(day=MONDAY, slot_id="sang", zone_id="phia-bac", kind="slot", airtime=dawn,
                      status=Status.MISSED, error="dịch vụ không chạy lúc đến giờ phát", updated_at=NOW)
        )  # fmt: skip
        notice = Notice(
            village_id="khon-pau", day=MONDAY, kind="reminder", title="Nhắc", body="…", created_at=NOW
        )
        notice.deliveries.append(
            Delivery(target="file", recipient="Trưởng thôn", status="failed", attempts=5, next_attempt_at=NOW,
                     last_error="không gửi được", updated_at=NOW)
        )  # fmt: skip
        session.add(notice)
    office = site.signed_in("office").get("/").text
    assert "Buổi phát hôm nay không phát được" in office and "bị lỡ" in office
    assert "hong.txt" in office and "không gửi được" in office and "Khòn Pẩu" in office
    head = site.signed_in("village_head").get("/").text
    assert "Nà Pàn" in head and "Khòn Pẩu" not in head and "hong.txt" not in head
    assert "Cụm loa phía Bắc" not in head  # another zone's broadcasts


def test_alert_is_previewed_then_published_with_who_sent_it(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    client = site.signed_in("police")
    token = csrf_of(client, "/alert")
    form = {"csrf": token, "message": "Cháy rừng ở đồi thông, bà con tránh xa.", "zones": ["phia-bac"]}
    preview = client.post("/alert/preview", data=form)
    assert preview.status_code == 200 and "Phát ngay" in preview.text
    src = preview.text.split('<audio controls src="', 1)[1].split('"', 1)[0]
    audio = client.get(src)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    sent = client.post("/alert/send", data={**form, "confirm": "yes"})
    assert sent.status_code == 200 and "đã đến giờ phát" in sent.text
    folders = list((site.app.config.playout.dir / "2026-11-30").glob("khan-*/phia-bac/program.mp3"))
    assert len(folders) == 1
    with site.app.store.session() as session:
        actor = session.scalar(select(Event.actor).where(Event.kind == "AlertIssued"))
    assert actor == "police"


def test_a_pin_goes_first_into_the_built_program_and_marks_it_stale(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    library = load_library(site.app.config.scripts.dir)
    tuesday = date(2026, 12, 1)
    target = (tuesday, "sang", "phia-bac")
    pins.pin(site.app.config, site.app.store, library, target, "bep-lua", actor="office", now=NOW)
    key = BroadcastKey(*target)
    built = site.app.studio.build_slot(key, NOW)
    assert built.built and built.folder is not None
    manifest = json.loads((built.folder / "manifest.json").read_text(encoding="utf-8"))
    assert [i["script"] for i in manifest["items"]][:2] == ["tien-do", "bep-lua"]
    pins.pin(
        site.app.config,
        site.app.store,
        library,
        (tuesday, "sang", None),
        "an-toan-dien",
        actor="office",
        now=NOW,
    )
    with site.app.store.session() as session:
        row = session.get(Broadcast, built.broadcast_id)
        assert row is not None
        inputs = row.inputs
    assert any("ghim:an-toan-dien" in change for change in site.app.studio.changes(key, inputs, NOW))


def test_ids_out_of_range_are_refused_not_crashing(quiet: Site, tokens: dict[str, str]) -> None:
    client = quiet.client()
    client.headers["Authorization"] = f"Bearer {tokens['operator']}"
    for path in (
        f"/api/v1/broadcasts/{10**30}/aired",
        "/api/v1/broadcasts/-1/aired",
        "/api/v1/broadcasts/x/aired",
    ):
        assert client.post(path).status_code == 422, path


def test_broadcast_api_never_answers_500_to_generated_requests(quiet: Site, tokens: dict[str, str]) -> None:
    """schemathesis against the whole API as an operator (alerts are refused before rendering: fast)."""
    headers = {"Authorization": f"Bearer {tokens['operator']}"}
    ran = assert_no_server_errors(quiet.web, "/api/v1/openapi.json", auth_headers=headers, max_examples=15)
    assert any("/broadcasts/{broadcast_id}/failed" in op for op in ran)
