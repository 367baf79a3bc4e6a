"""The broadcast pipeline end to end, with the real offline voice, real ffmpeg and a real database.

Each test drives the station with explicit datetimes: build ahead, air at airtime, missed after the grace,
crash and restart. Runs on SQLite and (with LOA_TEST_POSTGRES_URL) PostgreSQL.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SCRIPTS, write_commune
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from loa114.audio.program import measure
from loa114.scheduler.config import load_config
from loa114.scheduler.db.models import AsRun, Broadcast, Event
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = date(2026, 11, 30)
AIRTIME = datetime(2026, 11, 30, 5, 30, tzinfo=HCM).astimezone(UTC)  # Monday 05:30 local


def local(hour: int, minute: int = 0, second: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=HCM).astimezone(UTC)


def open_station(root: Path, db_url: str, **kwargs: object) -> Station:
    config = load_config(write_commune(root, db_url, **kwargs))  # type: ignore[arg-type]
    return Station(App.create(config))


def rows(station: Station) -> list[Broadcast]:
    with station.app.db.session() as session:
        query = (
            select(Broadcast)
            .options(selectinload(Broadcast.items))
            .order_by(Broadcast.airtime, Broadcast.zone_id)
        )
        return list(session.scalars(query).all())


def event_kinds(station: Station) -> list[str]:
    with station.app.db.session() as session:
        return list(session.scalars(select(Event.kind).order_by(Event.id)).all())


def test_program_is_built_ahead_with_the_playout_contract(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    report = station.tick(local(3, 30))  # exactly the lead time before 05:30

    assert sorted((b.slot, b.zone) for b in report.built) == [("sang", "phia-bac"), ("sang", "trung-tam")]
    folder = tmp_path / "playout" / "2026-11-30" / "sang" / "trung-tam"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["date"] == "2026-11-30" and manifest["slot"] == "sang" and manifest["zone"] == "trung-tam"
    assert manifest["airtime"] == "2026-11-30T05:30:00+07:00"
    assert manifest["status"] == "ready"
    scripts = [item["script"] for item in manifest["items"]]
    assert scripts[0] == "tien-do"  # pinned first
    assert scripts[1:] == [
        "goi-114",
        "cai-dat",
        "an-toan-dien",
        "bep-lua",
    ]  # then by priority; never the urgent one
    for number, item in enumerate(manifest["items"], start=1):
        assert set(item) >= {
            "script",
            "title",
            "text",
            "spoken_text",
            "engine",
            "duration_s",
            "file",
            "sha256",
        }
        assert item["engine"] == "offline"
        assert item["file"] == f"items/{number:02d}-{item['script']}.mp3"
        assert (folder / item["file"]).stat().st_size > 1000
    goi = manifest["items"][1]
    assert goi["text"] == "Khi phát hiện cháy, hãy gọi ngay 114."
    assert "một một bốn" in goi["spoken_text"]
    total = sum(i["duration_s"] for i in manifest["items"])
    assert manifest["duration_s"] >= total
    loudness, peak = measure(folder / "program.mp3")
    assert abs(loudness - (-16.0)) <= 1.0
    assert peak <= -1.0
    assert manifest["loudness_lufs"] == pytest.approx(loudness, abs=0.1)
    playlist = (folder / "playlist.m3u8").read_text(encoding="utf-8")
    assert playlist.startswith("#EXTM3U") and playlist.count("#EXTINF") == 5
    assert not list(folder.parent.glob(".*"))  # no staging leftovers

    (row,) = [b for b in rows(station) if b.zone_id == "trung-tam" and b.airtime == AIRTIME]
    assert row.status == "ready" and len(row.items) == 5
    assert row.fingerprint and row.inputs
    assert set(row.inputs["scripts"]) == {"tien-do", "goi-114", "cai-dat", "an-toan-dien", "bep-lua"}
    assert "BroadcastReady" in event_kinds(station)


def test_building_again_changes_nothing(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    station.tick(local(4, 0))
    program = tmp_path / "playout" / "2026-11-30" / "sang" / "trung-tam" / "program.mp3"
    before = program.stat().st_mtime_ns
    report = station.tick(local(4, 1))
    assert report.built == [] and report.aired == []
    assert program.stat().st_mtime_ns == before
    assert event_kinds(station).count("BroadcastReady") == 2


def test_nothing_is_built_before_the_lead_time_but_every_occurrence_has_its_row(
    tmp_path: Path, db_url: str
) -> None:
    station = open_station(tmp_path, db_url)
    assert station.tick(local(3, 29)).built == []
    planned = rows(station)
    assert {b.status for b in planned} == {"planned"} and not (tmp_path / "playout").exists()
    # the horizon (2 days): Mon 05:30 ×2 zones, Mon 17:00, Tue 05:30 ×2, Tue 17:00 (Wed 05:30 is past it)
    assert [(b.day.day, b.slot_id, b.zone_id) for b in planned] == [
        (30, "sang", "phia-bac"), (30, "sang", "trung-tam"), (30, "chieu", "trung-tam"),
        (1, "sang", "phia-bac"), (1, "sang", "trung-tam"), (1, "chieu", "trung-tam"),
    ]  # fmt: skip


def test_published_at_airtime_once_when_only_the_folder_receives_it(tmp_path: Path, db_url: str) -> None:
    """No player configured: the program is published to the folder (due to play, awaiting
    confirmation), not claimed as aired."""
    station = open_station(tmp_path, db_url)
    station.tick(local(3, 30))
    report = station.tick(local(5, 30, 2))
    assert sorted(r.status for r in report.aired) == ["published", "published"]
    again = station.tick(local(5, 31))
    assert again.aired == [] and again.missed == []
    manifest = json.loads(
        (tmp_path / "playout/2026-11-30/sang/trung-tam/manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["status"] == "published"
    assert manifest["published_at"].startswith("2026-11-30T05:30:02+07:00")
    with station.app.db.session() as session:
        runs = session.scalars(select(AsRun)).all()
        assert [(r.outcome, r.lateness_s) for r in runs] == [("published", 2.0), ("published", 2.0)]
    assert event_kinds(station).count("BroadcastPublished") == 2
    assert "BroadcastAired" not in event_kinds(station)


def test_aired_when_a_player_command_ran_it(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url, command=f"{sys.executable} -c pass {{file}}")
    station.tick(local(3, 30))
    report = station.tick(local(5, 30, 1))
    assert sorted(r.status for r in report.aired) == ["aired", "aired"]
    manifest = json.loads(
        (tmp_path / "playout/2026-11-30/sang/trung-tam/manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["status"] == "aired" and manifest["aired_at"].startswith("2026-11-30T05:30:01+07:00")
    assert event_kinds(station).count("BroadcastAired") == 2


def test_service_down_past_the_grace_means_missed_never_late(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    station.tick(local(4, 0))  # built, then the service stops
    report = station.tick(local(5, 35, 1))  # back 5 min 1 s after airtime; grace is 5 min
    assert sorted(r.status for r in report.missed) == ["missed", "missed"]
    assert report.aired == []
    missed = [b for b in rows(station) if b.airtime == AIRTIME]
    assert {(b.status, b.reason) for b in missed} == {("missed", "service_down")}
    assert {b.error for b in missed} == {"dịch vụ không chạy lúc đến giờ phát"}
    manifest = json.loads(
        (tmp_path / "playout/2026-11-30/sang/trung-tam/manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["status"] == "missed" and manifest["error"] == "dịch vụ không chạy lúc đến giờ phát"
    assert "BroadcastMissed" in event_kinds(station)


def test_late_start_within_grace_renders_then_airs(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    report = station.tick(local(5, 32))  # service was down during the whole lead time
    assert sorted(r.status for r in report.aired) == ["published", "published"]
    with station.app.db.session() as session:
        assert {r.lateness_s for r in session.scalars(select(AsRun))} == {120.0}


def test_crash_after_folder_before_row_then_restart(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL between writing the folder and marking the row ready: the restart rebuilds and airs once."""
    import loa114.scheduler.programs.writing as building

    real_swap = building.swap_into_place

    def swap_then_die(staging: Path, final: Path) -> None:
        real_swap(staging, final)
        raise SystemExit("killed")

    station = open_station(tmp_path, db_url)
    monkeypatch.setattr(building, "swap_into_place", swap_then_die)
    with pytest.raises(SystemExit):
        station.tick(local(4, 0))
    station.app.close()
    monkeypatch.setattr(building, "swap_into_place", real_swap)

    restarted = Station(App.create(station.app.config))
    assert {b.status for b in rows(restarted)} == {"planned"}
    restarted.tick(local(4, 1))
    assert {b.status for b in rows(restarted) if b.airtime == AIRTIME} == {"ready"}
    assert len(restarted.tick(local(5, 30)).aired) == 2
    restarted.app.close()

    again = Station(App.create(station.app.config))  # a second restart right after airtime
    report = again.tick(local(5, 31))
    assert report.aired == [] and report.missed == []
    with again.app.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AsRun)) == 2


def test_rotation_across_days_uses_the_database(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url, max_duration="16s")
    first = station.build(MONDAY, "sang", "trung-tam", local(3, 30))
    second = station.build(MONDAY + timedelta(days=1), "sang", "trung-tam", local(3, 30))
    day1 = json.loads((first.folder / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    day2 = json.loads((second.folder / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    d1 = [i["script"] for i in day1["items"]]
    d2 = [i["script"] for i in day2["items"]]
    assert d1[0] == d2[0] == "tien-do"
    assert not set(d1[1:]) & set(d2[1:])  # no non-pinned script repeats on the next day
    assert {d["reason"] for d in day2["decisions"]} >= {"recently_aired"}
    assert any(d["reason"] == "over_duration" for d in day1["decisions"])
    assert day1["duration_s"] <= 16.0 and day2["duration_s"] <= 16.0


def test_broken_script_is_skipped_with_its_reason(tmp_path: Path, db_url: str) -> None:
    scripts = dict(SCRIPTS)
    scripts["hong"] = "---\nid: hong\ntitle: Hỏng\npriority: 9\n---\nXin chào\n{{ thon.ten }}\n"
    station = open_station(tmp_path, db_url, scripts=scripts)
    result = station.build(MONDAY, "sang", "trung-tam", local(4, 0))
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    assert "hong" not in [i["script"] for i in manifest["items"]]
    (decision,) = [d for d in manifest["decisions"] if d["script"] == "hong"]
    assert decision["reason"] == "template_error"
    assert "hong.txt:7" in decision["detail"] and "thon" in decision["detail"]
    assert "ScriptInvalid" in event_kinds(station)


def test_playout_command_failure_is_recorded(tmp_path: Path, db_url: str) -> None:
    command = f"{sys.executable} -c \"import sys; sys.exit(3 if '{{zone}}' == 'phia-bac' else 0)\" {{file}}"
    station = open_station(tmp_path, db_url, command=command)
    station.tick(local(4, 0))
    report = station.tick(local(5, 30))
    outcome = {r.status for r in report.aired}
    assert outcome == {"aired", "failed"}
    by_zone = {b.zone_id: b for b in rows(station) if b.airtime == AIRTIME}
    assert by_zone["trung-tam"].status == "aired"
    assert by_zone["phia-bac"].status == "failed" and "3" in (by_zone["phia-bac"].error or "")
    assert by_zone["phia-bac"].reason == "playout_failed"
    assert "BroadcastFailed" in event_kinds(station)
    assert station.tick(local(5, 31)).aired == []  # a failed broadcast is not retried late


def test_playout_command_gets_the_program_file(tmp_path: Path, db_url: str) -> None:
    out = tmp_path / "played.txt"
    command = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'a').write(sys.argv[2] + ' ' + sys.argv[3] + '\\n')\" {out} {{file}} {{zone}}"
    station = open_station(tmp_path, db_url, command=command)
    station.tick(local(16, 0))
    station.tick(local(17, 0))
    (line,) = out.read_text(encoding="utf-8").splitlines()  # the 17:00 slot airs on trung-tam only
    path, zone = line.split()
    assert (
        zone == "trung-tam"
        and path.endswith("2026-11-30/chieu/trung-tam/program.mp3")
        and Path(path).is_file()
    )


def test_urgent_alert_is_published_at_once(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    now = local(10, 15, 30)
    outcomes = station.alert("Cháy rừng ở đồi Khòn Pẩu, bà con tránh xa.", ["phia-bac"], now)
    aired = [o for o in outcomes if getattr(o, "status", None) == "published" and not hasattr(o, "built")]
    assert len(aired) == 1
    folder = tmp_path / "playout" / "2026-11-30" / "khan-101530" / "phia-bac"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "alert" and manifest["status"] == "published"
    assert "Cháy rừng ở đồi Khòn Pẩu" in manifest["items"][0]["text"]
    assert not (tmp_path / "playout" / "2026-11-30" / "khan-101530" / "trung-tam").exists()
    assert "AlertIssued" in event_kinds(station)


def test_offline_items_are_rerendered_with_gtts_when_the_network_returns(tmp_path: Path, db_url: str) -> None:
    """Google unreachable at render time → offline voice; Google back before airtime → gTTS re-render."""
    import responses
    from audio_fixtures import FakeClock, google_calls, google_down, google_ok

    path = write_commune(tmp_path, db_url)
    path.write_text(
        path.read_text(encoding="utf-8").replace("engines: [offline]", "engines: [gtts, offline]")
    )
    fake = FakeClock()
    station = Station(App.create(load_config(path), sleep=fake.sleep, monotonic=fake.monotonic))
    folder = tmp_path / "playout/2026-11-30/chieu/trung-tam"

    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google_down(google)
        station.tick(local(15, 0))
        first = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert {(i["engine"], i["offline"]) for i in first["items"]} == {("offline", True)}
        assert fake.sleeps == [1.0, 2.0]  # bounded retries with backoff, then the cool-down: no more waiting
        calls = google_calls(google)
        assert station.tick(local(15, 1)).built == []  # the probe: still down, nothing rebuilt
        assert google_calls(google) == calls + 1  # one short probe, not a render's worth of requests

    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google_ok(google)
        assert station.app.speaker.cooling_down("gtts")  # renders still skip Google…
        report = station.tick(local(15, 2))  # …but the probe finds it back: re-spoken at once
    assert [(b.slot, b.zone) for b in report.built] == [("chieu", "trung-tam")]
    assert report.built[0].why == ("đọc lại bằng giọng trực tuyến (gTTS trả lời trở lại)",)
    assert not station.app.speaker.cooling_down("gtts")
    second = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {(i["engine"], i["offline"]) for i in second["items"]} == {("gtts", False)}
    assert [i["script"] for i in second["items"]] == [i["script"] for i in first["items"]]
    (row,) = [b for b in rows(station) if b.slot_id == "chieu" and b.day == MONDAY]
    assert row.status == "ready" and row.offline_items == 0


def test_recorded_item_goes_through_the_same_processing(tmp_path: Path, db_url: str) -> None:
    import numpy as np
    from audio_fixtures import tone

    from loa114.audio import ffmpeg

    scripts = {
        "tay": "---\nid: tay\ntitle: Thông báo tiếng Tày\naudio: tay.mp3\npinned: true\n---\nLời ghi tiếng Tày.\n"
    }
    write_commune(tmp_path, db_url, scripts=scripts)
    loud = np.clip(tone(6.0, level=0.9) * 1.0, -1, 1)
    (tmp_path / "scripts" / "tay.mp3").write_bytes(
        ffmpeg.encode_mp3((loud * 32767).astype(np.int16), 22050, 64)
    )
    station = open_station(tmp_path, db_url, scripts=scripts)
    result = station.build(MONDAY, "sang", "trung-tam", local(4, 0))
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[operator]
    (item,) = manifest["items"]
    assert item["engine"] == "recorded" and item["text"] == "Lời ghi tiếng Tày."
    loudness, peak = measure(result.folder / "program.mp3")  # type: ignore[operator]
    assert abs(loudness + 16.0) <= 1.0 and peak <= -1.0


def test_two_alerts_in_the_same_second_both_air(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url)
    now = local(10, 15, 30)
    station.alert("Cháy rừng ở đồi Khòn Pẩu.", ["phia-bac"], now)
    second = station.alert("Bổ sung: gió mạnh, bà con đóng cửa.", ["phia-bac"], now)
    assert [getattr(o, "status", None) for o in second if not hasattr(o, "built")] == ["published"]
    assert (tmp_path / "playout/2026-11-30/khan-101530-2/phia-bac/program.mp3").is_file()


def test_a_broken_adapter_fails_the_broadcast_and_the_manifest_says_so(tmp_path: Path, db_url: str) -> None:
    from loa114.scheduler.playout import Airing, PlayoutAdapter

    class Unplugged(PlayoutAdapter):
        name = "amplifier"

        def publish(self, airing: Airing) -> str | None:
            raise PermissionError(13, "Permission denied", "/dev/snd")

    station = open_station(tmp_path, db_url)
    station.app.adapters.append(Unplugged())
    station.tick(local(4, 0))
    report = station.tick(local(5, 30))
    assert {r.status for r in report.aired} == {"failed"}
    assert {b.status for b in rows(station) if b.airtime == AIRTIME} == {"failed"}
    manifest = json.loads(
        (tmp_path / "playout/2026-11-30/sang/trung-tam/manifest.json").read_text(encoding="utf-8")
    )
    assert manifest["status"] == "failed"


def test_claim_refuses_a_program_past_its_grace(tmp_path: Path, db_url: str) -> None:

    station = open_station(tmp_path, db_url)
    result = station.build(MONDAY, "sang", "trung-tam", local(4, 0))
    assert (
        station.app.on_air.claim(result.broadcast_id, local(5, 35, 1), None) is None
    )  # 5 min 1 s late: never
    got = station.app.on_air.claim(result.broadcast_id, local(5, 34, 59), None)
    assert got is not None and got.status == "airing"
    assert station.app.on_air.claim(result.broadcast_id, local(5, 35), None) is None  # claimed once only
