"""Online voice: Google Translate's TTS endpoint, through the gTTS library.

gTTS builds the request (URL for the configured tld, RPC body); this engine sends it itself through
a `requests.Session` so that it can tell a rate limit or an outage (transient: retry, then fall
back) from a refusal (permanent), keeps TLS verification on (gTTS turns it off), and gives the
session a seam. The answer carries a base64 MP3, decoded here with the wheel's ffmpeg.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable

import gtts
import pydub
import requests

from audio import ffmpeg
from audio.engines.base import TTSEngine
from audio.errors import AssemblyError, RenderError

log = logging.getLogger(__name__)

_AUDIO_RE = re.compile(r'jQ1olc","\[\\"(.*?)\\"]')


class GTTSEngine(TTSEngine):
    """Vietnamese Google voice; natural, but needs the network and may be rate limited."""

    online = True

    def __init__(
        self,
        *,
        tld: str = "com.vn",
        timeout_s: float = 10.0,
        sample_rate: int = 22050,
        session_factory: Callable[[], requests.Session] | None = None,
    ) -> None:
        self.name = "gtts"
        self.voice = f"vi@{tld}"
        self.tld = tld
        self.timeout_s = timeout_s
        self.sample_rate = sample_rate
        self._session_factory = session_factory or requests.Session

    def synthesize(self, text: str) -> pydub.AudioSegment:
        mp3 = self._fetch(text)
        try:
            samples = ffmpeg.decode(mp3, self.sample_rate)
        except AssemblyError as exc:
            raise RenderError(
                self.name, f"undecodable audio from Google ({exc.message})", transient=False
            ) from exc
        return pydub.AudioSegment(
            data=samples.tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1
        )

    def _fetch(self, text: str) -> bytes:
        try:
            tts = gtts.gTTS(text, lang="vi", tld=self.tld, timeout=self.timeout_s)
            prepared = tts._prepare_requests()  # gTTS's own request building (URL, RPC body, headers)
        except (AssertionError, ValueError) as exc:
            raise RenderError(self.name, f"gTTS refused the text {text!r}: {exc}", transient=False) from exc
        audio = bytearray()
        with self._session_factory() as session:
            for request in prepared:
                audio += self._send(session, request)
        return bytes(audio)

    def _send(self, session: requests.Session, request: requests.PreparedRequest) -> bytes:
        try:
            response = session.send(request, timeout=self.timeout_s)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RenderError(
                self.name, f"Google unreachable ({type(exc).__name__})", transient=True
            ) from exc
        except requests.RequestException as exc:
            raise RenderError(self.name, f"request failed ({exc})", transient=True) from exc
        status = response.status_code
        if status == 429 or status >= 500:
            raise RenderError(self.name, f"HTTP {status} from Google", transient=True)
        if status >= 400:
            raise RenderError(self.name, f"HTTP {status} from Google", transient=False)
        match = _AUDIO_RE.search(response.text)
        if match is None:
            raise RenderError(self.name, "no audio in Google's answer", transient=False)
        try:
            return base64.b64decode(match.group(1), validate=True)
        except binascii.Error as exc:
            raise RenderError(self.name, "malformed audio in Google's answer", transient=False) from exc
