"""Script approval: every content of a script file is a version, a draft until the police approve it.

A version is the file's bytes identified by their sha256 (`script_versions`), with who wrote it (None: the
file was edited outside the web interface) and who approved it. The version of a file is the one whose hash
matches what is on disk now, so editing a file in Notepad makes it a draft again, and putting back an
approved text makes it approved again. With `scripts.require_approval`, the planner is given only scripts
whose current version is approved (`plannable`); the urgent-alert template is never held back, because an
alert must never wait for an approval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.content.library import Library
from loa114.scheduler.db.models import ScriptVersion
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import ScriptApproved, ScriptDrafted
from loa114.scheduler.programs.planner import Decision
from loa114.scheduler.store import Store


@dataclass(frozen=True)
class Version:
    """One version as people see it (a plain copy, usable after its session closed)."""

    script_id: str
    sha256: str
    content: str
    author: str | None
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None

    @property
    def approved(self) -> bool:
        return self.approved_by is not None

    @classmethod
    def of(cls, row: ScriptVersion) -> Version:
        return cls(
            row.script_id,
            row.sha256,
            row.content,
            row.author,
            row.created_at,
            row.approved_by,
            row.approved_at,
        )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_version(
    session: Session, script_id: str, data: bytes, *, author: str | None, now: datetime
) -> tuple[ScriptVersion, bool]:
    """The version row of `data` (created when new, with `author`), and whether it was created."""
    sha = digest(data)
    row = session.scalars(
        select(ScriptVersion).where(ScriptVersion.script_id == script_id, ScriptVersion.sha256 == sha)
    ).first()
    if row is not None:
        return row, False
    row = ScriptVersion(
        script_id=script_id,
        sha256=sha,
        content=data.decode("utf-8", errors="replace"),
        author=author,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def current_versions(store: Store, files: Iterable[tuple[str, Path]], now: datetime) -> dict[str, Version]:
    """The version of each (script id, file) as the file is now; a content never seen before is recorded
    as a draft with no author (edited outside the web interface). Unreadable files are left out."""
    found: dict[str, Version] = {}
    with store.session() as session:
        for script_id, path in files:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            row, created = record_version(session, script_id, data, author=None, now=now)
            if created:
                store.record(session, ScriptDrafted(at=now, script=script_id, sha256=row.sha256))
            found[script_id] = Version.of(row)
    return found


def plannable(library: Library, store: Store, now: datetime) -> tuple[Library, list[Decision]]:
    """The library the planner may use when approval is required: regular scripts whose file content is
    approved (and the urgent template), and a decision for each draft left out."""
    regular = [(s.id, s.path) for s in library.scripts.values() if not s.urgent]
    versions = current_versions(store, regular, now)
    kept = {
        sid: s
        for sid, s in library.scripts.items()
        if s.urgent or (sid in versions and versions[sid].approved)
    }
    left = [
        Decision(sid, "skipped", "not_approved", "bản nháp chưa được công an xã duyệt")
        for sid in sorted(set(library.scripts) - set(kept))
    ]
    return Library(scripts=kept, problems=list(library.problems)), left


def history(store: Store, script_id: str) -> list[Version]:
    """Every version of a script, newest first."""
    with store.session() as session:
        rows = session.scalars(
            select(ScriptVersion)
            .where(ScriptVersion.script_id == script_id)
            .order_by(ScriptVersion.created_at.desc(), ScriptVersion.id.desc())
        ).all()
        return [Version.of(r) for r in rows]


def approve(store: Store, script_id: str, sha256: str, approver: str, now: datetime) -> Version:
    """Approve one version (named by its hash, so a text changed meanwhile is never approved unseen).
    Approving an approved version changes nothing."""
    with store.session() as session:
        row = session.scalars(
            select(ScriptVersion).where(ScriptVersion.script_id == script_id, ScriptVersion.sha256 == sha256)
        ).first()
        if row is None:
            raise InputError(f"không có phiên bản {sha256[:12]!r} của bài {script_id!r}; hãy tải lại trang")
        if row.approved_by is None:
            row.approved_by, row.approved_at = approver, now
            store.record(session, ScriptApproved(at=now, script=script_id, sha256=sha256), actor=approver)
        return Version.of(row)
