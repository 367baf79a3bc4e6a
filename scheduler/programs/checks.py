"""`loa check`: the config and every script, rendered as they would be on air, before airtime.

Every problem of every file in one pass. Errors keep a script off the air and fail the check; warnings
(a slot written "sáng" for "sang", a word the voice will spell, a script longer than its slots) are listed
apart and do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from loa114.content.checking import ScriptWarning, check_library, sample_contexts
from loa114.content.errors import ScriptError
from loa114.content.library import Script
from loa114.content.notices import NOTICE_KINDS, render_notice, sample_notice_context
from loa114.content.slots import match_slot
from loa114.content.speech import normalize
from loa114.scheduler.campaign.figures import Figures, NoReports
from loa114.scheduler.config import Config
from loa114.scheduler.config.settings import speech_settings
from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout.base import Airing
from loa114.scheduler.playout.command import PLACEHOLDERS, command_line
from loa114.scheduler.programs.context import build_context
from loa114.scheduler.programs.planner import groups_villages

SYLLABLES_PER_SECOND = 3.0  # a loudspeaker announcer's pace; the offline voice is a little slower


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    scripts: int = 0


def check_all(config: Config, now: datetime) -> CheckResult:
    """Every error and warning as one line naming its file and line, and the number of scripts checked."""
    today = now.astimezone(config.tz).date()
    speech = speech_settings(config)
    report = check_library(
        config.scripts.dir,
        contexts=lambda script: [*_contexts(config, script, today, now), *sample_contexts(script)],
        speech=speech,
    )
    library = report.library
    files = {s.path for s in library.scripts.values()} | {p.file for p in library.problems}
    result = CheckResult([str(e) for e in report.errors], [str(w) for w in report.warnings], len(files))
    for script in library.scripts.values():
        result.errors += _slot_errors(config, script)
        result.warnings += _slot_warnings(config, script) + _length_warnings(config, script, today, now)
    if library.urgent() is None:
        result.errors.append(
            f"{config.scripts.dir}: thiếu bài mẫu thông báo khẩn (urgent: true) cho lệnh loa alert"
        )
    for kind in NOTICE_KINDS:
        try:
            render_notice(kind, sample_notice_context(kind), directory=config.notices.templates)
        except ScriptError as exc:
            result.errors.append(str(exc))
    if config.playout.command:
        result.errors += _check_command(config, now)
    return result


def _slot_errors(config: Config, script: Script) -> list[str]:
    known = [s.id for s in config.slots]
    return [
        f"{script.path}:{script.slots_line or ''}: slots: không có khung giờ {written!r} trong cấu hình "
        f"(các khung giờ: {', '.join(known)})"
        for written in script.slots or ()
        if match_slot(written, known) is None
    ]


def _slot_warnings(config: Config, script: Script) -> list[str]:
    known = [s.id for s in config.slots]
    found = []
    for written in script.slots or ():
        matched = match_slot(written, known)
        if matched is not None and matched != written:
            found.append(
                str(ScriptWarning(script.path, script.slots_line, f"slots: '{written}' được hiểu là khung giờ "
                                  f"'{matched}'; nên viết đúng mã '{matched}'"))
            )  # fmt: skip
    return found


def _length_warnings(config: Config, script: Script, today: date, now: datetime) -> list[str]:
    """A script that cannot fit in any of its slots, at an announcer's pace, repeats included."""
    if script.audio is not None or script.urgent:
        return []
    slots = [s for s in config.slots if script.applies_to_slot(s.id)]
    if not slots:
        return []
    try:
        text = _render_once(config, script, today, now)
    except ScriptError:
        return []  # already an error
    syllables = len(normalize(text, speech_settings(config)).split())
    seconds = syllables / SYLLABLES_PER_SECOND * script.repeat
    longest = max(s.max_duration.total_seconds() for s in slots)
    if seconds <= longest:
        return []
    message = (
        f"bài dài khoảng {round(seconds)} giây khi đọc ({script.repeat} lần), dài hơn mọi khung giờ của nó "
        f"(dài nhất {round(longest)} giây): bài sẽ không bao giờ được phát; hãy rút ngắn hoặc giảm repeat"
    )
    return [str(ScriptWarning(script.path, script.body_line, message))]


def _render_once(config: Config, script: Script, today: date, now: datetime) -> str:
    from loa114.content.render import ScriptRenderer

    return ScriptRenderer().render(script, _contexts(config, script, today, now)[0])


def _contexts(config: Config, script: Script, today: date, now: datetime) -> list[dict[str, object]]:
    """This commune's real context (nothing reported yet), as the planner would give it."""
    villages: tuple[str, ...] = ()
    if script.audience == "village":  # as the planner will: all lagging villages at once, or one by one
        villages = tuple(v.id for v in config.villages[: 2 if groups_villages(script) else 1])
    alert = (
        ("Đang có cháy tại thôn Nà Pàn, bà con tránh xa khu vực.", now, (config.zones[0].name,))
        if script.urgent
        else None
    )
    slot = config.slots[0] if config.slots and not script.urgent else None
    return [
        build_context(
            config, Figures(config, NoReports(config)), today, slot=slot, villages=villages, alert=alert
        )
    ]


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
