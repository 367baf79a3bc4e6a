"""Engine order, retries with backoff, cooldown, fallback to offline, and the speech cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import responses

from loa114.audio.cache import RenderCache
from loa114.audio.engines.gtts import GTTSEngine
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.errors import Pause, RenderError
from loa114.audio.speaker import Speaker, build_engines
from tests.audio_fixtures import (
    GOOGLE_URL,
    TEXT,
    FakeClock,
    google_body,
    google_calls,
    google_down,
    google_mp3,
    google_ok,
    make_settings,
)


def make_speaker(tmp_path: Path, clock: FakeClock, **overrides: object) -> tuple[Speaker, OfflineEngine]:
    settings = make_settings(tmp_path, **overrides)
    offline = OfflineEngine()
    engines = [GTTSEngine(tld=settings.gtts_tld), offline]
    return Speaker(settings, engines, sleep=clock.sleep, monotonic=clock.monotonic, clock=clock.wall), offline


def test_gtts_speaks_when_reachable(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, offline = make_speaker(tmp_path, clock)
    with responses.RequestsMock() as rsps:
        google_ok(rsps)
        spoken = speaker.speak([TEXT, "Xin cảm ơn."])
        assert google_calls(rsps) == 2
    assert (spoken.engine, spoken.offline) == ("gtts", False)
    assert offline.calls == 0
    assert spoken.segment.frame_rate == 22050 and spoken.segment.channels == 1


def test_retries_with_exponential_backoff_then_succeeds(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock, gtts_retries=3, gtts_backoff_s=1.0)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, GOOGLE_URL, status=429)
        rsps.add(responses.POST, GOOGLE_URL, status=503)
        rsps.add(responses.POST, GOOGLE_URL, body=google_body(google_mp3()))
        spoken = speaker.speak([TEXT])
        assert google_calls(rsps) == 3
    assert clock.sleeps == [1.0, 2.0]
    assert spoken.engine == "gtts" and not spoken.offline


def test_unreachable_gtts_falls_back_to_offline_and_marks_it(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, offline = make_speaker(tmp_path, clock, gtts_retries=3)
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        spoken = speaker.speak([TEXT, Pause(0.5), "Xin cảm ơn bà con."])
        # three attempts for the first chunk, then gTTS is cooling down: the second chunk goes offline at once
        assert google_calls(rsps) == 3
    assert clock.sleeps == [1.0, 2.0]
    assert (spoken.engine, spoken.offline) == ("offline", True)
    assert offline.calls == 2
    assert spoken.segment.duration_seconds > 1.5


def test_permanent_refusal_is_not_retried(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, GOOGLE_URL, status=403)
        spoken = speaker.speak([TEXT])
        assert google_calls(rsps) == 1
    assert clock.sleeps == []
    assert spoken.offline


def test_cooldown_skips_gtts_then_tries_again(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock, gtts_cooldown_s=300.0, gtts_retries=1)
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        speaker.speak(["Câu thứ nhất."])
        assert google_calls(rsps) == 1
        clock.now += 299
        assert speaker.speak(["Câu thứ hai."]).offline
        assert google_calls(rsps) == 1  # still cooling down: not even one request
    clock.now += 2
    with responses.RequestsMock() as rsps:
        google_ok(rsps)
        spoken = speaker.speak(["Câu thứ ba."])
        assert google_calls(rsps) == 1
    assert (spoken.engine, spoken.offline) == ("gtts", False)


def test_gtts_only_request_is_tried_even_in_cooldown_and_fails_loudly(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock, gtts_retries=2)
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        assert speaker.speak([TEXT]).offline
        with pytest.raises(RenderError) as caught:
            speaker.speak([TEXT], engines=["gtts"])
        assert caught.value.engine == "gtts" and caught.value.transient
        assert google_calls(rsps) == 4  # the re-render really asked Google again


def test_mixed_chunks_report_the_worst_engine(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock, gtts_retries=1)
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, GOOGLE_URL, body=google_body(google_mp3()))
        rsps.add(responses.POST, GOOGLE_URL, status=500)
        spoken = speaker.speak(["Câu một.", "Câu hai."])
    assert (spoken.engine, spoken.offline) == ("offline", True)


def test_offline_only_order_is_not_marked_offline(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    spoken = Speaker(settings, [OfflineEngine()]).speak([TEXT])
    assert (spoken.engine, spoken.offline) == ("offline", False)


def test_pauses_and_chunk_gaps_shape_the_timing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",), chunk_gap_s=0.25)
    speaker = Speaker(settings, [OfflineEngine()])
    one = speaker.speak(["Câu một."]).segment.duration_seconds
    two = speaker.speak(["Câu một.", "Câu một."]).segment.duration_seconds
    paused = speaker.speak(["Câu một.", Pause(2.0), "Câu một."]).segment.duration_seconds
    assert two == pytest.approx(2 * one + 0.25, abs=0.01)
    assert paused == pytest.approx(2 * one + 2.0, abs=0.01)


def test_nothing_to_speak_is_an_error(tmp_path: Path) -> None:
    speaker = Speaker(make_settings(tmp_path, engines=("offline",)), [OfflineEngine()])
    with pytest.raises(RenderError):
        speaker.speak(["  ", Pause(1.0)])


def test_cache_hit_does_no_synthesis(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, offline = make_speaker(tmp_path, clock)
    with responses.RequestsMock() as rsps:
        google_ok(rsps)
        first = speaker.speak([TEXT])
        again, _ = make_speaker(tmp_path, clock)  # a new process: same cache folder
        second = again.speak([TEXT])
        assert google_calls(rsps) == 1
    assert second.segment.raw_data == first.segment.raw_data
    assert second.engine == "gtts"

    offline_settings = make_settings(tmp_path, engines=("offline",))
    speaker2 = Speaker(offline_settings, [offline])
    speaker2.speak([TEXT])
    speaker2.speak([TEXT])
    assert offline.calls == 1


def test_cached_offline_speech_is_not_served_when_gtts_is_back(tmp_path: Path) -> None:
    clock = FakeClock()
    speaker, _ = make_speaker(tmp_path, clock, gtts_retries=1)
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        assert speaker.speak([TEXT]).offline
    clock.now += speaker.settings.gtts_cooldown_s  # the cool-down is over
    fresh, offline = make_speaker(tmp_path, clock)  # another process
    with responses.RequestsMock() as rsps:
        google_ok(rsps)
        spoken = fresh.speak([TEXT])
        assert google_calls(rsps) == 1
    assert (spoken.engine, spoken.offline) == ("gtts", False)
    assert offline.calls == 0


def test_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",))
    offline = OfflineEngine()
    speaker = Speaker(settings, [offline])
    first = speaker.speak([TEXT])
    entries = [p for p in (tmp_path / "cache" / "speech").rglob("*") if p.is_file()]
    assert len(entries) == 1
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # truncated, as after a crash or a full disk
    second = Speaker(settings, [offline]).speak([TEXT])
    assert offline.calls == 2
    assert second.segment.duration_seconds == pytest.approx(first.segment.duration_seconds, abs=0.05)
    Speaker(settings, [offline]).speak([TEXT])
    assert offline.calls == 2  # the entry was rewritten whole
    entries[0].write_bytes(b"\0" * 10)
    Speaker(settings, [offline]).speak([TEXT])
    assert offline.calls == 3


def test_cache_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = RenderCache(tmp_path / "c")
    cache.put("speech", "ab" * 32, b"old audio")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        cache.put("speech", "ab" * 32, b"new audio that never lands")
    monkeypatch.undo()
    assert cache.get("speech", "ab" * 32) == b"old audio"  # the reader still sees the whole old entry
    assert [p.name for p in cache.path("speech", "ab" * 32).parent.iterdir()] == [
        "ab" * 32
    ]  # no temp file left


def test_cache_key_depends_on_processing(tmp_path: Path) -> None:
    offline = OfflineEngine()
    Speaker(make_settings(tmp_path, engines=("offline",)), [offline]).speak([TEXT])
    Speaker(make_settings(tmp_path, engines=("offline",), lowpass_hz=5000), [offline]).speak([TEXT])
    assert offline.calls == 2


def test_build_engines_follows_the_order(tmp_path: Path) -> None:
    engines = build_engines(make_settings(tmp_path, engines=("offline", "gtts")))
    assert [(e.name, e.online) for e in engines] == [("offline", False), ("gtts", True)]
    with pytest.raises(ValueError, match="unknown TTS engine"):
        build_engines(make_settings(tmp_path, engines=("festival",)))


def test_chunks_join_without_clicks(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engines=("offline",), chunk_gap_s=0.25)
    speaker = Speaker(settings, [OfflineEngine()])
    first = speaker.speak(["Câu một."]).segment.get_array_of_samples()
    joined = np.asarray(speaker.speak(["Câu một.", "Câu hai."]).segment.get_array_of_samples(), dtype=float)
    end, gap = len(first), int(0.25 * 22050)
    peak = np.abs(joined).max()
    assert np.abs(joined[:22]).max() < 0.02 * peak  # fades in from silence
    assert np.abs(joined[end - 22 : end]).max() < 0.02 * peak  # fades out before the join
    assert not joined[end : end + gap].any()  # the gap is silence
    assert np.abs(joined[end + gap : end + gap + 22]).max() < 0.02 * peak
    assert np.abs(joined[-22:]).max() < 0.02 * peak
