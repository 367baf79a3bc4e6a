"""The online voice at speed and under trouble: chunks side by side within a process-wide limit,
keep-alive, proxy and CA settings from the environment, a time budget against a hung network.

Google's endpoint is a local HTTP server (or the `responses` mock); the engine and speaker are real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter

from loa114.audio.engines.gtts import GTTSEngine
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.program import ItemSource, ProgramBuilder
from loa114.audio.speaker import Speaker
from tests.audio_fixtures import (
    TEXT,
    FakeClock,
    FakeGoogle,
    SilentServer,
    google_body,
    google_calls,
    google_down,
    google_mp3,
    local_session,
    make_settings,
)

CHUNKS = [f"Câu số {n}: bà con hãy cài ứng dụng Báo cháy một một bốn." for n in range(1, 9)]


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    server = FakeGoogle()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def online_speaker(tmp_path: Path, google: FakeGoogle, clock: FakeClock | None = None, **overrides: object):
    settings = make_settings(tmp_path, **overrides)
    engines = [
        GTTSEngine(session_factory=google.session, pool_size=settings.gtts_max_in_flight),
        OfflineEngine(),
    ]
    if clock is None:
        return Speaker(settings, engines)
    return Speaker(settings, engines, sleep=clock.sleep, monotonic=clock.monotonic, clock=clock.wall)


def test_chunks_go_out_together_but_never_more_than_the_limit_per_process(
    tmp_path: Path, google: FakeGoogle
) -> None:
    first = online_speaker(tmp_path / "a", google, gtts_max_in_flight=3)
    second = online_speaker(tmp_path / "b", google, gtts_max_in_flight=3)  # another zone, same process
    assert first.probe()
    assert second.probe()
    google.hold = 3  # requests wait until three are out at once
    spoken: dict[str, object] = {}

    def speak(name: str, speaker: Speaker, texts: list[str]) -> None:
        spoken[name] = speaker.speak(texts)

    threads = [
        threading.Thread(target=speak, args=("a", first, CHUNKS[:5])),
        threading.Thread(target=speak, args=("b", second, CHUNKS[3:])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert google.max_active == 3  # side by side, and the limit is shared by both speakers
    assert sorted(google.texts[2:]) == sorted(CHUNKS[:5] + CHUNKS[3:])  # after the two probes
    assert all((s.engine, s.offline) == ("gtts", False) for s in spoken.values())  # type: ignore[attr-defined]


def test_side_by_side_gives_what_one_at_a_time_gives(tmp_path: Path, google: FakeGoogle) -> None:
    parts = [CHUNKS[0], CHUNKS[1], CHUNKS[2], CHUNKS[0]]
    one = online_speaker(tmp_path / "one", google, gtts_max_in_flight=1).speak(parts)
    many = online_speaker(tmp_path / "many", google, gtts_max_in_flight=6).speak(parts)
    assert many.segment.raw_data == one.segment.raw_data  # every chunk in its place
    assert (many.engine, many.offline) == (one.engine, one.offline) == ("gtts", False)
    keys = sorted(p.name for p in (tmp_path / "one" / "cache" / "speech").rglob("*") if p.is_file())
    assert keys == sorted(p.name for p in (tmp_path / "many" / "cache" / "speech").rglob("*") if p.is_file())


def test_identical_texts_are_requested_once(tmp_path: Path, google: FakeGoogle) -> None:
    settings = make_settings(tmp_path)
    speaker = online_speaker(tmp_path, google)
    builder = ProgramBuilder(settings, speaker)
    item = builder.render_item(
        ItemSource("goi-114", "Gọi 114", [CHUNKS[0], CHUNKS[1], CHUNKS[0]], None, repeat=2)
    )
    assert (item.engine, item.offline) == ("gtts", False)
    assert sorted(google.texts) == sorted([CHUNKS[0], CHUNKS[1], settings.repeat_phrase])


def test_a_programs_speech_is_prefetched_together_then_rendered_one_item_at_a_time(
    tmp_path: Path, google: FakeGoogle
) -> None:
    settings = make_settings(tmp_path, gtts_max_in_flight=4)
    builder = ProgramBuilder(settings, online_speaker(tmp_path, google, gtts_max_in_flight=4))
    sources = [
        ItemSource("a", "A", CHUNKS[:3], None, repeat=2),
        ItemSource("b", "B", CHUNKS[2:6], None),
    ]
    assert builder.speaker.probe()
    google.hold = 4
    assert builder.prefetch_speech(sources) == 6 + 1  # six texts and the repeat phrase, each once
    assert google.max_active == 4
    requests = google.requests
    items = [builder.render_item(source) for source in sources]
    assert google.requests == requests  # the speech was all in the cache
    assert all((i.engine, i.offline) == ("gtts", False) for i in items)

    offline = OfflineEngine()
    local = ProgramBuilder(
        make_settings(tmp_path / "o", engines=("offline",)),
        Speaker(make_settings(tmp_path / "o", engines=("offline",)), [offline]),
    )
    assert local.prefetch_speech(sources) == 0 and offline.calls == 0  # the offline voice gains nothing


def test_connections_are_kept_open_between_requests(tmp_path: Path, google: FakeGoogle) -> None:
    speaker = online_speaker(tmp_path, google, gtts_max_in_flight=2)
    for n in range(0, 8, 2):
        speaker.speak(CHUNKS[n : n + 2])  # one item after another, as the scheduler renders them
    assert google.requests == 8
    assert google.connections <= 2  # at most one per request out at once, reused afterwards


def test_an_outage_costs_one_series_of_retries_however_many_chunks_are_out(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, gtts_retries=3, gtts_backoff_s=1.0)
    speaker = Speaker(
        settings,
        [GTTSEngine(), OfflineEngine()],
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        clock=clock.wall,
    )
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, "https://translate.google.com.vn/_/TranslateWebserverUi/data/batchexecute",
                 body=google_body(google_mp3()))  # fmt: skip
        assert speaker.probe()  # Google answers: the next chunks all go out at once
        rsps.replace(responses.POST, "https://translate.google.com.vn/_/TranslateWebserverUi/data/batchexecute",
                     body=requests.ConnectionError("network down"))  # fmt: skip
        spoken = speaker.speak(CHUNKS)
        calls = google_calls(rsps)
    assert clock.sleeps == [1.0, 2.0]  # one pilot retried with backoff; the others waited for its verdict
    assert calls <= 1 + settings.gtts_max_in_flight + 2
    assert (spoken.engine, spoken.offline) == ("offline", True)
    assert speaker.cooling_down("gtts")


class Recording(HTTPAdapter):
    """A transport that records what `Session.send` hands it and answers like Google."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict] = []

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:  # type: ignore[override]
        self.sent.append({"url": request.url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        response._content = google_body(google_mp3()).encode("utf-8")
        response.url = request.url or ""
        response.request = request
        return response


def recording_session(adapter: Recording, *, verify: bool = True) -> requests.Session:
    session = requests.Session()
    session.verify = verify
    session.mount("https://", adapter)
    return session


def test_proxy_and_ca_bundle_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "commune-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.xa-loi-bac.vn:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    adapter = Recording()
    GTTSEngine(session_factory=lambda: recording_session(adapter)).synthesize(TEXT)
    (sent,) = adapter.sent
    assert sent["verify"] == str(bundle)
    assert sent["proxies"]["https"] == "http://proxy.xa-loi-bac.vn:3128"

    monkeypatch.setenv("NO_PROXY", "translate.google.com.vn")
    GTTSEngine(session_factory=lambda: recording_session(adapter)).synthesize(TEXT)
    assert "https" not in adapter.sent[-1]["proxies"]


def test_tls_verification_stays_on(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/loa/ca.pem")
    adapter = Recording()
    GTTSEngine(session_factory=lambda: recording_session(adapter)).synthesize(TEXT)
    assert adapter.sent[-1]["verify"] == "/etc/loa/ca.pem"  # curl's variable is honoured too
    monkeypatch.delenv("CURL_CA_BUNDLE")
    GTTSEngine(session_factory=lambda: recording_session(adapter, verify=False)).synthesize(TEXT)
    assert adapter.sent[-1]["verify"] is True  # a session with verification off does not turn it off


def test_urgent_item_is_spoken_offline_within_its_budget_when_the_network_hangs(tmp_path: Path) -> None:
    hung = SilentServer()
    try:
        settings = make_settings(tmp_path, gtts_timeout_s=10.0, gtts_retries=3)
        gtts = GTTSEngine(session_factory=lambda: local_session(hung.base_url))
        builder = ProgramBuilder(settings, Speaker(settings, [gtts, OfflineEngine()]))
        source = ItemSource(
            "khan", "Thông báo khẩn", [TEXT, "Bà con tránh xa khu vực cháy.", "Xin cảm ơn."], None
        )
        started = time.monotonic()
        item = builder.render_item(source, budget_s=0.8)
        elapsed = time.monotonic() - started
        assert (item.engine, item.offline) == ("offline", True)
        assert elapsed < 5.0  # not 3 × 10 s: the budget, then the offline voice (a generous bound)
        assert hung.connections >= 1  # Google was really asked
        health = Speaker(settings, [gtts, OfflineEngine()]).health("gtts")  # as the next command sees it
        assert health is not None and health.cooling(time.time())
        assert "budget" in health.error or "unreachable" in health.error

        connections = hung.connections
        next_command = ProgramBuilder(settings, Speaker(settings, [GTTSEngine(), OfflineEngine()]))
        started = time.monotonic()
        again = next_command.render_item(ItemSource("khan-2", "Khẩn 2", ["Gió mạnh, bà con đóng cửa."], None))
        assert time.monotonic() - started < 5.0  # no 10 s timeout: Google is not asked
        assert again.offline and hung.connections == connections  # skipped at once, not asked again
    finally:
        hung.close()


def test_a_busy_process_is_not_taken_for_an_outage(tmp_path: Path, google: FakeGoogle) -> None:
    """The urgent call finds every slot taken by the scheduler's requests: offline, but no cool-down."""
    speaker = online_speaker(tmp_path, google, gtts_max_in_flight=2)
    assert speaker.probe()
    google.hold = 100  # hold every request until released
    scheduled: dict[str, object] = {}
    busy = threading.Thread(target=lambda: scheduled.update(spoken=speaker.speak(CHUNKS[:2])))
    busy.start()
    try:
        google.wait_active(2)
        urgent = speaker.speak(["Cháy ở thôn Nà Pàn, bà con tránh xa."], budget_s=0.3)
        assert (urgent.engine, urgent.offline) == ("offline", True)
        assert speaker.health("gtts") is None and not speaker.cooling_down("gtts")
    finally:
        google.release()
        busy.join()
    assert scheduled["spoken"].engine == "gtts"  # type: ignore[attr-defined]


def test_retries_never_sleep_past_the_budget(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, gtts_retries=5, gtts_backoff_s=1.0)
    adapter = Recording()
    calls = []

    def down(request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        calls.append(kwargs["timeout"])
        raise requests.ConnectionError("no route to host")

    adapter.send = down  # type: ignore[method-assign]
    gtts = GTTSEngine(session_factory=lambda: recording_session(adapter))
    speaker = Speaker(
        settings, [gtts, OfflineEngine()], sleep=clock.sleep, monotonic=clock.monotonic, clock=clock.wall
    )
    spoken = speaker.speak([TEXT], budget_s=2.5)
    assert clock.sleeps == [1.0]  # the next backoff (2 s) would end past the budget
    assert calls == [2.5, 1.5]  # each request waits at most what is left of the budget
    assert (spoken.engine, spoken.offline) == ("offline", True)
    assert speaker.cooling_down("gtts")


def test_cool_down_is_shared_by_speakers_on_the_same_cache(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, gtts_retries=2, gtts_cooldown_s=300.0)

    def process() -> Speaker:
        return Speaker(
            settings,
            [GTTSEngine(), OfflineEngine()],
            sleep=clock.sleep,
            monotonic=clock.monotonic,
            clock=clock.wall,
        )

    service, cli = process(), process()
    assert service.health("gtts") is None
    with responses.RequestsMock() as rsps:
        google_down(rsps)
        assert service.speak([TEXT]).offline
        assert google_calls(rsps) == 2
        assert cli.cooling_down("gtts")
        assert cli.speak(["Câu khác."]).offline
        assert google_calls(rsps) == 2  # the other process skipped Google at once
    health = cli.health("gtts")
    assert health is not None
    assert health.cooling_until == pytest.approx(clock.wall() + 300.0)
    assert health.since == pytest.approx(clock.wall()) and health.failures == 1
    assert "unreachable" in health.error
    assert (tmp_path / "cache" / "health" / "gtts.json").is_file()
    clock.now += 301
    assert not service.cooling_down("gtts") and not cli.cooling_down("gtts")


def test_probe_renews_the_cool_down_or_ends_it(tmp_path: Path) -> None:
    clock = FakeClock()
    settings = make_settings(tmp_path, gtts_retries=3, gtts_timeout_s=10.0, gtts_probe_timeout_s=2.0)
    adapter = Recording()
    answering = adapter.send
    timeouts = []

    def down(request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        timeouts.append(kwargs["timeout"])
        raise requests.ConnectTimeout("connect timed out")

    adapter.send = down  # type: ignore[method-assign]
    gtts = GTTSEngine(session_factory=lambda: recording_session(adapter))
    speaker = Speaker(
        settings, [gtts, OfflineEngine()], sleep=clock.sleep, monotonic=clock.monotonic, clock=clock.wall
    )
    other = Speaker(settings, [GTTSEngine(), OfflineEngine()], monotonic=clock.monotonic, clock=clock.wall)
    assert speaker.speak([TEXT]).offline
    first = speaker.health("gtts")
    assert first is not None and len(timeouts) == 3
    clock.now += 200
    assert not speaker.probe()
    assert timeouts[3:] == [2.0] and clock.sleeps == [1.0, 2.0]  # one short request, no retries
    renewed = other.health("gtts")
    assert renewed is not None
    assert renewed.cooling_until == pytest.approx(clock.wall() + settings.gtts_cooldown_s)
    assert renewed.since == first.since and renewed.failures == first.failures + 1
    adapter.send = answering  # type: ignore[method-assign]
    assert speaker.probe()
    assert other.health("gtts") is None and not other.cooling_down("gtts")
    spoken = speaker.speak(["Mạng đã có lại."])
    assert (spoken.engine, spoken.offline) == ("gtts", False)


def test_probe_of_an_unknown_engine_is_false(tmp_path: Path) -> None:
    speaker = Speaker(make_settings(tmp_path, engines=("offline",)), [OfflineEngine()])
    assert not speaker.probe("gtts")
