"""Everything `loa check` needs from `content`: every error of every script, and warnings apart.

Errors keep a script off the air: front-matter keys and values, template syntax, unknown names,
attributes and filters (all found in one pass by `load_library`), and what rendering in each context
still finds. Warnings do not fail the check but tell the clerk what will sound wrong: a word the voice
will spell letter by letter ("VT" → "vê tê"), or a part of an e-mail or web address with no vowel,
left for the voice to guess. Both are `file:line: message` in Vietnamese.

    report = check_library(scripts_dir, contexts=lambda script: [...], speech=settings)
    report.errors    # list[ScriptError] — fail the check
    report.warnings  # list[ScriptWarning] — print, do not fail
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from loa114.content.context import sample_context
from loa114.content.errors import ScriptError
from loa114.content.library import Library, Script, load_library
from loa114.content.render import ScriptRenderer
from loa114.content.speech import SpeechSettings, explain
from loa114.content.speech.rules_addresses import ADDRESS_WORDS

ContextsFor = Callable[[Script], Iterable[Mapping[str, object]]]
_LETTERS = re.compile(r"[a-z]+")
_VOWELS = re.compile(r"[aeiouy]")


@dataclass(frozen=True)
class ScriptWarning:
    """Something that will sound wrong on air but does not stop the script: ``file:line: message``."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class CheckReport:
    """The library as loaded, every error (``loa check`` fails on any) and every warning."""

    library: Library
    errors: list[ScriptError] = field(default_factory=list)
    warnings: list[ScriptWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def sample_contexts(script: Script) -> list[dict[str, object]]:
    """The sample figures with village reports and before any: both must render."""
    return [sample_context(script), sample_context(script, reported=False)]


def check_library(
    *directories: Path,
    contexts: ContextsFor | None = None,
    speech: SpeechSettings | None = None,
    renderer: ScriptRenderer | None = None,
) -> CheckReport:
    """Load the scripts of ``directories`` and check each one (see `check_script`)."""
    library = load_library(*directories, check_templates=True)
    report = CheckReport(library, errors=list(library.problems))
    renderer = renderer or ScriptRenderer()
    for script in sorted(library.scripts.values(), key=lambda s: s.id):
        errors, warnings = check_script(script, contexts=contexts, speech=speech, renderer=renderer)
        report.errors += errors
        report.warnings += warnings
    return report


def check_script(
    script: Script,
    *,
    contexts: ContextsFor | None = None,
    speech: SpeechSettings | None = None,
    renderer: ScriptRenderer | None = None,
) -> tuple[list[ScriptError], list[ScriptWarning]]:
    """Errors of one loaded script (static, then rendering in each context) and, when it renders,
    the warnings about how its text will be read. ``contexts`` defaults to `sample_contexts`."""
    if script.audio is not None and not script.body.strip():
        return [], []
    renderer = renderer or ScriptRenderer()
    chosen = list(contexts(script)) if contexts is not None else sample_contexts(script)
    errors = renderer.problems(script, chosen)
    if errors:
        return errors, []
    warnings: dict[str, ScriptWarning] = {}
    for context in chosen:
        for warning in speech_warnings(script, renderer.render(script, context), speech):
            warnings.setdefault(warning.message, warning)
    return [], sorted(warnings.values(), key=lambda w: w.line or 0)


def speech_warnings(script: Script, text: str, speech: SpeechSettings | None = None) -> list[ScriptWarning]:
    """Warnings about the rendered ``text`` of ``script``: spelled words and unvoiced address parts."""
    found: list[ScriptWarning] = []
    for rewrite in explain(text, speech):
        line = line_of(script, rewrite.original)
        if rewrite.rule == "spell" and len(rewrite.original) > 1:
            found.append(
                ScriptWarning(
                    script.path,
                    line,
                    f"'{rewrite.original}' sẽ được đọc từng chữ cái: “{rewrite.spoken}”; nếu là chữ viết tắt, "
                    "hãy viết đầy đủ hoặc thêm cách đọc vào speech.glossary trong config.yaml",
                )
            )
        elif rewrite.rule in ("email", "url"):
            for part in _LETTERS.findall(rewrite.original.lower()):
                if not _VOWELS.search(part) and part not in ADDRESS_WORDS:
                    found.append(
                        ScriptWarning(
                            script.path,
                            line,
                            f"trong địa chỉ '{rewrite.original}', phần '{part}' không có nguyên âm: giọng đọc "
                            "sẽ tự đoán cách đọc; hãy nghe thử bằng loa say",
                        )
                    )
    return found


def line_of(script: Script, token: str) -> int:
    """The file line where ``token`` is first written in the body (the body's first line if it only
    appears once rendered, e.g. from a template value)."""
    for index, line in enumerate(script.body.split("\n")):
        if token in line:
            return script.body_line + index
    return script.body_line
