"""`loa check`: the config and every script, rendered as they would be on air, before airtime."""

from __future__ import annotations

from datetime import date, datetime

from content.context import sample_context
from content.errors import ScriptError
from content.library import Script, load_library
from content.notices import NOTICE_KINDS, render_notice, sample_notice_context
from content.render import ScriptRenderer
from content.speech import normalize
from scheduler.app import speech_settings
from scheduler.config import Config
from scheduler.errors import PlayoutError
from scheduler.planner import groups_villages
from scheduler.playout.base import Airing
from scheduler.playout.command import PLACEHOLDERS, command_line
from scheduler.template_data import UnreportedCoverage, build_context


def check_all(config: Config, now: datetime) -> tuple[list[str], int]:
    """Every problem as one line naming its file and line, and the number of scripts checked."""
    library = load_library(config.scripts.dir)
    problems = [str(p) for p in library.problems]
    renderer = ScriptRenderer()
    speech = speech_settings(config)
    today = now.astimezone(config.tz).date()
    slot_ids = {s.id for s in config.slots}
    for script in library.scripts.values():
        for slot_id in script.slots or ():
            if slot_id not in slot_ids:
                problems.append(
                    f"{script.path}: slots: khung giờ {slot_id!r} không có trong cấu hình ({', '.join(sorted(slot_ids))})"
                )
        for context in _contexts(config, script, today, now):
            try:
                normalize(renderer.render(script, context), speech)
            except ScriptError as exc:
                problems.append(str(exc))
                break
    if library.urgent() is None:
        problems.append(
            f"{config.scripts.dir}: thiếu bài mẫu thông báo khẩn (urgent: true) cho lệnh loa alert"
        )
    for kind in NOTICE_KINDS:
        try:
            render_notice(kind, sample_notice_context(kind), directory=config.notices.templates)
        except ScriptError as exc:
            problems.append(str(exc))
    if config.playout.command:
        problems += _check_command(config, now)
    return problems, len(library.scripts)


def _contexts(config: Config, script: Script, today: date, now: datetime) -> list[dict[str, object]]:
    """This commune's real context (nothing reported yet) and the sample one (villages reporting)."""
    villages: tuple[str, ...] = ()
    if script.audience == "village":  # as the planner will: all lagging villages at once, or one by one
        villages = tuple(v.id for v in config.villages[: 2 if groups_villages(script) else 1])
    alert = (
        ("Đang có cháy tại thôn Nà Pàn, bà con tránh xa khu vực.", now, (config.zones[0].name,))
        if script.urgent
        else None
    )
    slot = config.slots[0] if config.slots and not script.urgent else None
    real = build_context(config, UnreportedCoverage(config), today, slot=slot, villages=villages, alert=alert)
    return [real, sample_context(script)]


def _check_command(config: Config, now: datetime) -> list[str]:
    template = config.playout.command or ""
    airing = Airing(config.playout.dir, now.astimezone(config.tz).date(), "slot", "zone", now, now)
    try:
        command_line(template, airing)
    except PlayoutError as exc:
        return [
            f"{config.source}: playout.command: {exc.message} (dùng {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
        ]
    return []
