"""The render cache on disk: use recorded in mtimes, LRU eviction under a size limit, what an item
rebuild needs kept, and files other accounts can read."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from loa114.audio import eviction
from loa114.audio.cache import TOUCH_AFTER_S, RenderCache
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.program import ItemSource, ProgramBuilder, ProgramTags, say_to_file
from loa114.audio.speaker import Speaker
from tests.audio_fixtures import TEXT, make_settings

TAGS = ProgramTags("Chương trình sáng", date(2026, 3, 1), "Báo cháy 114", "Loa 114 — Lợi Bác")
HOUR = 3600.0


def age(path: Path, seconds: float) -> None:
    """Make `path` look last used `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def key(n: int) -> str:
    return f"{n:02x}" * 32


def test_a_hit_records_the_use_in_the_mtime_but_not_on_every_read(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    cache.put("speech", key(1), b"audio")
    path = cache.path("speech", key(1))
    age(path, HOUR)
    assert cache.get("speech", key(1)) == b"audio"
    assert time.time() - path.stat().st_mtime < 60  # used just now
    age(path, TOUCH_AFTER_S / 2)
    before = path.stat().st_mtime
    cache.get("speech", key(1))
    assert path.stat().st_mtime == before  # recent enough: no write for every hit


def test_evict_removes_the_least_recently_used_until_under_the_limit(tmp_path: Path) -> None:
    cache = RenderCache(tmp_path)
    for n, (kind, hours) in enumerate(
        [("speech", 5), ("item-pcm", 4), ("item-mp3", 3), ("speech", 2), ("item-index", 1)]
    ):
        cache.put(kind, key(n), bytes(1000))
        age(cache.path(kind, key(n)), hours * HOUR)
    size = cache.path("speech", key(0)).stat().st_size
    kept = cache.path("speech", key(0))  # the oldest, but a program that has not aired needs it
    (tmp_path / "health").mkdir()
    (tmp_path / "health" / "gtts.json").write_text("{}")
    report = cache.evict(3 * size, keep=[kept])
    assert (report.files_removed, report.bytes_removed, report.bytes_left) == (2, 2 * size, 3 * size)
    assert kept.exists()
    assert not cache.path("item-pcm", key(1)).exists() and not cache.path("item-mp3", key(2)).exists()
    assert cache.path("speech", key(3)).exists() and cache.path("item-index", key(4)).exists()
    assert (tmp_path / "health" / "gtts.json").exists()  # state, not cache
    assert cache.evict(10 * size).files_removed == 0


def test_evict_tolerates_other_processes_at_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = RenderCache(tmp_path)
    for n in range(4):
        cache.put("speech", key(n), bytes(1000))
        age(cache.path("speech", key(n)), (10 - n) * HOUR)
    scan = eviction._scan
    used, gone = cache.path("speech", key(0)), cache.path("speech", key(1))

    def meanwhile(root: Path) -> Iterator:
        yield from scan(root)
        os.utime(used)  # another process reads the oldest entry…
        gone.unlink()  # …and another one evicts the next

    monkeypatch.setattr(eviction, "_scan", meanwhile)
    report = cache.evict(0)
    assert used.exists()  # used since the scan: kept
    assert report.files_removed == 2  # the two others; the vanished one is not counted
    assert report.bytes_left == used.stat().st_size


def test_linked_item_files_in_use_by_a_playout_folder_are_not_evicted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    builder = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()]))
    item = builder.render_item(ItemSource("goi-114", "Gọi 114", [TEXT], None))
    program = builder.write_program([item], tmp_path / "playout", TAGS)
    entry = builder.files.entry(program.items[0].sha256)
    assert entry.stat().st_nlink == 2
    report = builder.cache.evict(0)
    assert entry.exists()  # removing it would free nothing: the playout folder holds the same inode
    assert report.bytes_linked == entry.stat().st_size and report.bytes_left == 0
    (tmp_path / "playout" / program.items[0].file).unlink()  # the program aired and was cleaned up
    assert builder.cache.evict(0).files_removed == 1 and not entry.exists()


def test_linking_an_item_file_records_its_use(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    builder = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()]))
    item = builder.render_item(ItemSource("goi-114", "Gọi 114", [TEXT], None))
    first = builder.write_program([item], tmp_path / "a", TAGS)
    entry = builder.files.entry(first.items[0].sha256)
    age(entry, HOUR)
    builder.write_program([item], tmp_path / "b", TAGS)
    assert time.time() - entry.stat().st_mtime < 60


def test_what_an_item_rebuild_needs_survives_eviction(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    offline = OfflineEngine()
    builder = ProgramBuilder(settings, Speaker(settings, [offline]))
    aired = builder.render_item(
        ItemSource("cai-dat", "Cài đặt", ["Hãy cài đặt ứng dụng Báo cháy 114."], None)
    )
    builder.write_program([aired], tmp_path / "aired", TAGS)
    coming_source = ItemSource("goi-114", "Gọi 114", [TEXT], None)
    coming = builder.render_item(coming_source)
    program = builder.write_program([coming], tmp_path / "coming", TAGS)
    assert builder.cache.path("item-index", coming.request_key).is_file()
    keep = builder.cache_paths(coming.key, coming.request_key, program.items[0].sha256)
    assert all(p.is_file() for p in keep)
    (tmp_path / "aired" / "items" / "01-cai-dat.mp3").unlink()  # aired and cleaned up
    report = builder.cache.evict(0, keep=keep)
    assert report.files_removed > 0
    left = {p for p in settings.cache_dir.rglob("*") if p.is_file()}
    assert left == set(keep)

    calls = offline.calls
    again = ProgramBuilder(settings, Speaker(settings, [offline]))  # the re-render, in a new process
    rebuilt = again.render_item(coming_source)
    assert rebuilt.key == coming.key and offline.calls == calls  # no synthesis
    mp3 = again.cache.path("item-mp3", again.frames.item_key(rebuilt.key))
    inode = mp3.stat().st_ino
    second = again.write_program([rebuilt], tmp_path / "coming-again", TAGS)
    assert mp3.stat().st_ino == inode  # not encoded again
    linked = tmp_path / "coming-again" / second.items[0].file
    assert linked.stat().st_ino == again.files.entry(program.items[0].sha256).stat().st_ino

    evicted = again.render_item(
        ItemSource("cai-dat", "Cài đặt", ["Hãy cài đặt ứng dụng Báo cháy 114."], None)
    )
    assert offline.calls > calls  # its audio was gone: rendered again (espeak may differ a little)…
    assert evicted.duration_s == pytest.approx(aired.duration_s, abs=0.3)
    assert again.write_program([evicted], tmp_path / "replay", TAGS).duration_s > 1  # …not a broken promise


@pytest.fixture
def strict_umask() -> Iterator[None]:
    old = os.umask(0o077)  # what a locked-down service account may have
    yield
    os.umask(old)


def test_files_and_folders_are_readable_by_other_accounts(tmp_path: Path, strict_umask: None) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    speaker = Speaker(settings, [OfflineEngine()])
    builder = ProgramBuilder(settings, speaker)
    item = builder.render_item(ItemSource("goi-114", "Gọi 114", [TEXT], None))
    out = tmp_path / "staging"
    out.mkdir(mode=0o755)
    builder.write_program([item], out, TAGS)
    say_to_file(speaker, [TEXT], tmp_path / "loi-nhac" / "loi-nhac.mp3", settings)
    speaker._online.health.failed("gtts", "test", time.time(), 60.0)  # a health file too
    created = [p for p in settings.cache_dir.rglob("*")] + [settings.cache_dir]
    created += list(out.rglob("*")) + list((tmp_path / "loi-nhac").rglob("*")) + [tmp_path / "loi-nhac"]
    modes = {p.relative_to(tmp_path).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in created}
    assert {m for p, m in modes.items() if (tmp_path / p).is_dir()} == {0o755}
    linked = {p for p in modes if p.startswith("cache/files/") or p.startswith("staging/items/")}
    assert {modes[p] for p in linked if not (tmp_path / p).is_dir()} == {0o444}
    others = {modes[p] for p in modes if p not in linked and not (tmp_path / p).is_dir()}
    assert others == {0o644}
    assert "cache/health/gtts.json" in modes and "staging/program.mp3" in modes


def test_an_index_whose_audio_was_evicted_is_not_trusted(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    offline = OfflineEngine()
    builder = ProgramBuilder(settings, Speaker(settings, [offline]))
    source = ItemSource("cai-dat", "Cài đặt", ["Hãy cài đặt ứng dụng Báo cháy 114."], None)
    first = builder.render_item(source)
    builder.write_program([first], tmp_path / "a", TAGS)
    (tmp_path / "a" / "items" / "01-cai-dat.mp3").unlink()
    index = builder.cache.path("item-index", first.request_key)
    builder.cache.evict(0, keep=[index])  # the small index was used recently, its audio long ago
    assert index.exists()
    fresh = ProgramBuilder(settings, Speaker(settings, [offline]))  # a new process: nothing in memory
    again = fresh.render_item(source)
    program = fresh.write_program([again], tmp_path / "b", TAGS)  # the audio it promises exists
    assert program.duration_s == pytest.approx(again.duration_s, abs=0.15)
