"""`loa preview`: one whole script exactly as it would air in a program — the commune's figures of that
day, the chime, the repeats, the loudness — so the office hears it before a village does."""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from loa114.audio.program import ItemSource, ProgramTags
from loa114.content.library import Script
from loa114.content.text import clean_text
from loa114.scheduler.errors import InputError
from loa114.scheduler.files import write_atomic
from loa114.scheduler.programs.context import build_context
from loa114.scheduler.programs.items import item_source
from loa114.scheduler.programs.planner import groups_villages
from loa114.scheduler.programs.studio import Studio

OFFLINE_VOICE = "offline"


@dataclass(frozen=True)
class Preview:
    script: str
    title: str
    text: str
    spoken_text: str
    engine: str
    offline: bool
    duration_s: float
    villages: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What a script says on `day`: its text, what the voice is given, and the item to speak."""

    script: Script
    text: str
    spoken_text: str
    source: ItemSource
    villages: tuple[str, ...]


def read_script(
    studio: Studio, script_id: str, day: date, now: datetime, *, village: str | None = None
) -> Reading:
    """The text of `script_id` as it would air on `day` (the commune's figures, its villages), no sound."""
    config = studio.config
    script = _find(studio, script_id, now)
    villages = _villages(studio, script, day, village)
    slot = (
        next((s for s in config.slots if script.applies_to_slot(s.id)), None) if not script.urgent else None
    )
    alert = ("(nội dung thông báo khẩn)", now, tuple(z.name for z in config.zones)) if script.urgent else None
    context = build_context(
        config, studio.coverage.snapshot(), day, slot=slot, villages=villages, alert=alert
    )
    text = studio.renderer.render(script, context)
    names = [v.name for v in config.villages if v.id in villages]
    spoken, source = item_source(script, text, studio.speech, villages=names)
    return Reading(script, text, spoken, source, villages)


def preview(
    studio: Studio, script_id: str, day: date, output: Path, now: datetime, *, village: str | None = None
) -> Preview:
    """Render `script_id` as it would air on `day` into the MP3 file `output` (written atomically)."""
    if output.suffix.lower() != ".mp3":
        raise InputError(f"-o: bản nghe thử là tệp .mp3, không phải {output.name!r}")
    config = studio.config
    reading = read_script(studio, script_id, day, now, village=village)
    source = reading.source
    item = studio.sound.render_item(source)
    tags = ProgramTags(
        title=f"Nghe thử: {source.title}",
        date=day,
        album=config.campaign.name,
        artist=f"Loa 114 — {config.commune.name}",
    )
    with tempfile.TemporaryDirectory(
        prefix=".loa-preview-", dir=output.parent if output.parent.is_dir() else None
    ) as tmp:
        built = studio.sound.write_program([item], Path(tmp), tags)
        write_atomic(output, (Path(tmp) / built.file).read_bytes())
    return Preview(
        reading.script.id,
        source.title,
        reading.text,
        reading.spoken_text,
        item.engine,
        item.offline,
        built.duration_s,
        reading.villages,
    )


def _find(studio: Studio, script_id: str, now: datetime) -> Script:
    library = studio.library(now)
    if script_id in library.scripts:
        return library.scripts[script_id]
    close = difflib.get_close_matches(script_id, list(library.scripts), n=1)
    hint = f"; có phải {close[0]!r}?" if close else f"; các bài: {', '.join(sorted(library.scripts))}"
    broken = [p for p in library.problems if Path(p.file).stem == script_id]
    if broken:
        raise InputError(f"bài {script_id!r} đang có lỗi, chạy `loa check` để xem: {broken[0]}")
    raise InputError(f"không có bài {script_id!r} trong {studio.config.scripts.dir}{hint}")


def _villages(studio: Studio, script: Script, day: date, village: str | None) -> tuple[str, ...]:
    """A village script speaks of `village`, else of the villages lagging that day (as one zone would
    hear them), else of the first village; a commune script of none."""
    known = [v.id for v in studio.config.villages]
    if village is not None and village not in known:
        raise InputError(f"--village: không có thôn {village!r}; các thôn: {', '.join(known)}")
    if script.audience != "village":
        if village is not None:
            raise InputError(f"--village: bài {script.id!r} đọc cho cả xã, không cho riêng một thôn")
        return ()
    if village is not None:
        return (village,)
    lagging: list[str] = []
    for zone in studio.config.zones:
        lagging = studio.coverage.lagging_villages(zone.id, day)
        if lagging:
            break
    chosen = lagging or known[:1]
    return tuple(chosen) if groups_villages(script) else tuple(chosen[:1])


def alert_preview(studio: Studio, message: str, zones: tuple[str, ...], output: Path, now: datetime) -> float:
    """An urgent alert as it would air (the urgent template, chime, repeats), spoken by the offline voice
    so the preview is quick and needs no internet; written to the MP3 file `output`. Its length."""
    message = clean_text(message)
    if not message.strip():
        raise InputError("nội dung: thông báo khẩn đang trống")
    script = studio.library(now).urgent()
    if script is None:
        raise InputError(
            f"thư mục {studio.config.scripts.dir} không có bài mẫu thông báo khẩn (urgent: true)"
        )
    day = now.astimezone(studio.config.tz).date()
    context = build_context(studio.config, studio.coverage.snapshot(), day, alert=(message, now, zones))
    _, source = item_source(script, studio.renderer.render(script, context), studio.speech)
    item = studio.sound.render_item(source, engines=[OFFLINE_VOICE])
    tags = ProgramTags(
        title=f"Nghe thử thông báo khẩn {day:%d/%m/%Y}",
        date=day,
        album=studio.config.campaign.name,
        artist=f"Loa 114 — {studio.config.commune.name}",
    )
    with tempfile.TemporaryDirectory(prefix=".loa-preview-", dir=output.parent) as tmp:
        built = studio.sound.write_program([item], Path(tmp), tags)
        write_atomic(output, (Path(tmp) / built.file).read_bytes())
    return built.duration_s
