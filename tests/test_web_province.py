"""Province accounts and the province view (#12): an account of the province (not of any commune) signs in
once, sees every commune on `/province` and in `/api/v1/province`, reads each commune's pages and changes
nothing; commune accounts never see the province. Built from a real province file, on SQLite and (when
LOA_TEST_POSTGRES_URL is set) on a PostgreSQL database of its own."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from browser import save_screenshot
from conftest import write_commune, write_province
from fastapi.testclient import TestClient
from webkit import HCM, NOW, PASSWORD, csrf_of

from loa114.audio.engines.offline import OfflineEngine
from loa114.scheduler.accounts import ProvinceAccounts
from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.cli import main
from loa114.scheduler.clock import Clock
from loa114.scheduler.config.province import load_province
from loa114.scheduler.db.engine import Database
from loa114.scheduler.db.models import Broadcast, Status, User
from loa114.scheduler.service.app import App
from loa114.scheduler.service.runtime import Runtime
from loa114.scheduler.service.station import Station
from loa114.scheduler.web.app import create_web

if TYPE_CHECKING:
    from playwright.sync_api import Page

NOW_ARG = ["--now", NOW.astimezone(HCM).isoformat()]
MONDAY = date(2026, 11, 30)
PROVINCE_PASSWORD = "mat-khau-tinh"
OTHER_VILLAGES = {"Nà Pàn": "Bản Chắt", "Khòn Pẩu": "Pò Mả"}


@dataclass
class Province:
    file: Path
    web: TestClient
    runtimes: dict[str, Runtime]
    accounts: ProvinceAccounts

    def client(self) -> TestClient:
        return TestClient(self.web.app, base_url="http://loa.test", follow_redirects=False)

    def signed_in(self, commune: str, name: str, password: str = PASSWORD) -> TestClient:
        client = self.client()
        form = {"name": name, "password": password, "csrf": csrf_of(client), "commune": commune}
        response = client.post("/login", data=form)
        assert response.status_code == 303, response.text
        return client


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def province_file(root: Path, url: str) -> Path:
    return write_province(root, url, OTHER_VILLAGES)


def _not_aired(runtime: Runtime, day: date, slot: str, status: Status, error: str) -> None:
    airtime = datetime.combine(day, time(5, 30), HCM)
    with runtime.station.app.store.session() as session:
        session.add(
            Broadcast(day=day, slot_id=slot, zone_id="trung-tam", kind="slot", airtime=airtime, status=status,
                      error=error, updated_at=NOW)
        )  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def province(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Province]:
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgres" else ""
    file = province_file(tmp_path, url or f"sqlite:///{tmp_path / 'loa.db'}")
    base = ["--config", str(file), *NOW_ARG]
    assert cli(capsys, *base, "db", "upgrade")[0] == 0  # the communes and the province's own store
    monkeypatch.setattr("sys.stdin", io.StringIO(PROVINCE_PASSWORD + "\n"))
    code, out, err = cli(capsys, *base, "users", "add", "pc07", "--role", "province", "--password-stdin")
    assert code == 0 and "pc07" in out, err
    reports = tmp_path / "bao-cao.csv"
    reports.write_text(
        "Ngày,Thôn,Số hộ đã cài,Số người đã cài\n29/11/2026,Nà Pàn,142,318\n29/11/2026,Khòn Pẩu,96,187\n",
        "utf-8",
    )
    assert cli(capsys, *base, "--commune", "loi-bac", "coverage", "import", str(reports))[0] == 0
    loaded = load_province(file)
    runtimes: dict[str, Runtime] = {}
    for key, config in loaded.communes.items():
        app = App.create(config, engines=[OfflineEngine()], passwords=Passwords.fast())
        for role in ("admin", "police"):
            app.users.add(role, role, PASSWORD, NOW)
        runtimes[key] = Runtime(Station(app), Clock.fixed(NOW))
    _not_aired(runtimes["na-sam"], MONDAY, "sang", Status.MISSED, "dịch vụ không chạy lúc đến giờ phát")
    _not_aired(
        runtimes["loi-bac"], MONDAY - timedelta(days=2), "sang", Status.FAILED, "thiết bị phát báo lỗi"
    )
    _not_aired(runtimes["loi-bac"], MONDAY - timedelta(days=10), "sang", Status.FAILED, "quá cũ")
    assert loaded.database is not None
    shared = Database(loaded.database.url, schema=loaded.database.schema_name)
    accounts = ProvinceAccounts.open(loaded.name, shared, Passwords.fast())
    web = create_web(runtimes["loi-bac"], secret="s", communes=runtimes, province=accounts)
    yield Province(file, TestClient(web), runtimes, accounts)
    for runtime in runtimes.values():
        runtime.station.app.close()
    shared.dispose()


def test_province_account_sees_every_commune_then_reads_each(province: Province) -> None:
    login = province.client().get("/login").text
    assert '<option value="*">Toàn tỉnh Lạng Sơn (tài khoản cấp tỉnh)</option>' in login
    client = province.client()
    form = {"name": "pc07", "password": PROVINCE_PASSWORD, "csrf": csrf_of(client), "commune": "*"}
    landed = client.post("/login", data=form)
    assert landed.status_code == 303 and landed.headers["location"] == "/province"
    page = client.get("/province").text
    rows = re.findall(r'<tr( class="lagging")? data-commune="([a-z-]+)"', page)
    assert rows == [(' class="lagging"', "na-sam"), ("", "loi-bac")]  # the lagging commune first
    assert "hơn 30% số thôn chậm tiến độ" in page and "1/2 xã chậm tiến độ" in page
    assert "dịch vụ không chạy lúc đến giờ phát" in page and "thiết bị phát báo lỗi" in page
    assert "quá cũ" not in page  # older than the last 7 days
    assert "Toàn tỉnh Lạng Sơn" in page and "Đăng xuất" in page

    entered = client.get("/province/communes/na-sam")
    assert entered.status_code == 303 and entered.headers["location"] == "/"
    for path in ("/", "/coverage", "/today", "/reports", "/schedule", "/scripts", "/reminders"):
        shown = client.get(path)
        assert shown.status_code == 200, (path, shown.status_code)
        assert "Đang xem xã Na Sầm (chỉ xem)" in shown.text and 'href="/province"' in shown.text
        assert "Nà Pàn" not in shown.text, path  # the other commune's villages never leak in
        assert 'href="/coverage"' in shown.text and 'href="/alert"' not in shown.text, path  # the menu
    coverage = client.get("/coverage").text
    assert "Bản Chắt" in coverage and "/coverage/import" not in coverage  # no import form to use
    assert 'action="/reports/notes"' in client.get("/reports").text  # the notes are shown, not editable
    assert "Lưu mục IV và V" not in client.get("/reports").text
    for path in ("/scripts/goi-114", "/reports/download/xlsx", "/coverage/template.xlsx", "/api/v1/coverage"):
        assert client.get(path).status_code == 200, path  # reading further: a script, downloads, the API
    client.get("/province/communes/loi-bac")
    assert "Đang xem xã Lợi Bác" in client.get("/coverage").text and "Nà Pàn" in client.get("/coverage").text
    assert client.get("/province/communes/khong-co").status_code == 404


def test_province_account_changes_nothing_in_a_commune(province: Province) -> None:
    client = province.signed_in("*", "pc07", PROVINCE_PASSWORD)
    client.get("/province/communes/na-sam")
    csrf = csrf_of(client, "/coverage")
    writes = {
        "/admin/users": {"name": "moi", "role": "police", "password": "mat-khau-moi"},
        "/alert/send": {"message": "Cháy", "zones": "trung-tam"},
        "/reports/notes": {"period": "week", "day": "30/11/2026", "difficulties": "x", "proposals": "y"},
        "/schedule/rebuild": {"day": "30/11/2026", "slot": "chieu", "zone": "trung-tam"},
        "/scripts/new": {"content": "---\nid: moi\n---\nBài mới."},
        "/report": {
            "village": "ban-chat",
            "date": "30/11/2026",
            "households_installed": "1",
            "installs": "1",
        },
    }
    for path, form in writes.items():
        refused = client.post(path, data={**form, "csrf": csrf})
        assert refused.status_code == 403, (path, refused.status_code)
        assert "chỉ xem được số liệu của xã, không thay đổi được gì" in refused.text, path
    upload = client.post("/coverage/import", data={"csrf": csrf}, files={"file": ("a.csv", b"x", "text/csv")})
    assert upload.status_code == 403
    for path in ("/admin", "/alert", "/report", "/scripts/new"):  # pages that exist only to change things
        closed = client.get(path)
        assert closed.status_code == 403 and "tài khoản cấp tỉnh không dùng được" in closed.text, path
    with province.runtimes["na-sam"].station.app.store.session() as session:
        assert session.query(User).count() == 2  # nothing was added


def test_commune_accounts_never_see_the_province(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = province.signed_in("loi-bac", "admin")
    for path in ("/province", "/province/communes/na-sam", "/api/v1/province", "/api/v1/province/broadcasts"):
        refused = admin.get(path)
        assert refused.status_code == 403 and "Chỉ tài khoản cấp tỉnh" in refused.text, path
    assert "/province" not in admin.get("/").text
    commune_token = province.runtimes["na-sam"].station.app.tokens.create("he-thong", "police", NOW)
    bearer = {"Authorization": f"Bearer {commune_token}"}
    assert province.client().get("/api/v1/province", headers=bearer).status_code == 403
    assert province.client().get("/api/v1/coverage", headers=bearer).status_code == 200
    stranger = province.client()
    form = {"name": "pc07", "password": PROVINCE_PASSWORD, "csrf": csrf_of(stranger), "commune": "loi-bac"}
    assert stranger.post("/login", data=form).status_code == 401  # a province account is not a commune's
    code, out, err = cli(
        capsys, "--config", str(province.file), *NOW_ARG, "tokens", "create", "tinh", "--role", "province"
    )
    assert code == 0, err
    token = out.split()[-1]
    me = province.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {"name": "tinh", "role": "province", "village_id": None, "via_token": True}


def test_a_province_token_reads_the_commune_its_request_names(province: Province) -> None:
    token = province.accounts.tokens.create("he-thong-tinh", "province", NOW)

    def ask(method: str, path: str, commune: str | None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} | ({"X-Loa-Commune": commune} if commune else {})
        return province.client().request(method, path, headers=headers, **kwargs)

    villages = {
        commune: [v["name"] for v in ask("GET", "/api/v1/coverage", commune).json()["villages"]]
        for commune in ("loi-bac", "na-sam")
    }
    assert villages == {"loi-bac": ["Nà Pàn", "Khòn Pẩu"], "na-sam": ["Bản Chắt", "Pò Mả"]}
    assert ask("GET", "/api/v1/broadcasts?date=2026-11-30", "na-sam").status_code == 200
    unnamed = ask("GET", "/api/v1/coverage", None)  # never the site's first commune by default
    assert unnamed.status_code == 400
    assert unnamed.json()["detail"].startswith(
        "Mã truy cập cấp tỉnh đọc số liệu của từng xã: thêm tiêu đề X-Loa-Commune"
    )
    unknown = ask("GET", "/api/v1/coverage", "xa-khac")
    assert unknown.status_code == 400 and "'xa-khac'" in unknown.json()["detail"]
    assert "loi-bac, na-sam" in unknown.json()["detail"]
    report = {"date": "2026-11-30", "households_installed": 5, "installs": 7}
    written = ask("POST", "/api/v1/villages/na-pan/reports", "na-sam", json=report)
    assert written.status_code == 403 and "không thay đổi được gì" in written.json()["detail"]
    sent = ask("POST", "/api/v1/alerts", "na-sam", json={"message": "Cháy ở chợ"})
    assert sent.status_code == 403
    assert ask("GET", "/api/v1/province", None).status_code == 200  # its own routes need no commune


def test_province_api_is_the_cli_roll_up(
    province: Province, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ["--config", str(province.file), *NOW_ARG]
    code, out, err = cli(capsys, *base, "tokens", "create", "bao-cao-tinh", "--role", "province")
    assert code == 0, err
    bearer = {"Authorization": f"Bearer {out.split()[-1]}"}
    assert cli(capsys, *base, "province", "--format", "json", "-o", str(tmp_path / "tinh.json"))[0] == 0
    from_cli = json.loads((tmp_path / "tinh.json").read_text(encoding="utf-8"))
    from_api = province.client().get("/api/v1/province", headers=bearer)
    assert from_api.status_code == 200 and from_api.json() == from_cli
    assert from_cli["lagging"] == ["na-sam"] and len(from_cli["communes"]) == 2
    month = province.client().get("/api/v1/province?period=month&date=2026-11-15", headers=bearer).json()
    assert month["period"] == "tháng 11 năm 2026"
    listed = province.client().get("/api/v1/province/broadcasts", headers=bearer).json()
    assert [(b["commune"], b["commune_name"], b["status"]) for b in listed] == [
        ("na-sam", "Na Sầm", "missed"), ("loi-bac", "Lợi Bác", "failed"),
    ]  # fmt: skip
    longer = province.client().get("/api/v1/province/broadcasts?status=failed&days=30", headers=bearer).json()
    assert [b["date"] for b in longer] == ["2026-11-28", "2026-11-20"]
    session = province.signed_in("*", "pc07", PROVINCE_PASSWORD)  # a signed-in person reads the API too
    assert session.get("/api/v1/province").json()["lagging"] == ["na-sam"]
    assert json.loads(session.get("/province/download/json").content) == from_cli  # and downloads the report
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK")):
        got = session.get(f"/province/download/{fmt}")
        assert got.status_code == 200 and got.content.startswith(magic), fmt
        assert f"tong-hop-tinh-week-2026-11-30.{fmt}" in got.headers["content-disposition"]
    assert session.get("/province/download/pdf").status_code == 400


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("/api/v1/province?period=year", 400, "period"),
        ("/api/v1/province?date=32/13/2026", 400, "date"),
        ("/api/v1/province/broadcasts?status=failed,bogus", 400, "status"),
        ("/api/v1/province/broadcasts?status=,", 400, "status"),
        ("/api/v1/province/broadcasts?days=0", 400, "days"),
        ("/api/v1/province/broadcasts?days=400", 400, "days"),
        ("/api/v1/province/broadcasts?days=abc", 422, "days"),
    ],
)
def test_bad_query_names_the_field(province: Province, query: str, status: int, field: str) -> None:
    token = province.accounts.tokens.create("kiem-tra", "province", NOW)
    answer = province.client().get(query, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == status, answer.text
    assert field in json.dumps(answer.json(), ensure_ascii=False)
    page = province.signed_in("*", "pc07", PROVINCE_PASSWORD).get("/province?period=year")
    assert page.status_code == 400 and "period" in page.text


def test_province_accounts_on_the_command_line(
    province: Province, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    base = ["--config", str(province.file), *NOW_ARG]
    code, out, _ = cli(capsys, *base, "users", "list", "--province")
    assert code == 0 and "pc07" in out and "cấp tỉnh" in out
    misuse = [
        [*base, "--commune", "loi-bac", "users", "add", "x1", "--role", "province", "--password-stdin"],
        [*base, "users", "add", "x2", "--role", "province", "--village", "na-pan", "--password-stdin"],
        [*base, "--commune", "loi-bac", "users", "add", "x3", "--role", "provinc", "--password-stdin"],
        [*base, "--commune", "loi-bac", "tokens", "create", "x4", "--role", "province"],
        ["--config", str(write_commune(tmp_path / "mot-xa", f"sqlite:///{tmp_path / 'x.db'}")), "users", "add",
         "x5", "--role", "province", "--password-stdin"],
    ]  # fmt: skip
    for args in misuse:
        code, _, err = cli(capsys, *args)
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)
        assert err.startswith("lỗi: "), err
    assert "--commune" in cli(capsys, *misuse[0])[2]
    assert "tệp cấu hình của tỉnh" in cli(capsys, *misuse[4])[2]
    added = province.runtimes["loi-bac"].station.app.users
    with pytest.raises(Exception, match="không thuộc xã nào"):
        added.add("x6", "province", PASSWORD, NOW)  # a commune's store never keeps a province account
    code, out, _ = cli(capsys, *base, "tokens", "revoke", "khong-co", "--province")
    assert code == 2


@pytest.mark.parametrize("province", ["sqlite"], indirect=True)
def test_province_page_in_a_browser(
    province: Province, page: Page, live_server: Callable[[Any], str]
) -> None:
    from playwright.sync_api import expect

    base = live_server(province.web.app)
    page.goto(base + "/login")
    page.get_by_label("Xã").select_option(label="Toàn tỉnh Lạng Sơn (tài khoản cấp tỉnh)")
    page.get_by_label("Tên đăng nhập").fill("pc07")
    page.get_by_label("Mật khẩu").fill(PROVINCE_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(f"{base}/province")
    rows = page.locator("table.province tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Na Sầm")
    expect(rows.first).to_contain_text("chậm tiến độ")
    save_screenshot(page, "toan-tinh")
    rows.first.get_by_role("link", name="Na Sầm").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("navigation")).to_contain_text("Đang xem xã Na Sầm (chỉ xem)")
    expect(page.get_by_role("navigation")).to_contain_text("Độ phủ")
    expect(page.get_by_role("navigation")).not_to_contain_text("Tài khoản")
    expect(page.get_by_role("navigation")).not_to_contain_text("Phát khẩn cấp")
    save_screenshot(page, "toan-tinh-xem-xa")
    page.get_by_role("navigation").get_by_role("link", name="Toàn tỉnh").click()
    expect(page).to_have_url(f"{base}/province")


def test_db_upgrade_migrates_the_province_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import create_engine, inspect

    file = province_file(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    assert cli(capsys, "--config", str(file), "--commune", "na-sam", "db", "upgrade")[0] == 0
    assert not (tmp_path / "loa.db").exists()  # one commune chosen: the province's store is left alone
    code, out, err = cli(capsys, "--config", str(file), "db", "upgrade")
    assert code == 0 and "2 xã" in out, err
    engine = create_engine(f"sqlite:///{tmp_path / 'loa.db'}")
    assert {"users", "api_tokens"} <= set(inspect(engine).get_table_names())
    engine.dispose()
