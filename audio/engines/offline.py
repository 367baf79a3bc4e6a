"""Offline voice: espeak-ng from the espeakng-loader wheel, called through ctypes.

No system package and no subprocess: the library is loaded once per process. espeak-ng keeps
global state (voice, rate, one synth callback), so initialisation happens once and every
synthesis holds a process-wide lock.
"""

from __future__ import annotations

import ctypes
import logging
import threading

import espeakng_loader
import numpy as np
import pydub

from loa114.audio.engines.base import TTSEngine
from loa114.audio.errors import RenderError

log = logging.getLogger(__name__)

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
_ESPEAK_CHARS_UTF8 = 1
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Espeak:
    """Process-global espeak-ng handle; the callback object is kept alive here."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._lib: ctypes.CDLL | None = None
        self._callback = _SYNTH_CALLBACK(self._collect)
        self._chunks: list[bytes] = []
        self.rate = 0

    def _collect(self, wav: int, numsamples: int, events: object) -> int:  # wav: a short* address
        if numsamples > 0:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0  # 0 = continue synthesis

    def _load(self) -> ctypes.CDLL:
        if self._lib is None:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            lib.espeak_Initialize.restype = ctypes.c_int
            lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
            lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
            lib.espeak_Synth.argtypes = [
                ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
            ]  # fmt: skip
            data = espeakng_loader.get_data_path().encode()
            rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, 0)
            if rate <= 0:
                raise RenderError("offline", f"espeak-ng failed to initialise ({rate})", transient=False)
            lib.espeak_SetSynthCallback(self._callback)
            self.rate = rate
            self._lib = lib
            log.debug("espeak-ng initialised at %d Hz", rate)
        return self._lib

    def synth(self, text: str, voice: str, wpm: int) -> tuple[bytes, int]:
        """Speak `text`; return (int16 PCM, sample rate). Caller must hold `lock`."""
        lib = self._load()
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RenderError("offline", f"espeak-ng has no voice {voice!r}", transient=False)
        lib.espeak_SetParameter(_ESPEAK_RATE, wpm, 0)
        self._chunks = []
        encoded = text.encode("utf-8")
        buf = ctypes.create_string_buffer(encoded)
        status = lib.espeak_Synth(buf, len(encoded) + 1, 0, 0, 0, _ESPEAK_CHARS_UTF8, None, None)
        lib.espeak_Synchronize()
        if status != 0:
            raise RenderError("offline", f"espeak-ng synthesis failed ({status})", transient=False)
        return b"".join(self._chunks), self.rate


_ESPEAK = _Espeak()


class OfflineEngine(TTSEngine):
    """espeak-ng voice; robotic but always available, so it is the fallback when gTTS is not."""

    online = False

    def __init__(self, voice: str = "vi", rate_wpm: int = 150) -> None:
        self.name = "offline"
        self.voice = voice
        self.rate_wpm = rate_wpm
        self.calls = 0  # number of syntheses, for logs and tests

    def cache_identity(self) -> str:
        return f"{self.name}/{self.voice}/{self.rate_wpm}wpm"

    def synthesize(self, text: str, *, timeout_s: float | None = None) -> pydub.AudioSegment:
        with _ESPEAK.lock:
            self.calls += 1
            pcm, rate = _ESPEAK.synth(text, self.voice, self.rate_wpm)
        if not np.any(np.frombuffer(pcm, dtype="<i2")):
            raise RenderError("offline", f"espeak-ng produced no audio for {text!r}", transient=False)
        return pydub.AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)
