"""Writing audio out: program.mp3 joined from item frames, item files, ID3 tags, the M3U8 playlist.

Every distinct piece of audio is encoded once (`FrameStore`): program.mp3 is its ID3 tag followed
by the byte-wise join of the items' and the gap's CBR frame streams (no Xing header inside, so the
join is one valid stream). Item files (tag + frames) are hard-linked from the cache (`LinkedFiles`),
since the same item with the same tags recurs in every zone. The program's loudness, true peak
and duration are those of the decoded program.mp3, computed from the parts' decoded-stream data
(see `audio.measurement`) and cached per tuple of item keys.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1, TRCK

from loa114.audio import dsp, ffmpeg, loudness
from loa114.audio.cache import RenderCache, make_key
from loa114.audio.errors import AssemblyError, SpeechParts
from loa114.audio.frames import FrameStore
from loa114.audio.fsio import create_file, ensure_dir, write_file
from loa114.audio.limiter import normalise
from loa114.audio.linking import LinkedFiles
from loa114.audio.measurement import program_measure
from loa114.audio.model import BuiltProgram, ItemFile, ProgramTags, RenderedItem
from loa114.audio.settings import AudioSettings
from loa114.audio.speaker import Speaker, Spoken

log = logging.getLogger(__name__)

MP3_MARGIN_DB = 1.0  # MP3 encoding can raise inter-sample peaks; limit this far below the target
LOUDNESS_TOLERANCE_LU = 1.0
PROGRAM_FILE = "program.mp3"
PLAYLIST_FILE = "playlist.m3u8"


def id3_tag(title: str, tags: ProgramTags, track: str | None = None, *, padding: bool = True) -> bytes:
    """ID3v2.4 title/date/album/artist (and track) tag bytes, so players and operators see what it is."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=title))
    id3.add(TDRC(encoding=3, text=tags.date.isoformat()))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TPE1(encoding=3, text=tags.artist))
    if track is not None:
        id3.add(TRCK(encoding=3, text=track))
    out = io.BytesIO()
    id3.save(out, v1=0, padding=None if padding else (lambda info: 0))
    return out.getvalue()


def item_filename(index: int, script_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", script_id).strip("-.") or "item"
    return f"items/{index:02d}-{safe}.mp3"


@dataclass(frozen=True)
class ProgramWriter:
    """Writes whole programs from rendered items: the parts it shares across programs (frames, files,
    measurements) come from the render cache."""

    settings: AudioSettings
    cache: RenderCache
    frames: FrameStore
    files: LinkedFiles

    def write(self, items: Sequence[RenderedItem], out_dir: Path, tags: ProgramTags) -> BuiltProgram:
        """Write program.mp3, items/NN-<id>.mp3 and playlist.m3u8 into the staging folder `out_dir`."""
        if not items:
            raise AssemblyError("a program needs at least one item", out_dir)
        settings, frames = self.settings, self.frames
        ensure_dir(out_dir / "items")
        gap_key = frames.gap_key(settings.item_gap_s)
        gap = frames.frames(
            gap_key, lambda: dsp.to_pcm16(dsp.silence(settings.item_gap_s, settings.sample_rate))
        )
        streams = [frames.frames(frames.item_key(item.key), item.pcm) for item in items]
        program_path = out_dir / PROGRAM_FILE
        with os.fdopen(create_file(program_path), "wb") as program:
            program.write(id3_tag(tags.title, tags))
            for i, stream in enumerate(streams):
                if i:
                    program.write(gap)
                program.write(stream)
        files_out = self._item_files(items, streams, out_dir, tags)
        lufs, dbtp, duration = self._measurement(items, streams, (gap_key, gap), program_path)
        _write_playlist(out_dir / PLAYLIST_FILE, files_out)
        if abs(lufs - settings.loudness_lufs) > LOUDNESS_TOLERANCE_LU or dbtp > settings.true_peak_dbtp:
            log.warning(
                "program %s off target: %.1f LUFS (want %.1f), %.1f dBTP (max %.1f)",
                out_dir, lufs, settings.loudness_lufs, dbtp, settings.true_peak_dbtp,
            )  # fmt: skip
        return BuiltProgram(round(duration, 3), round(lufs, 2), round(dbtp, 2), files_out, PROGRAM_FILE)

    def _item_files(
        self, items: Sequence[RenderedItem], streams: Sequence[bytes], out_dir: Path, tags: ProgramTags
    ) -> list[ItemFile]:
        """items/NN-<id>.mp3, each tagged with its track number, hard-linked from the cache when unchanged."""
        files_out: list[ItemFile] = []
        for i, (item, stream) in enumerate(zip(items, streams, strict=True), start=1):
            rel = item_filename(i, item.script_id)
            tag = id3_tag(item.title, tags, f"{i}/{len(items)}", padding=False)
            data = tag + stream
            sha = self.files.place(
                data, out_dir / rel, _item_file_sha(self.frames.item_key(item.key), tag, data)
            )
            duration = round(item.duration_s, 3)
            files_out.append(
                ItemFile(item.script_id, item.title, item.engine, item.offline, duration, rel, sha)
            )
        return files_out

    def _measurement(
        self,
        items: Sequence[RenderedItem],
        streams: Sequence[bytes],
        gap: tuple[str, bytes],
        path: Path,
    ) -> tuple[float, float, float]:
        """(LUFS, dBTP, seconds) of the decoded program, cached by the tuple of item keys."""
        settings, frames = self.settings, self.frames
        key = make_key(
            "program-measure",
            [i.key for i in items],
            settings.item_gap_s,
            settings.sample_rate,
            settings.bitrate_kbps,
        )
        cached = self.cache.get_json("program-measure", key)
        if cached is not None:
            return cached["lufs"], cached["dbtp"], cached["duration_s"]
        gap_measure = frames.measure(*gap)
        parts = []
        for i, (item, stream) in enumerate(zip(items, streams, strict=True)):
            if i:
                parts.append(gap_measure)
            parts.append(frames.measure(frames.item_key(item.key), stream))
        result = program_measure(parts, settings.sample_rate)
        if result is None:
            log.info("program %s: parts do not join on granules, decoding it to measure", path)
            with ffmpeg.stream_decode(path) as (rate, channels, blocks):
                result = loudness.measure_stream(blocks, rate, channels)
        lufs, dbtp, duration = result
        self.cache.put_json("program-measure", key, {"lufs": lufs, "dbtp": dbtp, "duration_s": duration})
        return lufs, dbtp, duration


_SHA_MEMO: dict[tuple[str, bytes], str] = {}
_SHA_MEMO_SIZE = 4096


def _item_file_sha(frames_key: str, tag: bytes, data: bytes) -> str:
    """sha256 of tag + frames, remembered by (frames cache key, exact tag bytes): hashed once per process."""
    memo = (frames_key, tag)
    sha = _SHA_MEMO.get(memo)
    if sha is None:
        if len(_SHA_MEMO) >= _SHA_MEMO_SIZE:
            _SHA_MEMO.clear()
        sha = _SHA_MEMO[memo] = hashlib.sha256(data).hexdigest()
    return sha


def _write_playlist(path: Path, files: Sequence[ItemFile]) -> None:
    lines = ["#EXTM3U"]
    for f in files:
        lines.append(f"#EXTINF:{round(f.duration_s)},{f.title}")
        lines.append(f.file)
    write_file(path, ("\n".join(lines) + "\n").encode("utf-8"))


def say_to_file(speaker: Speaker, parts: SpeechParts, path: Path, settings: AudioSettings) -> Spoken:
    """Speak `parts` into a loudness-normalised .mp3 or .wav file (for `loa say TEXT -o FILE`)."""
    suffix = path.suffix.lower()
    if suffix not in (".mp3", ".wav"):
        raise AssemblyError("output must be a .mp3 or .wav file", path)
    samples, engine, offline = speaker.speak_samples(parts)
    rate = settings.sample_rate
    ceiling = settings.true_peak_dbtp - (MP3_MARGIN_DB if suffix == ".mp3" else 0.0)
    pcm = dsp.to_pcm16(normalise(samples, rate, settings.loudness_lufs, ceiling))
    ensure_dir(path.parent)
    if suffix == ".mp3":
        write_file(path, ffmpeg.encode_mp3(pcm, rate, settings.bitrate_kbps))
    else:
        with os.fdopen(create_file(path), "wb") as fh, wave.open(fh, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
    return Spoken(dsp.to_segment(dsp.from_pcm16(pcm), rate), engine, offline)
