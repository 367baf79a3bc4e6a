"""The disk stays bounded: old playout folders go, the render cache stays under its limit, and the audio of
programs not yet aired is never evicted (rebuilding them stays cheap and needs no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import write_commune

from loa114.scheduler.cli import main
from loa114.scheduler.config import load_config
from loa114.scheduler.programs.cleanup import cleanup
from loa114.scheduler.service.app import App
from loa114.scheduler.service.station import Station

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HCM).astimezone(UTC)


def open_station(root: Path, db_url: str, extra: str = "") -> Station:
    path = write_commune(root, db_url)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return Station(App.create(load_config(path)))


def test_old_published_folders_are_removed_recent_and_unaired_ones_kept(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url, "playout: {dir: playout, keep_days: 2}\n")
    first = date(2026, 11, 30)
    for offset in range(4):  # four days of programs, each aired
        day = first + timedelta(days=offset)
        station.tick(local(day, 4))
        station.tick(local(day, 5, 30))
    station.build_days(first + timedelta(days=4), 1, local(first + timedelta(days=3), 12))  # ahead, not aired
    report = station.cleanup(local(first + timedelta(days=4), 3, 15))
    assert report.folders_removed == ["2026-11-30", "2026-12-01"]  # older than 2 days before 4 Dec
    left = sorted(p.name for p in (tmp_path / "playout").iterdir())
    assert left == ["2026-12-02", "2026-12-03", "2026-12-04"]


def test_a_day_with_an_unfinished_broadcast_is_kept(tmp_path: Path, db_url: str) -> None:
    station = open_station(tmp_path, db_url, "playout: {dir: playout, keep_days: 1}\n")
    day = date(2026, 11, 30)
    station.tick(local(day, 4))  # built, never aired nor marked (no service since)
    report = station.cleanup(local(day + timedelta(days=5), 3, 15))
    assert report.folders_removed == [] and (tmp_path / "playout" / "2026-11-30").is_dir()


def test_the_cache_is_trimmed_but_the_audio_of_programs_not_yet_aired_stays(
    tmp_path: Path, db_url: str
) -> None:
    station = open_station(tmp_path, db_url)
    day = date(2026, 11, 30)
    station.tick(local(day, 4))  # Monday 05:30 programs ready: their audio must stay
    offline = station.app.speaker.engines["offline"]
    spoken = offline.calls  # type: ignore[attr-defined]
    config = station.config  # the tightest limit (model_copy skips validation): all but the kept goes
    tight = config.model_copy(update={"audio": config.audio.model_copy(update={"cache_max_mb": 0})})
    report = cleanup(tight, station.app.db, station.app.sound, local(day, 4, 5))
    assert report.cache_files_removed > 0  # speech chunks and other entries not needed to rebuild
    rebuilt = station.build_days(day, 1, local(day, 4, 10), "sang", force=True)
    assert [r.built for r in rebuilt] == [True, True]
    assert offline.calls == spoken  # type: ignore[attr-defined]  # nothing had to be spoken again


def test_loa_cleanup_reports_what_it_did(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write_commune(tmp_path, f"sqlite:///{tmp_path / 'loa.db'}")
    code = main(["--config", str(path), "--now", "2026-11-30T04:00", "cleanup"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Đã xóa 0 thư mục phát cũ hơn 30 ngày; bộ nhớ đệm âm thanh:")
