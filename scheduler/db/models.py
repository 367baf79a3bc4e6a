"""The database rows are the durable truth; APScheduler only decides *when* to look at them.

Unique constraints are the idempotency keys: one broadcast per (day, slot, zone), one as-run record per
broadcast, one item per (broadcast, position).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from loa114.scheduler.db.status import FINAL as FINAL  # re-exported: rows and their states go together
from loa114.scheduler.db.status import UNAIRED as UNAIRED
from loa114.scheduler.db.status import Status as Status
from loa114.scheduler.db.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Broadcast(Base):
    """One program on one zone at one airtime: a regular slot, or an urgent alert."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        UniqueConstraint("day", "slot_id", "zone_id", name="uq_broadcast_day_slot_zone"),
        Index("ix_broadcasts_status_airtime", "status", "airtime"),  # what is due, missed or left airing
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    slot_id: Mapped[str] = mapped_column(String(64))
    zone_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="slot")
    airtime: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=Status.PLANNED, index=True)
    folder: Mapped[str | None] = mapped_column(String(512))
    duration_s: Mapped[float | None] = mapped_column(Float)
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    offline_items: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)  # Vietnamese, for the operator
    reason: Mapped[str | None] = mapped_column(String(32))  # machine code of a missed/failed outcome
    fingerprint: Mapped[str | None] = mapped_column(String(64))  # of the inputs the program was built from
    inputs: Mapped[dict[str, object] | None] = mapped_column(JSON)  # those inputs, part by part
    claimed_by: Mapped[int | None] = mapped_column(Integer)  # the service run airing it
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    aired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as-run start (publication)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))  # who recorded it aired / not aired
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    items: Mapped[list[BroadcastItem]] = relationship(
        back_populates="broadcast", order_by="BroadcastItem.position", cascade="all, delete-orphan"
    )


class BroadcastItem(Base):
    __tablename__ = "broadcast_items"
    __table_args__ = (UniqueConstraint("broadcast_id", "position", name="uq_item_broadcast_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    script_id: Mapped[str] = mapped_column(String(128), index=True)
    title: Mapped[str] = mapped_column(String(300))
    engine: Mapped[str] = mapped_column(String(32))
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    village_id: Mapped[str | None] = mapped_column(
        String(500)
    )  # the lagging villages it names, comma-separated
    duration_s: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(300))
    audio_key: Mapped[str | None] = mapped_column(String(64))  # render-cache keys, kept from eviction
    request_key: Mapped[str | None] = mapped_column(String(64))

    broadcast: Mapped[Broadcast] = relationship(back_populates="items")


class ServiceRun(Base):
    """One running service process: its heartbeat tells whether the service was up at a given moment."""

    __tablename__ = "service_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16), default="all")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AsRun(Base):
    """What happened at airtime: scheduled vs actual start, and the outcome of the playout adapters."""

    __tablename__ = "as_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), unique=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lateness_s: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


class Event(Base):
    """Audit trail of every domain event (rendered, aired, missed, failed, script invalid...)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)  # the user or token; None: the service


class VillageReportRow(Base):
    """The cumulative state of one village on one date, as a village head reported it."""

    __tablename__ = "village_reports"
    __table_args__ = (
        UniqueConstraint("village_id", "day", name="uq_report_village_day"),
        # the latest smartphone estimate per village is found through this small index, not a table scan
        Index(
            "ix_report_estimates",
            "village_id",
            "day",
            sqlite_where=text("smartphone_users IS NOT NULL"),
            postgresql_where=text("smartphone_users IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    households_installed: Mapped[int] = mapped_column(Integer)
    installs: Mapped[int] = mapped_column(Integer)
    smartphone_users: Mapped[int | None] = mapped_column(Integer)
    households_visited: Mapped[int | None] = mapped_column(Integer)
    with_extinguisher: Mapped[int | None] = mapped_column(Integer)
    with_second_exit: Mapped[int | None] = mapped_column(Integer)
    unsafe_electrics: Mapped[int | None] = mapped_column(Integer)
    unsafe_households: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # "khó khăn, vướng mắc" as the head wrote it (cleaned, at most columns.MAX_DIFFICULTIES); "" for none
    difficulties: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str | None] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VillageState(Base):
    """One evaluation of one village on one date: the rates, what was expected, and why it lags."""

    __tablename__ = "village_states"
    __table_args__ = (UniqueConstraint("village_id", "day", name="uq_state_village_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date)
    lagging: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    household_rate: Mapped[float] = mapped_column(Float)
    install_rate: Mapped[float] = mapped_column(Float)
    expected_rate: Mapped[float] = mapped_column(Float)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """A reminder or escalation notice: the outbox entry, one per village, day and kind."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("village_id", "day", "kind", name="uq_notice_village_day_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_id: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the village caught up before sending
    attachments: Mapped[list[str] | None] = mapped_column(JSON)  # files sent with it (a report's)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="notice", order_by="Delivery.id", cascade="all, delete-orphan"
    )


class Delivery(Base):
    """One notice to one target (an Apprise URL, or "file"): the row is the queue item."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("notice_id", "target", name="uq_delivery_notice_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(500))
    recipient: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    notice: Mapped[Notice] = relationship(back_populates="deliveries")


class User(Base):
    """A person who signs in to the web interface; `village_id` only for a village head."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    village_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token for another system (an IP radio platform, a dashboard); only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    village_id: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScriptVersion(Base):
    """One content of one script file, identified by its hash: a draft until approved."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("script_id", "sha256", name="uq_script_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    script_id: Mapped[str] = mapped_column(String(128), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(64))  # None: edited outside the web interface
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulePin(Base):
    """A script pinned by a person into one slot of one day (for one zone, or all when `zone_id` is None)."""

    __tablename__ = "schedule_pins"
    __table_args__ = (UniqueConstraint("day", "slot_id", "zone_id", "script_id", name="uq_schedule_pin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    slot_id: Mapped[str] = mapped_column(String(64))
    zone_id: Mapped[str | None] = mapped_column(String(64))
    script_id: Mapped[str] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportNotes(Base):
    """Sections IV and V of one period's report, as the police edited them before signing."""

    __tablename__ = "report_notes"
    __table_args__ = (UniqueConstraint("period", "first_day", name="uq_report_notes_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(16))  # week | month | campaign
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    difficulties: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
