"""The scripts page: who may read, write and approve; saving with `loa check`'s messages at their lines;
versions, approval and what the planner may use; uploads; the preview; no path outside `scripts.dir`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_commune
from fastapi.testclient import TestClient
from sqlalchemy import select
from webkit import NOW, ROLES, Site, csrf_of, make_site

from loa114.audio.engines.offline import OfflineEngine
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.clock import Clock
from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import Event, ScriptVersion
from loa114.scheduler.programs.approval import approve, digest, plannable
from loa114.scheduler.programs.checks import check_all
from loa114.scheduler.programs.editing import findings, is_script_id, script_file
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

READERS = {"admin", "office", "police"}
WRITERS = {"admin", "office"}
APPROVERS = {"admin", "police"}
VALID = "---\nid: {id}\ntitle: Bài thử\npriority: 5\n---\nBà con nhớ gọi 114 khi có cháy.\n"
BROKEN = "---\nid: hong\ntitle: Bài hỏng\npriority: 12\n---\nXin chào {{ khong_co }}.\n"


@pytest.fixture
def site(tmp_path: Path) -> Site:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "hong.txt").write_text(BROKEN, encoding="utf-8")
    return make_site(tmp_path)


def approval_site(root: Path) -> Site:
    """`make_site` with `scripts.require_approval: true`."""
    path = write_commune(root, f"sqlite:///{root / 'loa.db'}")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("scripts: {dir: scripts}", "scripts: {dir: scripts, require_approval: true}")
    )
    config = load_config(path)
    assert config.scripts.require_approval
    app = App.create(config, engines=[OfflineEngine()], passwords=Passwords.fast())
    station = Station(app)
    runtime = Runtime(station, Clock.fixed(NOW))
    return Site(app, station, runtime, create_web(runtime, secret="test-secret"))


def client_for(site: Site, role: str | None) -> tuple[TestClient, str]:
    """A client (anonymous when `role` is None) and its session's CSRF token."""
    if role is None:
        client = site.client()
        return client, csrf_of(client, "/login")
    client = site.signed_in(role)
    return client, csrf_of(client, "/")


def scripts_dir(site: Site) -> Path:
    return site.app.config.scripts.dir


def sha_of(site: Site, script_id: str) -> str:
    return digest((scripts_dir(site) / f"{script_id}.txt").read_bytes())


ROUTES = [
    ("GET", "/scripts", READERS),
    ("GET", "/scripts/new", WRITERS),
    ("POST", "/scripts/new", WRITERS),
    ("POST", "/scripts/upload", WRITERS),
    ("GET", "/scripts/goi-114", READERS),
    ("POST", "/scripts/goi-114", WRITERS),
    ("POST", "/scripts/goi-114/approve", APPROVERS),
    ("GET", "/scripts/goi-114/preview", READERS),
    ("GET", "/scripts/hong/preview.mp3", READERS),  # a broken script: allowed roles get 400 at once
]


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES)
def test_every_route_checks_the_role(
    site: Site, method: str, path: str, allowed: set[str], role: str | None
) -> None:
    client, csrf = client_for(site, role)
    name = f"moi-{role or 'x'}".replace("_", "-")
    if method == "GET":
        response = client.get(path)
    elif path.endswith("/approve"):
        response = client.post(path, data={"csrf": csrf, "sha256": sha_of(site, "goi-114")})
    elif path.endswith("/upload"):
        files = {"file": (f"{name}.txt", VALID.format(id=name).encode(), "text/plain")}
        response = client.post(path, data={"csrf": csrf}, files=files)
    else:
        response = client.post(
            path,
            data={
                "csrf": csrf,
                "script_id": name,
                "content": VALID.format(id="goi-114" if path.endswith("114") else name),
            },
        )
    if role is None:
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    elif role not in allowed:
        assert response.status_code == 403 and "không có quyền" in response.text
    elif path.endswith(".mp3"):
        assert response.status_code == 400 and "đang có lỗi" in response.text
    else:
        assert response.status_code == (200 if method == "GET" else 303), response.text


def test_menu_shows_scripts_to_office_and_police_only(site: Site) -> None:
    assert 'href="/scripts"' in site.signed_in("police").get("/").text
    assert 'href="/scripts"' not in site.signed_in("operator").get("/").text


def test_list_shows_every_file_with_its_status(site: Site) -> None:
    page = site.signed_in("police").get("/scripts").text
    assert "Gọi 114 khi có cháy" in page and "Bài hỏng" in page
    assert "có lỗi (2)" in page and "bản nháp chờ duyệt" in page and "hợp lệ" in page
    assert 'href="/scripts/new"' not in page  # the police read, they do not write


def test_saving_an_error_keeps_the_draft_and_shows_the_message_at_its_line(site: Site) -> None:
    client, csrf = client_for(site, "office")
    text = VALID.format(id="goi-114").replace("priority: 5", "priority: 12")
    response = client.post("/scripts/goi-114", data={"csrf": csrf, "content": text})
    assert response.status_code == 303 and response.headers["location"] == "/scripts/goi-114?saved=1"
    page = client.get(response.headers["location"]).text
    assert "Đã lưu bản nháp" in page and "không được phát" in page
    assert "<strong>Dòng 4</strong>: <code>priority: 12</code>" in page
    assert "&#39;priority&#39; phải là số nguyên từ 1 đến 9, không phải 12" in page
    assert (scripts_dir(site) / "goi-114.txt").read_text(encoding="utf-8") == text
    assert "goi-114" not in site.app.studio.library(NOW).scripts  # an invalid script is never planned


def test_findings_are_loa_checks_lines_for_that_file(site: Site) -> None:
    path = scripts_dir(site) / "hong.txt"
    found = findings(site.app.config, path, NOW)
    expected = [e for e in check_all(site.app.config, NOW).errors if e.startswith(f"{path}:")]
    assert [p.text for p in found.errors] == expected and len(expected) == 2
    assert [p.line for p in found.errors] == [4, 6]


def test_saving_a_valid_script_writes_the_file_atomically_and_records_a_draft(site: Site) -> None:
    client, csrf = client_for(site, "office")
    text = VALID.format(id="goi-114") + "Dòng thêm.\r\n"
    assert client.post("/scripts/goi-114", data={"csrf": csrf, "content": text}).status_code == 303
    path = scripts_dir(site) / "goi-114.txt"
    assert path.read_bytes() == text.replace("\r\n", "\n").encode()
    assert [p.name for p in scripts_dir(site).iterdir() if p.name.startswith(".")] == []  # no temp file left
    with site.app.store.session() as session:
        row = session.scalars(select(ScriptVersion).where(ScriptVersion.author == "office")).one()
        assert (row.script_id, row.sha256, row.approved_by) == ("goi-114", digest(path.read_bytes()), None)
        event = session.scalars(select(Event).where(Event.kind == "ScriptSaved")).one()
        assert event.actor == "office" and event.payload["errors"] == 0
    page = client.get("/scripts/goi-114").text
    assert "Không có lỗi" in page and "bản nháp chờ duyệt" in page and "<td>office</td>" in page


def test_new_script_and_refused_ids(site: Site) -> None:
    client, csrf = client_for(site, "office")
    created = client.post(
        "/scripts/new", data={"csrf": csrf, "script_id": "bai-moi", "content": VALID.format(id="bai-moi")}
    )
    assert created.status_code == 303 and (scripts_dir(site) / "bai-moi.txt").is_file()
    for bad, message in [
        ("goi-114", "đã có bài"),
        ("new", "dành riêng"),
        ("../x", "chữ thường"),
        ("Bai Moi", "chữ thường"),
    ]:
        response = client.post(
            "/scripts/new", data={"csrf": csrf, "script_id": bad, "content": VALID.format(id="x")}
        )
        assert response.status_code == 400 and message in response.text, bad
    assert not (scripts_dir(site).parent / "x.txt").exists()


def test_police_approve_and_the_office_may_not(site: Site) -> None:
    sha = sha_of(site, "goi-114")
    police, csrf = client_for(site, "police")
    response = police.post("/scripts/goi-114/approve", data={"csrf": csrf, "sha256": sha})
    assert response.status_code == 303
    page = police.get(response.headers["location"]).text
    assert "Đã duyệt phiên bản này" in page and "bởi police" in page
    with site.app.store.session() as session:
        row = session.scalars(select(ScriptVersion).where(ScriptVersion.sha256 == sha)).one()
        assert row.approved_by == "police" and row.approved_at is not None
        assert session.scalars(select(Event.actor).where(Event.kind == "ScriptApproved")).all() == ["police"]
    unknown = police.post("/scripts/goi-114/approve", data={"csrf": csrf, "sha256": "0" * 64})
    assert unknown.status_code == 400 and "tải lại trang" in unknown.text
    office, office_csrf = client_for(site, "office")
    assert (
        office.post("/scripts/goi-114/approve", data={"csrf": office_csrf, "sha256": sha}).status_code == 403
    )


def test_an_edit_outside_the_web_makes_the_script_a_draft_again(site: Site) -> None:
    path = scripts_dir(site) / "goi-114.txt"
    original = path.read_bytes()
    police, _ = client_for(site, "police")
    police.get("/scripts")  # the library sees the file: a draft with no author
    approve(site.app.store, "goi-114", digest(original), "police", NOW)
    assert "đã duyệt" in police.get("/scripts/goi-114").text
    path.write_bytes(original + "Sửa bằng Notepad.\n".encode())
    page = police.get("/scripts/goi-114").text
    assert "bản nháp chờ duyệt" in page and "sửa ngoài trang web" in page
    with site.app.store.session() as session:
        authors = session.scalars(
            select(ScriptVersion.author).where(ScriptVersion.script_id == "goi-114")
        ).all()
        assert authors == [None, None]
    path.write_bytes(original)  # the approved text put back is approved again
    assert "bởi police" in police.get("/scripts/goi-114").text


def test_with_approval_required_only_approved_scripts_are_planned(tmp_path: Path) -> None:
    site = approval_site(tmp_path)
    studio, store = site.app.studio, site.app.store
    library, held = studio.plannable(NOW)
    assert sorted(library.scripts) == ["khan"]  # the urgent template never waits for an approval
    assert {d.script for d in held} == {"tien-do", "goi-114", "cai-dat", "an-toan-dien", "bep-lua"}
    assert all(d.reason == "not_approved" for d in held)
    approve(
        store, "goi-114", digest((site.app.config.scripts.dir / "goi-114.txt").read_bytes()), "police", NOW
    )
    library, held = studio.plannable(NOW)
    assert [s.id for s in library.regular()] == ["goi-114"] and "goi-114" not in {d.script for d in held}


def test_without_approval_required_every_valid_script_is_planned(site: Site) -> None:
    library, held = site.app.studio.plannable(NOW)
    assert held == [] and "goi-114" in library.scripts
    filtered, _ = plannable(library, site.app.store, NOW)
    assert sorted(filtered.scripts) == ["khan"]


def test_upload(site: Site) -> None:
    client, csrf = client_for(site, "office")

    def send(name: str, data: bytes) -> tuple[int, str]:
        files = {"file": (name, data, "text/plain")}
        response = client.post("/scripts/upload", data={"csrf": csrf}, files=files)
        return response.status_code, response.text

    word = "---\r\nid: tu-word\r\ntitle: Từ Word\r\n---\r\nDòng một\x0bdòng hai\x07.\r\n"
    assert send("tu-word.txt", word.encode("utf-8"))[0] == 303
    assert (scripts_dir(site) / "tu-word.txt").read_text(
        encoding="utf-8"
    ) == "---\nid: tu-word\ntitle: Từ Word\n---\nDòng một\ndòng hai.\n"
    status, text = send("cp1258.txt", "---\nid: cp1258\ntitle: Bài\n---\nXin chào bà con\n".encode("cp1258"))
    assert status == 400 and "dòng 3" in text and "UTF-8" in text
    status, text = send("lon.txt", b"x" * 100_001)
    assert status == 400 and "quá lớn" in text
    for name in ("Goi 114.txt", "bai.docx", "..%2Fx.txt", "new.txt"):
        status, text = send(name, VALID.format(id="x").encode())
        assert status == 400 and "tệp" in text, name
    assert sorted(p.name for p in scripts_dir(site).iterdir()) == sorted(
        [
            "an-toan-dien.txt",
            "bep-lua.txt",
            "cai-dat.txt",
            "goi-114.txt",
            "hong.txt",
            "khan.txt",
            "tien-do.txt",
            "tu-word.txt",
        ]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/scripts/..%2F..%2Fconfig.yaml",
        "/scripts/%2e%2e",
        "/scripts/Goi-114",
        "/scripts/..%252Fconfig",
        "/scripts/%2e%2e%2fconfig/preview",
        "/scripts/khong-co",
        "/scripts/.hidden/preview.mp3",
    ],
)
def test_paths_outside_the_library_are_not_found(site: Site, path: str) -> None:
    client, csrf = client_for(site, "office")
    assert client.get(path).status_code in (400, 404)
    assert client.post(path, data={"csrf": csrf, "content": VALID.format(id="x")}).status_code in (
        400,
        404,
        405,
    )
    assert is_script_id("../x") is False and script_file(scripts_dir(site), "..") is None


def test_preview_page_shows_the_text_and_how_it_is_read(site: Site) -> None:
    page = site.signed_in("police").get("/scripts/goi-114/preview").text
    assert "Khi phát hiện cháy, hãy gọi ngay 114." in page
    assert "hãy gọi ngay một một bốn" in page and "<code>hotline</code>" in page
    assert '<audio controls preload="none" src="/scripts/goi-114/preview.mp3">' in page


def test_preview_audio_is_an_mp3_spoken_by_the_offline_voice(site: Site) -> None:
    response = site.signed_in("police").get("/scripts/goi-114/preview.mp3")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
    assert len(response.content) > 10_000
    assert response.content[:3] == b"ID3" or response.content[0] == 0xFF
