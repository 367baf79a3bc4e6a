"""Writing audio out: item MP3s, program.mp3 joined from item frames, ID3 tags, the M3U8 playlist.

Every distinct piece of audio is encoded once: an item's MP3 frames are cached by its key, the
silence between items is encoded once per (gap, rate, bitrate), and program.mp3 is the byte-wise
join of those CBR frame streams (no Xing header inside, so the join is one valid stream). Its
loudness and true peak are then measured on the decoded file, once per tuple of item keys.
"""

from __future__ import annotations

import hashlib
import logging
import re
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1, TRCK

from audio import dsp, ffmpeg, loudness
from audio.cache import RenderCache, make_key
from audio.errors import AssemblyError, SpeechParts
from audio.model import BuiltProgram, ItemFile, ProgramTags, RenderedItem
from audio.settings import AudioSettings
from audio.speaker import Speaker, Spoken

log = logging.getLogger(__name__)

MP3_MARGIN_DB = 1.0  # MP3 encoding can raise inter-sample peaks; limit this far below the target
LOUDNESS_TOLERANCE_LU = 1.0
PROGRAM_FILE = "program.mp3"
PLAYLIST_FILE = "playlist.m3u8"


def item_frames(cache: RenderCache, item: RenderedItem, settings: AudioSettings) -> bytes:
    """The item's bare MP3 frame stream, encoded at most once per item key and bitrate."""
    key = make_key("item-mp3", item.key, settings.sample_rate, settings.bitrate_kbps)
    frames = cache.get("item-mp3", key)
    if frames is None:
        pcm = np.frombuffer(item.segment.raw_data, dtype="<i2")
        frames = ffmpeg.encode_mp3(pcm, settings.sample_rate, settings.bitrate_kbps)
        cache.put("item-mp3", key, frames)
    return frames


def silence_frames(cache: RenderCache, seconds: float, settings: AudioSettings) -> bytes:
    key = make_key("silence-mp3", round(seconds, 3), settings.sample_rate, settings.bitrate_kbps)
    frames = cache.get("silence-mp3", key)
    if frames is None:
        pcm = np.zeros(round(seconds * settings.sample_rate), dtype="<i2")
        frames = ffmpeg.encode_mp3(pcm, settings.sample_rate, settings.bitrate_kbps) if pcm.size else b""
        cache.put("silence-mp3", key, frames)
    return frames


def tag(path: Path, title: str, tags: ProgramTags, track: str | None = None) -> None:
    """Write ID3v2.4 title/date/album/artist (and track) tags, so players and operators see what it is."""
    id3 = ID3()
    id3.add(TIT2(encoding=3, text=title))
    id3.add(TDRC(encoding=3, text=tags.date.isoformat()))
    id3.add(TALB(encoding=3, text=tags.album))
    id3.add(TPE1(encoding=3, text=tags.artist))
    if track is not None:
        id3.add(TRCK(encoding=3, text=track))
    id3.save(path)


def item_filename(index: int, script_id: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", script_id).strip("-.") or "item"
    return f"items/{index:02d}-{safe}.mp3"


def write_program(
    settings: AudioSettings,
    cache: RenderCache,
    items: Sequence[RenderedItem],
    out_dir: Path,
    tags: ProgramTags,
) -> BuiltProgram:
    """Write program.mp3, items/NN-<id>.mp3 and playlist.m3u8 into the staging folder `out_dir`."""
    if not items:
        raise AssemblyError("a program needs at least one item", out_dir)
    (out_dir / "items").mkdir(parents=True, exist_ok=True)
    gap = silence_frames(cache, settings.item_gap_s, settings)
    files: list[ItemFile] = []
    program_path = out_dir / PROGRAM_FILE
    with program_path.open("wb") as program:
        for i, item in enumerate(items, start=1):
            frames = item_frames(cache, item, settings)
            if i > 1:
                program.write(gap)
            program.write(frames)
            rel = item_filename(i, item.script_id)
            path = out_dir / rel
            path.write_bytes(frames)
            tag(path, item.title, tags, track=f"{i}/{len(items)}")
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            files.append(
                ItemFile(
                    item.script_id, item.title, item.engine, item.offline, round(item.duration_s, 3), rel, sha
                )
            )
    lufs, dbtp, duration = _program_measurement(settings, cache, items, program_path)
    tag(program_path, tags.title, tags)
    _write_playlist(out_dir / PLAYLIST_FILE, files)
    if abs(lufs - settings.loudness_lufs) > LOUDNESS_TOLERANCE_LU or dbtp > settings.true_peak_dbtp:
        log.warning(
            "program %s off target: %.1f LUFS (want %.1f), %.1f dBTP (max %.1f)",
            out_dir, lufs, settings.loudness_lufs, dbtp, settings.true_peak_dbtp,
        )  # fmt: skip
    return BuiltProgram(round(duration, 3), round(lufs, 2), round(dbtp, 2), files, PROGRAM_FILE)


def _program_measurement(
    settings: AudioSettings, cache: RenderCache, items: Sequence[RenderedItem], path: Path
) -> tuple[float, float, float]:
    """(LUFS, dBTP, seconds) of the decoded program, cached by the tuple of item keys."""
    key = make_key(
        "program-measure",
        [i.key for i in items],
        settings.item_gap_s,
        settings.sample_rate,
        settings.bitrate_kbps,
    )
    cached = cache.get_json("program-measure", key)
    if cached is not None:
        return cached["lufs"], cached["dbtp"], cached["duration_s"]
    with ffmpeg.stream_decode(path) as (rate, channels, blocks):
        lufs, dbtp, duration = loudness.measure_stream(blocks, rate, channels)
    cache.put_json("program-measure", key, {"lufs": lufs, "dbtp": dbtp, "duration_s": duration})
    return lufs, dbtp, duration


def _write_playlist(path: Path, files: Sequence[ItemFile]) -> None:
    lines = ["#EXTM3U"]
    for f in files:
        lines.append(f"#EXTINF:{round(f.duration_s)},{f.title}")
        lines.append(f.file)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def say_to_file(speaker: Speaker, parts: SpeechParts, path: Path, settings: AudioSettings) -> Spoken:
    """Speak `parts` into a loudness-normalised .mp3 or .wav file (for `loa say TEXT -o FILE`)."""
    suffix = path.suffix.lower()
    if suffix not in (".mp3", ".wav"):
        raise AssemblyError("output must be a .mp3 or .wav file", path)
    samples, engine, offline = speaker.speak_samples(parts)
    rate = settings.sample_rate
    ceiling = settings.true_peak_dbtp - (MP3_MARGIN_DB if suffix == ".mp3" else 0.0)
    pcm = dsp.to_pcm16(loudness.normalise(samples, rate, settings.loudness_lufs, ceiling))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".mp3":
        path.write_bytes(ffmpeg.encode_mp3(pcm, rate, settings.bitrate_kbps))
    else:
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
    return Spoken(dsp.to_segment(dsp.from_pcm16(pcm), rate), engine, offline)
