"""The TTS engines against Google's real request/answer format (mocked endpoint) and real espeak-ng."""

from __future__ import annotations

import json
import urllib.parse

import pytest
import requests
import responses

from loa114.audio.engines.gtts import GTTSEngine
from loa114.audio.engines.offline import OfflineEngine
from loa114.audio.errors import RenderError
from tests.audio_fixtures import GOOGLE_URL, TEXT, google_body, google_mp3


@responses.activate
def test_gtts_speaks_vietnamese_from_googles_answer() -> None:
    responses.add(responses.POST, GOOGLE_URL, body=google_body(google_mp3()), status=200)
    segment = GTTSEngine(tld="com.vn", sample_rate=22050).synthesize(TEXT)
    assert segment.frame_rate == 22050 and segment.channels == 1
    assert 0.5 < segment.duration_seconds < 5
    assert segment.rms > 100  # real speech, not silence
    form = urllib.parse.parse_qs(responses.calls[0].request.body)
    rpc = json.loads(form["f.req"][0])
    assert json.loads(rpc[0][0][1])[:2] == [TEXT, "vi"]  # the text and the language went to Google


@pytest.mark.parametrize(
    ("answer", "transient"),
    [
        ({"status": 429, "body": "Too Many Requests"}, True),
        ({"status": 500, "body": "oops"}, True),
        ({"status": 503, "body": "unavailable"}, True),
        ({"body": requests.exceptions.ConnectTimeout("connect timed out")}, True),
        ({"body": requests.exceptions.ReadTimeout("read timed out")}, True),
        ({"body": requests.ConnectionError("name resolution failed")}, True),
        ({"status": 403, "body": "Forbidden"}, False),
        ({"status": 404, "body": "Not Found"}, False),
        ({"status": 200, "body": ')]}\'\n\n[["wrb.fr","other"]]'}, False),
    ],
)
@responses.activate
def test_gtts_failures_say_whether_retrying_may_help(answer: dict, transient: bool) -> None:
    responses.add(responses.POST, GOOGLE_URL, **answer)
    with pytest.raises(RenderError) as caught:
        GTTSEngine().synthesize(TEXT)
    assert caught.value.engine == "gtts"
    assert caught.value.transient is transient


@responses.activate
def test_gtts_undecodable_audio_is_a_permanent_failure() -> None:
    responses.add(responses.POST, GOOGLE_URL, body=google_body(b"not an mp3 at all" * 10), status=200)
    with pytest.raises(RenderError) as caught:
        GTTSEngine().synthesize(TEXT)
    assert not caught.value.transient


def test_offline_engine_speaks_vietnamese_without_network() -> None:
    engine = OfflineEngine("vi", 150)
    segment = engine.synthesize(TEXT)
    assert segment.frame_rate == 22050
    assert 1.0 < segment.duration_seconds < 8
    assert segment.rms > 100
    slower = OfflineEngine("vi", 90).synthesize(TEXT)
    assert slower.duration_seconds > segment.duration_seconds * 1.2  # the rate setting is applied
    assert engine.calls == 1


def test_offline_engine_rejects_unknown_voice() -> None:
    with pytest.raises(RenderError) as caught:
        OfflineEngine("xx-nonexistent").synthesize(TEXT)
    assert caught.value.engine == "offline" and not caught.value.transient
