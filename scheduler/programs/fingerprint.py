"""What a program was built from, so that a ready program follows its inputs until airtime.

A built program records its inputs part by part: the content of every script that could go into the slot
(and of every file that failed to load, since fixing it may add a script), the campaign figures its
templates were given, the configuration it depends on, and the voices. When any part differs from what the
program was built from, the program is stale: the service rebuilds it before airtime, and `loa program
build` says which part changed (the render cache makes unchanged items cost nothing).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from loa114.content.library import Library
from loa114.scheduler.campaign.figures import Figures
from loa114.scheduler.config import Config, Slot

_DIGESTS: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class ProgramInputs:
    scripts: dict[str, str]  # script id (or file name of an unreadable file) → content digest
    coverage: str
    config: str
    engines: str

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def digest(self) -> str:
        return _digest(self.as_json())

    def changes_since(self, before: dict[str, Any] | None) -> list[str]:
        """In Vietnamese, what differs from the inputs recorded as `before` (empty when nothing does)."""
        if not before:
            return ["chương trình dựng trước khi có dấu vân tay đầu vào"]
        reasons = []
        old = before.get("scripts") or {}
        edited = sorted(k for k in self.scripts if k in old and old[k] != self.scripts[k])
        added = sorted(k for k in self.scripts if k not in old)
        removed = sorted(k for k in old if k not in self.scripts)
        if edited:
            reasons.append("bài đã sửa: " + ", ".join(edited))
        if added:
            reasons.append("bài mới hoặc mới được phát trong khung giờ này: " + ", ".join(added))
        if removed:
            reasons.append("bài không còn phát trong khung giờ này: " + ", ".join(removed))
        if before.get("coverage") != self.coverage:
            reasons.append("số liệu tiến độ của các thôn đã thay đổi")
        if before.get("config") != self.config:
            reasons.append("cấu hình đã thay đổi")
        if before.get("engines") != self.engines:
            reasons.append("giọng đọc đã thay đổi")
        return reasons


def program_inputs(
    config: Config,
    library: Library,
    coverage: Figures,
    *,
    day: date,
    slot: Slot,
    zone_id: str,
    villages: Sequence[str],
) -> ProgramInputs:
    """The inputs of the program of (`day`, `slot`, `zone_id`) as they are now."""
    scripts = {
        s.id: script_digest(s.path, s.audio)
        for s in library.regular()
        if s.is_valid_on(day) and s.applies_to_slot(slot.id)
    }
    scripts.update({f"!{Path(p.file).name}": script_digest(Path(p.file)) for p in library.problems})
    figures = {
        "commune": dataclasses.asdict(coverage.commune(day)),
        "villages": [dataclasses.asdict(coverage.village(day, v)) for v in villages],
    }
    depends = {
        "commune": config.commune.model_dump(mode="json"),
        "campaign": config.campaign.model_dump(mode="json"),
        "villages": [v.model_dump(mode="json", exclude={"contacts"}) for v in config.villages],
        "zone": config.zone(zone_id).model_dump(mode="json"),
        "slot": slot.model_dump(mode="json"),
        "speech": config.speech.model_dump(mode="json"),
        "audio": config.audio.model_dump(mode="json", exclude={"cache_dir", "engines"}),
    }
    return ProgramInputs(
        scripts=scripts,
        coverage=_digest(figures),
        config=_digest(depends),
        engines=",".join(config.audio.engines),
    )


def script_digest(path: Path, recording: Path | None = None) -> str:
    """sha256 of a script file (and of its recording), remembered while the file is unchanged."""
    parts = [_file_digest(path)]
    if recording is not None:
        parts.append(_file_digest(recording))
    return parts[0] if len(parts) == 1 else _digest(parts)


def _file_digest(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    found = _DIGESTS.get(key)
    if found is None:
        try:
            found = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return "unreadable"
        if len(_DIGESTS) > 4096:
            _DIGESTS.clear()
        _DIGESTS[key] = found
    return found


def _digest(value: object) -> str:
    blob = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
