"""Items and whole programs: chime, repeats, recorded files, loudness and peaks on the decoded MP3, files, tags."""

from __future__ import annotations

import errno
import hashlib
import os
import wave
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import responses
from mutagen.id3 import ID3
from scipy import signal

from loa114.audio import dsp, ffmpeg
from loa114.audio.engines.gtts import GTTSEngine
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.errors import AssemblyError, RenderError
from loa114.audio.loudness import LoudnessMeter, measure
from loa114.audio.measurement import PartMeasure, program_measure, resolution
from loa114.audio.program import (
    BuiltProgram,
    ItemSource,
    ProgramBuilder,
    ProgramTags,
    RenderedItem,
    say_to_file,
)
from loa114.audio.speaker import Speaker
from tests.audio_fixtures import TEXT, FakeClock, google_calls, google_down, google_ok, make_settings, tone

TAGS = ProgramTags("Chương trình sáng 01/03/2026", date(2026, 3, 1), "Báo cháy 114", "Loa 114 — Lợi Bác")
PARTS = [TEXT, "Mỗi hộ gia đình hãy cài đặt ứng dụng Báo cháy 114 trên điện thoại thông minh."]


def decoded(path: Path, rate: int = 22050) -> np.ndarray:
    return ffmpeg.decode(path, rate).astype(np.float64) / 32768.0


def true_peak_dbtp(x: np.ndarray) -> float:
    return float(20 * np.log10(np.max(np.abs(signal.resample_poly(x, 4, 1)))))


def write_wav(path: Path, x: np.ndarray, rate: int = 44100) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(dsp.to_pcm16(x).tobytes())
    return path


@dataclass
class Built:
    builder: ProgramBuilder
    offline: OfflineEngine
    items: list[RenderedItem]
    program: BuiltProgram
    out: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("program")
    settings = make_settings(root, engines=("offline",))
    offline = OfflineEngine()
    builder = ProgramBuilder(settings, Speaker(settings, [offline]))
    recorded_wav = write_wav(root / "thong-bao.wav", tone(4.0, 44100, 300.0, 0.05))
    recorded_mp3 = root / "ghi-am.mp3"
    recorded_mp3.write_bytes(ffmpeg.encode_mp3(dsp.to_pcm16(tone(3.0, 22050, 500.0, 0.8)), 22050, 64))
    sources = [
        ItemSource("goi-114", "Gọi 114 khi có cháy", PARTS, None, repeat=2),
        ItemSource("ghi-am", "Thông báo ghi âm", None, recorded_wav),
        ItemSource("cai-dat", "Cài đặt ứng dụng", ["Hãy cài đặt ứng dụng Báo cháy 114."], None),
        ItemSource("ghi-am-mp3", "Ghi âm MP3", None, recorded_mp3),
    ]
    items = [builder.render_item(s) for s in sources]
    out = root / "staging"
    return Built(builder, offline, items, builder.write_program(items, out, TAGS), out)


def test_program_loudness_and_true_peak_measured_on_the_decoded_mp3(built: Built) -> None:
    x = decoded(built.out / "program.mp3")
    lufs = pyloudnorm.Meter(22050).integrated_loudness(x)
    assert lufs == pytest.approx(-16.0, abs=1.0)
    assert true_peak_dbtp(x) <= -1.0
    assert built.program.loudness_lufs == pytest.approx(lufs, abs=0.05)
    assert built.program.true_peak_dbtp == pytest.approx(true_peak_dbtp(x), abs=0.3)
    assert built.program.duration_s == pytest.approx(len(x) / 22050, abs=0.01)


def test_every_item_is_on_target_too(built: Built) -> None:
    for item in built.program.items:
        x = decoded(built.out / item.file)
        assert pyloudnorm.Meter(22050).integrated_loudness(x) == pytest.approx(-16.0, abs=1.0)
        assert true_peak_dbtp(x) <= -1.0


def test_items_files_order_and_playlist(built: Built) -> None:
    program = built.program
    assert program.file == "program.mp3"
    assert [i.file for i in program.items] == [
        "items/01-goi-114.mp3", "items/02-ghi-am.mp3", "items/03-cai-dat.mp3", "items/04-ghi-am-mp3.mp3",
    ]  # fmt: skip
    assert [i.engine for i in program.items] == ["offline", "recorded", "offline", "recorded"]
    assert sorted(p.name for p in (built.out / "items").iterdir()) == [
        Path(i.file).name for i in program.items
    ]
    for item, rendered in zip(program.items, built.items, strict=True):
        data = (built.out / item.file).read_bytes()
        assert item.sha256 == hashlib.sha256(data).hexdigest()
        assert item.duration_s == pytest.approx(len(decoded(built.out / item.file)) / 22050, abs=0.15)
        assert item.duration_s == pytest.approx(rendered.duration_s, abs=0.001)
    gaps = 2.0 * (len(program.items) - 1)
    assert program.duration_s == pytest.approx(sum(i.duration_s for i in program.items) + gaps, abs=0.5)
    playlist = (built.out / "playlist.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[0] == "#EXTM3U"
    assert playlist[1] == f"#EXTINF:{round(program.items[0].duration_s)},Gọi 114 khi có cháy"
    assert playlist[2::2] == [i.file for i in program.items]


def test_id3_tags(built: Built) -> None:
    tags = ID3(built.out / "program.mp3")
    assert str(tags["TIT2"]) == "Chương trình sáng 01/03/2026"
    assert str(tags["TDRC"]) == "2026-03-01"
    assert str(tags["TALB"]) == "Báo cháy 114"
    assert str(tags["TPE1"]) == "Loa 114 — Lợi Bác"
    item_tags = ID3(built.out / "items" / "02-ghi-am.mp3")
    assert str(item_tags["TIT2"]) == "Thông báo ghi âm" and str(item_tags["TRCK"]) == "2/4"


def test_item_starts_with_the_chime_and_repeats(built: Built, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    builder = ProgramBuilder(settings, Speaker(settings, [built.offline]))
    once = builder.render_item(ItemSource("a", "A", PARTS, None, repeat=1))
    twice = built.items[0]
    speech = once.duration_s - 1.5 - 0.4
    assert twice.duration_s == pytest.approx(
        once.duration_s + 2.0 + speech + 0.8, abs=0.5
    )  # gaps, phrase, speech
    quiet = ProgramBuilder(make_settings(tmp_path, engines=("offline",), chime=False), builder.speaker)
    no_chime = quiet.render_item(ItemSource("a", "A", PARTS, None))
    assert once.duration_s - no_chime.duration_s == pytest.approx(1.9, abs=0.05)
    head = dsp.to_float(once.segment[:1500], 22050)
    spectrum = np.abs(np.fft.rfft(head))
    peak_hz = np.argmax(spectrum) * 22050 / len(head)
    assert 500 < peak_hz < 800  # the chime's tones, not speech


def test_recorded_items_are_band_limited_and_normalised(built: Built) -> None:
    x = dsp.to_float(built.items[1].segment, 22050)
    assert built.items[1].engine == "recorded" and not built.items[1].offline
    assert pyloudnorm.Meter(22050).integrated_loudness(x.astype(np.float64)) == pytest.approx(-16, abs=0.5)
    assert built.items[1].duration_s == pytest.approx(1.5 + 0.4 + 4.0 + 0.1, abs=0.2)


def test_undecodable_recording_names_the_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    builder = ProgramBuilder(settings, Speaker(settings, [OfflineEngine()]))
    bad = tmp_path / "hong.mp3"
    bad.write_bytes(b"ID3 this is not audio" * 50)
    with pytest.raises(AssemblyError) as caught:
        builder.render_item(ItemSource("x", "X", None, bad))
    assert caught.value.path == bad


def test_zero_items_are_refused(built: Built, tmp_path: Path) -> None:
    with pytest.raises(AssemblyError):
        built.builder.write_program([], tmp_path / "empty", TAGS)


def test_warm_render_and_build_do_no_synthesis_nor_encoding(built: Built, tmp_path: Path) -> None:
    calls = built.offline.calls
    cache = built.builder.cache
    item = built.builder.render_item(
        ItemSource("cai-dat", "Cài đặt ứng dụng", ["Hãy cài đặt ứng dụng Báo cháy 114."], None)
    )
    assert built.offline.calls == calls
    assert item.key == built.items[2].key
    assert item.segment.raw_data == built.items[2].segment.raw_data
    misses = cache.misses
    program = built.builder.write_program(built.items, tmp_path / "again", TAGS)
    assert cache.misses == misses  # item MP3s, silence and the loudness measurement all came from the cache
    assert (tmp_path / "again" / "program.mp3").read_bytes() == (built.out / "program.mp3").read_bytes()
    assert program == built.program


def test_offline_item_is_re_rendered_with_gtts_when_asked(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, gtts_retries=1)
    speaker = Speaker(
        settings,
        [GTTSEngine(tld=settings.gtts_tld), OfflineEngine()],
        sleep=clock.sleep,
        monotonic=clock.monotonic,
    )
    builder = ProgramBuilder(settings, speaker)
    source = ItemSource("goi-114", "Gọi 114", [TEXT], None)
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        first = builder.render_item(source)
        assert (first.engine, first.offline) == ("offline", True)
        assert builder.render_item(source).key == first.key  # gTTS cooling down: the offline render is reused
        with pytest.raises(RenderError):
            builder.render_item(source, engines=["gtts"])
    with responses.RequestsMock() as rsps:
        google_ok(rsps)
        again = builder.render_item(source, engines=["gtts"])
        assert google_calls(rsps) == 1
    assert (again.engine, again.offline) == ("gtts", False)
    clock.now += settings.gtts_cooldown_s + 1
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        google_ok(rsps)
        later = builder.render_item(source)  # cooldown over, network back: the offline render is not served
        assert google_calls(rsps) == 0  # the chunk spoken by gTTS is cached
    assert (later.engine, later.offline) == ("gtts", False)


def test_say_to_file_writes_playable_mp3_and_wav(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    speaker = Speaker(settings, [OfflineEngine()])
    spoken = say_to_file(speaker, [TEXT], tmp_path / "out" / "loi-nhac.mp3", settings)
    x = decoded(tmp_path / "out" / "loi-nhac.mp3")
    assert len(x) / 22050 == pytest.approx(spoken.segment.duration_seconds, abs=0.15)
    assert pyloudnorm.Meter(22050).integrated_loudness(x) == pytest.approx(-16, abs=1)
    say_to_file(speaker, [TEXT], tmp_path / "loi-nhac.wav", settings)
    with wave.open(str(tmp_path / "loi-nhac.wav")) as w:
        assert (w.getframerate(), w.getnchannels()) == (22050, 1) and w.getnframes() > 22050
    with pytest.raises(AssemblyError):
        say_to_file(speaker, [TEXT], tmp_path / "x.ogg", settings)


def test_meter_agrees_with_pyloudnorm_and_measure_reads_files(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    x = signal.sosfilt(
        signal.butter(4, [300, 3000], "bandpass", fs=22050, output="sos"), rng.standard_normal(22050 * 7)
    )
    x = (x * np.where(np.arange(x.size) % 44100 < 30000, 0.3, 0.01)).astype(np.float32)
    meter = LoudnessMeter(22050)
    for block in np.array_split(x, 9):  # streamed in uneven blocks
        meter.feed(block)
    assert meter.integrated_lufs == pytest.approx(
        pyloudnorm.Meter(22050).integrated_loudness(x.astype(np.float64)), abs=0.05
    )
    assert meter.true_peak_dbtp == pytest.approx(true_peak_dbtp(x.astype(np.float64)), abs=0.2)
    path = write_wav(tmp_path / "n.wav", x, 22050)
    lufs, peak = measure(path)
    assert lufs == pytest.approx(meter.integrated_lufs, abs=0.05)
    assert peak == pytest.approx(meter.true_peak_dbtp, abs=0.1)


def test_program_loudness_from_parts_agrees_with_decoding_program_mp3(built: Built) -> None:
    lufs, peak = measure(built.out / "program.mp3")  # decode + meter the whole file
    assert built.program.loudness_lufs == pytest.approx(lufs, abs=0.2)
    assert built.program.loudness_lufs == pytest.approx(lufs, abs=0.01)  # the same samples, in fact
    assert built.program.true_peak_dbtp == pytest.approx(peak, abs=0.01)


def test_parts_that_do_not_join_on_granules_are_not_summed() -> None:
    step = resolution(22050)
    whole = PartMeasure(step * 100, 0.5, np.ones(100, dtype=np.float32))
    assert program_measure([whole, whole], 22050) is not None
    assert program_measure([whole, PartMeasure(step * 100 + 1, 0.5, np.ones(100, np.float32))], 22050) is None


def test_item_files_recurring_with_the_same_tags_are_hard_links(built: Built, tmp_path: Path) -> None:
    first = built.builder.write_program(built.items, tmp_path / "zone-a", TAGS)
    second = built.builder.write_program(built.items, tmp_path / "zone-b", TAGS)
    for a, b in zip(first.items, second.items, strict=True):
        path_a, path_b = tmp_path / "zone-a" / a.file, tmp_path / "zone-b" / b.file
        assert path_a.stat().st_ino == path_b.stat().st_ino
        assert path_a.read_bytes() == (built.out / a.file).read_bytes()  # what writing it would give
        assert a.sha256 == hashlib.sha256(path_b.read_bytes()).hexdigest()
    other_day = ProgramTags(TAGS.title, date(2026, 3, 2), TAGS.album, TAGS.artist)
    third = built.builder.write_program(built.items, tmp_path / "zone-c", other_day)
    path_c = tmp_path / "zone-c" / third.items[0].file
    assert path_c.stat().st_ino != (tmp_path / "zone-a" / first.items[0].file).stat().st_ino
    assert str(ID3(path_c)["TDRC"]) == "2026-03-02"
    assert (tmp_path / "zone-c" / "program.mp3").stat().st_nlink == 1  # program.mp3 is its own file


def test_a_linked_file_edited_in_place_does_not_poison_later_programs(built: Built, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))  # a cache of its own: the edit stays here
    builder = ProgramBuilder(settings, Speaker(settings, [built.offline]))
    first = builder.write_program(built.items, tmp_path / "a", TAGS)
    edited = tmp_path / "a" / first.items[0].file
    original = edited.read_bytes()
    edited.chmod(0o644)
    with edited.open("r+b") as fh:  # a tag editor writing in place into the shared inode
        fh.seek(200)
        fh.write(b"\xff" * 64)
    second = builder.write_program(built.items, tmp_path / "b", TAGS)
    fresh = tmp_path / "b" / second.items[0].file
    assert fresh.read_bytes() == original
    assert hashlib.sha256(fresh.read_bytes()).hexdigest() == second.items[0].sha256 == first.items[0].sha256
    assert fresh.stat().st_ino != edited.stat().st_ino
    assert b"\xff" * 64 in edited.read_bytes()  # the edited playout file keeps its edit
    assert builder.files.written == len(first.items) + 1  # the damaged entry was replaced, once


def test_items_are_copied_where_links_are_refused(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    program = built.builder.write_program(built.items, tmp_path / "other-disk", TAGS)
    for item in program.items:
        path = tmp_path / "other-disk" / item.file
        assert path.stat().st_nlink == 1
        assert path.read_bytes() == (built.out / item.file).read_bytes()


def test_cached_item_without_its_samples_is_rendered_again_when_needed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    offline = OfflineEngine()
    source = ItemSource("cai-dat", "Cài đặt ứng dụng", ["Hãy cài đặt ứng dụng Báo cháy 114."], None)
    first = ProgramBuilder(settings, Speaker(settings, [offline])).render_item(source)
    expected = first.segment.raw_data
    for entry in (settings.cache_dir / "item-pcm").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"LOA1 damaged")
    for entry in (settings.cache_dir / "item-mp3").rglob("*"):
        if entry.is_file():
            entry.unlink()
    builder = ProgramBuilder(settings, Speaker(settings, [offline]))  # a new process: nothing in memory
    again = builder.render_item(source)
    assert again.key == first.key and again.duration_s == first.duration_s
    program = builder.write_program([again], tmp_path / "out", TAGS)
    assert again.segment.raw_data == expected
    assert program.duration_s == pytest.approx(again.duration_s, abs=0.15)
