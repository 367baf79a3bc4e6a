"""Online voice: Google Translate's TTS endpoint, through the gTTS library.

gTTS builds the request (URL for the configured tld, RPC body); this engine sends it itself through
a `requests.Session` so that it can tell a rate limit or an outage (transient: retry, then fall
back) from a refusal (permanent), keeps TLS verification on (gTTS turns it off), and gives the
session a seam. The answer carries a base64 MP3, decoded here with the wheel's ffmpeg.

Sessions are kept in a small pool and reused, so their connections stay open between requests
(keep-alive: no TCP and TLS handshake per chunk); a thread takes one for a request and gives it
back, so the pool holds at most as many sessions as requests were ever out at once. `Session.send`
alone ignores the environment, so each request merges it in as `Session.request` would:
HTTPS_PROXY/HTTP_PROXY/NO_PROXY, and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE for the CA certificates.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
from collections.abc import Callable

import gtts
import pydub
import requests

from loa114.audio import ffmpeg
from loa114.audio.engines.base import TTSEngine
from loa114.audio.errors import AssemblyError, RenderError

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
        pool_size: int = 6,
    ) -> None:
        self.name = "gtts"
        self.voice = f"vi@{tld}"
        self.tld = tld
        self.timeout_s = timeout_s
        self.sample_rate = sample_rate
        self._session_factory = session_factory or requests.Session
        self._pool_size = max(1, pool_size)
        self._idle: list[requests.Session] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, *, timeout_s: float | None = None) -> pydub.AudioSegment:
        mp3 = self._fetch(text, self.timeout_s if timeout_s is None else timeout_s)
        try:
            samples = ffmpeg.decode(mp3, self.sample_rate)
        except AssemblyError as exc:
            raise RenderError(
                self.name, f"undecodable audio from Google ({exc.message})", transient=False
            ) from exc
        return pydub.AudioSegment(
            data=samples.tobytes(), sample_width=2, frame_rate=self.sample_rate, channels=1
        )

    def close(self) -> None:
        """Close the idle sessions (and their connections)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            session.close()

    def _fetch(self, text: str, timeout_s: float) -> bytes:
        try:
            tts = gtts.gTTS(text, lang="vi", tld=self.tld, timeout=timeout_s)
            prepared = tts._prepare_requests()  # gTTS's own request building (URL, RPC body, headers)
        except (AssertionError, ValueError) as exc:
            raise RenderError(self.name, f"gTTS refused the text {text!r}: {exc}", transient=False) from exc
        audio = bytearray()
        session = self._take()
        try:
            for request in prepared:
                audio += self._send(session, request, timeout_s)
        finally:
            self._give_back(session)
        return bytes(audio)

    def _take(self) -> requests.Session:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._session_factory()

    def _give_back(self, session: requests.Session) -> None:
        with self._lock:
            if len(self._idle) < self._pool_size:
                self._idle.append(session)
                return
        session.close()

    def _send(self, session: requests.Session, request: requests.PreparedRequest, timeout_s: float) -> bytes:
        assert request.url is not None
        env = session.merge_environment_settings(request.url, {}, None, True, None)
        try:
            response = session.send(
                request,
                timeout=timeout_s,
                proxies=env["proxies"],
                verify=env["verify"] if env["verify"] is not False else True,  # never without TLS checks
                cert=env["cert"],
            )
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
