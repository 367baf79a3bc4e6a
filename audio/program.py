"""Rendering items (chime, announcement, repeats, loudness) and writing whole programs.

`render_item` is what the planner calls before choosing items (it needs `duration_s`); the
result is cached twice: the request (text, engines, settings) points at the processed item
audio, and the audio is stored under its own content hash, which is the item key. An item that
was spoken offline while gTTS was wanted is served from that index only while gTTS is cooling
down; otherwise gTTS gets another chance. A fresh item's MP3 is encoded in the background at once
(`FrameStore`), and its samples are then dropped: a `RenderedItem` holds no audio, and the samples
are read back from the cache only if its MP3 is needed and missing. Memory is bounded by one item
being rendered (processed in place where it can) plus the encoder's short queue, whatever the
number of programs (bench/render.py prints the peak).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from loa114.audio import dsp, ffmpeg
from loa114.audio.cache import make_key
from loa114.audio.chime import chime
from loa114.audio.errors import AssemblyError, Pause
from loa114.audio.export import MP3_MARGIN_DB, ProgramWriter, say_to_file
from loa114.audio.frames import FrameStore
from loa114.audio.limiter import normalise
from loa114.audio.linking import LinkedFiles
from loa114.audio.loudness import integrated_lufs, measure
from loa114.audio.memory import release_freed_arrays
from loa114.audio.model import BuiltProgram, ItemFile, ItemSource, ProgramTags, RenderedItem
from loa114.audio.settings import AudioSettings
from loa114.audio.speaker import Speaker

__all__ = [
    "BuiltProgram", "ItemFile", "ItemSource", "ProgramBuilder", "ProgramTags", "RenderedItem",
    "measure", "say_to_file",
]  # fmt: skip

log = logging.getLogger(__name__)

ITEM_FORMAT = 1  # bump when item assembly changes in a way the settings do not capture
CHIME_BELOW_SPEECH_LU = 4.0
CHIME_GAP_S = 0.4


class ProgramBuilder:
    """Renders items through the speaker and cache, and writes programs from rendered items."""

    def __init__(self, settings: AudioSettings, speaker: Speaker) -> None:
        self.settings = settings
        self.speaker = speaker
        self.cache = speaker.cache
        self.frames = FrameStore(settings, self.cache)
        self.files = LinkedFiles(self.cache.root / "files")
        self.writer = ProgramWriter(settings, self.cache, self.frames, self.files)
        release_freed_arrays()  # item-sized arrays go back to the system when freed (audio.memory)

    def render_item(
        self, source: ItemSource, *, engines: Sequence[str] | None = None, budget_s: float | None = None
    ) -> RenderedItem:
        """Render one item; raises RenderError (no engine could speak) or AssemblyError (bad recording).

        `budget_s` bounds the wall time online engines may take (an urgent alert): past it, the rest
        is spoken by the next (offline) engine; see `Speaker.speak_samples`.
        """
        if (source.parts is None) == (source.recorded is None):
            raise ValueError(f"item {source.script_id}: give either spoken parts or a recorded file")
        if source.repeat < 1:
            raise ValueError(f"item {source.script_id}: repeat must be at least 1")
        wanted = tuple(engines) if engines is not None else self.settings.engines
        request = self._request_key(source, wanted)
        cached = self._cached(source, request, wanted)
        if cached is not None:
            return cached
        pcm, key, engine, offline = self._render(source, wanted, budget_s)
        self.cache.put("item-pcm", key, pcm.data)
        self.cache.put_json(
            "item-index", request, {"key": key, "engine": engine, "offline": offline, "frames": pcm.size}
        )
        frames = pcm.size
        self.frames.prefetch(self.frames.item_key(key), pcm)  # the only reference kept: freed once encoded
        del pcm
        duration = frames / self.settings.sample_rate
        log.info(
            "rendered %s: %.1f s, %s%s", source.script_id, duration, engine, " (offline)" if offline else ""
        )
        return RenderedItem(
            source.script_id, source.title, engine, offline, duration, key, request,
            self.settings.sample_rate, lambda: self._load(source, wanted, key),
        )  # fmt: skip

    def prefetch_speech(self, sources: Sequence[ItemSource], *, engines: Sequence[str] | None = None) -> int:
        """Speak the not yet cached chunks of all `sources` side by side (see `Speaker.prefetch`).

        Then `render_item` on each, one after another, finds its speech in the cache: the online
        requests of a whole program go out together, while memory holds one item at a time.
        """
        s = self.settings
        parts: list[str | Pause] = []
        for source in sources:
            if source.parts is not None:
                parts += self._with_repeats(list(source.parts), source.repeat)
            elif source.repeat > 1:
                parts.append(s.repeat_phrase)
        wanted = tuple(engines) if engines is not None else s.engines
        return self.speaker.prefetch(parts, engines=wanted)

    def write_program(self, items: Sequence[RenderedItem], out_dir: Path, tags: ProgramTags) -> BuiltProgram:
        """Write program.mp3, items/ and playlist.m3u8 into the staging folder `out_dir`."""
        return self.writer.write(items, out_dir, tags)

    def cache_paths(self, item_key: str, request_key: str | None, file_sha: str | None) -> list[Path]:
        """The cache files that keep a rebuild of an item cheap (what `RenderCache.evict` must keep).

        `item_key` and `request_key` are a `RenderedItem`'s `key` and `request_key`; `file_sha` is an
        item file's sha256 (`ItemFile.sha256`, in the manifest). The index, the processed samples, the
        MP3 frames with their loudness data, the linked item file, and the gap between items.
        """
        frames = self.frames.item_key(item_key)
        gap = self.frames.gap_key(self.settings.item_gap_s)
        paths = [
            self.cache.path("item-pcm", item_key),
            self.cache.path("item-mp3", frames),
            self.cache.path("part-measure", frames),
            self.cache.path("item-mp3", gap),
            self.cache.path("part-measure", gap),
        ]
        if request_key:
            paths.append(self.cache.path("item-index", request_key))
        if file_sha:
            paths.append(self.files.entry(file_sha))
        return paths

    def _render(
        self, source: ItemSource, wanted: tuple[str, ...], budget_s: float | None = None
    ) -> tuple[np.ndarray, str, str, bool]:
        """Speak or decode, process and normalise: (int16 samples, item key, engine, offline)."""
        if source.parts is not None:
            speech, engine, offline = self.speaker.speak_samples(
                self._with_repeats(list(source.parts), source.repeat), engines=wanted, budget_s=budget_s
            )
        else:
            speech, engine, offline = self._recorded(source, wanted, budget_s)
        owned = [speech]  # handed over, so that _finish can drop the raw speech once it has a copy
        del speech
        pcm = self._finish(owned)
        digest = hashlib.sha256(b"item-v%d:%d:" % (ITEM_FORMAT, self.settings.sample_rate))
        digest.update(pcm.data)
        return pcm, digest.hexdigest(), engine, offline

    def _request_key(self, source: ItemSource, wanted: tuple[str, ...]) -> str:
        s = self.settings
        if source.parts is not None:
            what: object = [{"pause": p.seconds} if isinstance(p, Pause) else p for p in source.parts]
        else:
            assert source.recorded is not None
            try:
                what = {"recorded": hashlib.sha256(source.recorded.read_bytes()).hexdigest()}
            except OSError as exc:
                raise AssemblyError(f"cannot read the recording ({exc.strerror})", source.recorded) from exc
        engines = [
            self.speaker.engines[n].cache_identity() if n in self.speaker.engines else n for n in wanted
        ]
        params = {
            k: getattr(s, k)
            for k in (
                "loudness_lufs", "true_peak_dbtp", "sample_rate", "highpass_hz", "lowpass_hz",
                "repeat_gap_s", "chunk_gap_s", "repeat_phrase", "chime",
            )
        }  # fmt: skip
        return make_key("item-request", ITEM_FORMAT, what, source.repeat, engines, params)

    def _cached(self, source: ItemSource, request: str, wanted: tuple[str, ...]) -> RenderedItem | None:
        index = self.cache.get_json("item-index", request)
        if index is None:
            return None
        if index["offline"]:
            online = [n for n in wanted if n in self.speaker.engines and self.speaker.engines[n].online]
            if not any(self.speaker.cooling_down(n) for n in online):
                return None  # the online voice may be back: give it a chance
        key = index["key"]
        frames = index.get("frames")
        if not isinstance(frames, int):
            return None  # an index written before it recorded the length
        if not (
            self.cache.path("item-mp3", self.frames.item_key(key)).exists()
            or self.cache.path("item-pcm", key).exists()
        ):
            return None  # its audio was evicted: render again rather than promise audio that may differ
        rate = self.settings.sample_rate
        return RenderedItem(
            source.script_id, source.title, index["engine"], index["offline"], frames / rate, key, request,
            rate, lambda: self._load(source, wanted, key),
        )  # fmt: skip

    def _load(self, source: ItemSource, wanted: tuple[str, ...], key: str) -> np.ndarray:
        """A cached item's samples; if the entry is gone or corrupt, rendered again (same audio)."""
        blob = self.cache.get("item-pcm", key)
        if blob is not None:
            return np.frombuffer(blob, dtype="<i2")
        pcm, again, _, _ = self._render(source, wanted)
        if again != key:
            raise AssemblyError(f"the cached audio of {source.script_id} is lost and renders differently now")
        self.cache.put("item-pcm", key, pcm.data)
        return pcm

    def _with_repeats(self, parts: list[str | Pause], repeat: int) -> list[str | Pause]:
        s = self.settings
        again: list[str | Pause] = [Pause(s.repeat_gap_s), s.repeat_phrase, Pause(s.repeat_gap_s)]
        return parts + (again + parts) * (repeat - 1)

    def _recorded(
        self, source: ItemSource, wanted: tuple[str, ...], budget_s: float | None = None
    ) -> tuple[np.ndarray, str, bool]:
        s = self.settings
        assert source.recorded is not None
        raw = dsp.from_pcm16(ffmpeg.decode(source.recorded, s.sample_rate))
        voice = dsp.process_speech(raw, s.sample_rate, s.highpass_hz, s.lowpass_hz)
        if voice.size == 0:
            raise AssemblyError("the recording is silent", source.recorded)
        if source.repeat == 1:
            return voice, "recorded", False
        phrase, _, offline = self.speaker.speak_samples([s.repeat_phrase], engines=wanted, budget_s=budget_s)
        gap = dsp.silence(s.repeat_gap_s, s.sample_rate)
        pieces = [voice] + [gap, phrase, gap, voice] * (source.repeat - 1)
        return np.concatenate(pieces), "recorded", offline

    def _finish(self, owned: list[np.ndarray]) -> np.ndarray:
        """Loudness-normalise and limit; prepend the chime. Returns int16 PCM.

        `owned` holds the only reference to the float speech, which is processed in place where it
        can be: an item's samples are the biggest arrays a build holds.
        """
        s = self.settings
        rate = s.sample_rate
        speech = owned.pop()
        ceiling = s.true_peak_dbtp - MP3_MARGIN_DB
        if s.chime:
            # the chime sits a few LU under the speech; one normalisation then brings both to target
            speech_lufs = integrated_lufs(speech, rate)
            if np.isfinite(speech_lufs):
                bell = chime(rate, s.loudness_lufs - CHIME_BELOW_SPEECH_LU, ceiling)
                bell = bell * np.float32(10 ** ((speech_lufs - s.loudness_lufs) / 20))
                speech = np.concatenate([bell, dsp.silence(CHIME_GAP_S, rate), speech])
        speech = normalise(speech, rate, s.loudness_lufs, ceiling)
        tail = dsp.silence(0.05, rate).size  # a little air so the next MP3 stream starts on silence
        pcm = np.zeros(speech.size + 2 * tail, dtype="<i2")
        dsp.to_pcm16_into(speech, pcm[tail : tail + speech.size])
        return pcm
