"""Writing a built program into its playout folder and making it the program of its row.

The folder is written in a staging directory beside the final one (program.mp3, items, playlist,
manifest), then, in the transaction that sets the row `ready`, exchanged with the old folder in one step:
a reader sees the old program or the new one, and a crash in between leaves at most a staging folder that
a later build removes. The conditional update comes first, so no process can claim (air) the row between
the check and the exchange.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from loa114.audio.errors import AudioError
from loa114.audio.program import BuiltProgram, ProgramBuilder, ProgramTags
from loa114.scheduler.clock import file_time
from loa114.scheduler.config import Config
from loa114.scheduler.db.models import UNAIRED, Broadcast, BroadcastItem, Status
from loa114.scheduler.events import BroadcastReady, BuildFailed, about
from loa114.scheduler.files import clean_stale_staging, staging_dir, swap_into_place
from loa114.scheduler.playout.manifest import manifest_data, write_manifest
from loa114.scheduler.programs.fingerprint import ProgramInputs
from loa114.scheduler.programs.items import Rendered, audio_problem
from loa114.scheduler.programs.planner import Decision
from loa114.scheduler.programs.rows import BroadcastKey
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    broadcast_id: int
    key: BroadcastKey
    status: str
    built: bool  # False: left alone (up to date, or final) or nothing could be built
    folder: Path | None = None
    items: int = 0
    duration_s: float = 0.0
    offline_items: int = 0
    error: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    why: tuple[str, ...] = ()  # why a ready program was built again

    @property
    def day(self) -> date:  # the key's parts, read where results are listed
        return self.key.day

    @property
    def slot(self) -> str:
        return self.key.slot

    @property
    def zone(self) -> str:
        return self.key.zone


@dataclass
class Draft:
    """A program about to be written: its row, what it holds, what it was built from, and why."""

    broadcast_id: int
    key: BroadcastKey
    airtime: datetime
    kind: str  # "slot" | "alert"
    kept: list[Rendered]
    decisions: list[Decision]
    inputs: ProgramInputs | None = None
    why: tuple[str, ...] = ()
    started: float | None = None  # time.monotonic() when the build began: its duration is reported


class ProgramWriter:
    def __init__(self, config: Config, store: Store, sound: ProgramBuilder) -> None:
        self.config = config
        self.store = store
        self.sound = sound

    def publish(self, draft: Draft, now: datetime) -> BuildResult:
        """Write `draft` and make it its row's program; a program that cannot be written is `fail`."""
        if not draft.kept:
            return self.fail(draft.broadcast_id, now, "không có bài nào phát được", draft.decisions)
        final = draft.key.folder(self.config.playout.dir)
        try:
            staging, built = self._write(draft, final, now)
        except (AudioError, OSError) as exc:
            log.warning("program not written broadcast=%s folder=%s error=%r", draft.broadcast_id, final, exc)
            problem = (
                audio_problem(exc)
                if isinstance(exc, AudioError)
                else f"không ghi được chương trình vào {final.parent}: {exc.strerror or exc}"
            )
            return self.fail(draft.broadcast_id, now, problem, draft.decisions)
        offline = sum(1 for item in built.items if item.offline)
        with self.store.session() as session:
            row = self._take(session, draft, final, built, now)
            if row is None or row.status != Status.READY:
                shutil.rmtree(staging, ignore_errors=True)
                status = row.status if row else "gone"
                return BuildResult(draft.broadcast_id, draft.key, status, built=False)
            swap_into_place(staging, final)
            _item_rows(session, draft, built)
            ready = BroadcastReady(
                at=now,
                **about(row),
                items=len(draft.kept),
                duration_s=round(built.duration_s, 1),
                offline_items=offline,
                rerender=bool(draft.why),
                why=draft.why,
                render_s=None if draft.started is None else round(time.monotonic() - draft.started, 3),
            )
            self.store.record(session, ready)
        return BuildResult(
            draft.broadcast_id,
            draft.key,
            Status.READY,
            built=True,
            folder=final,
            items=len(draft.kept),
            duration_s=built.duration_s,
            offline_items=offline,
            decisions=draft.decisions,
            why=draft.why,
        )

    def _take(
        self, session: Session, draft: Draft, final: Path, built: BuiltProgram, now: datetime
    ) -> Broadcast | None:
        """Set the row `ready` with this program, if it still is planned or ready; the row as it is now."""
        session.execute(
            update(Broadcast)
            .where(Broadcast.id == draft.broadcast_id, Broadcast.status.in_(UNAIRED))
            .values(
                status=Status.READY,
                folder=str(final.relative_to(self.config.playout.dir)),
                duration_s=built.duration_s,
                loudness_lufs=built.loudness_lufs,
                offline_items=sum(1 for item in built.items if item.offline),
                error=None,
                fingerprint=draft.inputs.digest if draft.inputs else None,
                inputs=draft.inputs.as_json() if draft.inputs else None,
                rendered_at=now,
                updated_at=now,
            )
        )
        return session.get(Broadcast, draft.broadcast_id, populate_existing=True)

    def _write(self, draft: Draft, final: Path, now: datetime) -> tuple[Path, BuiltProgram]:
        """program.mp3, items, playlist and manifest in a fresh staging folder beside `final`."""
        config = self.config
        clean_stale_staging(final.parent, file_time())
        staging = staging_dir(final)
        key = draft.key
        zone_name = config.zone(key.zone).name
        tags = ProgramTags(
            title=f"{config.commune.name} {key.day:%d/%m/%Y} {key.slot} {zone_name}",
            date=key.day,
            album=config.campaign.name,
            artist=f"Loa 114 — {config.commune.name}",
        )
        try:
            built = self.sound.write_program([r.item for r in draft.kept], staging, tags)
            data = manifest_data(
                day=key.day,
                slot_id=key.slot,
                zone_id=key.zone,
                airtime=draft.airtime,
                tz=config.tz,
                kind=draft.kind,
                built=built,
                texts=[r.text for r in draft.kept],
                decisions=[d.as_dict() for d in draft.decisions],
                generated_at=now,
            )
            if draft.why:
                data["rebuilt_because"] = list(draft.why)
            write_manifest(staging, data)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging, built

    def fail(self, broadcast_id: int, now: datetime, error: str, decisions: list[Decision]) -> BuildResult:
        """Nothing could be built: the row keeps its state (a ready row its program) with the error; the
        next render step tries again."""
        with self.store.session() as session:
            row = session.get(Broadcast, broadcast_id)
            assert row is not None  # the caller's row
            if row.error != error:
                row.error, row.updated_at = error, now
                self.store.record(session, BuildFailed(at=now, **about(row), error=error))
            return BuildResult(
                broadcast_id, BroadcastKey.of(row), row.status, built=False, error=error, decisions=decisions
            )


def _item_rows(session: Session, draft: Draft, built: BuiltProgram) -> None:
    """The program's items as rows (what aired, and the cache keys that keep a rebuild cheap)."""
    session.execute(delete(BroadcastItem).where(BroadcastItem.broadcast_id == draft.broadcast_id))
    for position, (rendered, item) in enumerate(zip(draft.kept, built.items, strict=True), start=1):
        session.add(
            BroadcastItem(
                broadcast_id=draft.broadcast_id,
                position=position,
                script_id=item.script_id,
                title=item.title,
                engine=item.engine,
                offline=item.offline,
                village_id=",".join(rendered.candidate.villages) or None,
                duration_s=item.duration_s,
                sha256=item.sha256,
                file=item.file,
                audio_key=rendered.item.key,
                request_key=rendered.item.request_key,
            )
        )
