"""The typed configuration: every key of `config.yaml`, its default and its checks (pydantic, frozen).

Messages are Vietnamese: a clerk reads them (see `loading` for how they name the file, line and key).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from loa114.content import library
from loa114.scheduler.config.values import (
    WEEKDAYS,
    ClockTime,
    Duration,
    Ident,
    QuietHours,
    parse_report_when,
    slug,
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Commune(Model):
    name: str
    province: str
    timezone: str = "Asia/Ho_Chi_Minh"
    dialect: Literal["north", "south"] = "north"
    id: Ident = ""  # the commune in folders, schemas, mounts and --commune; default from the name ("loi-bac")

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and isinstance(data.get("name"), str):
            made = slug(data["name"])
            if not made:
                raise ValueError(f"không tạo được id từ tên xã {data['name']!r}: ghi commune.id")
            data = {**data, "id": made}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"múi giờ không tồn tại: {value!r}") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Targets(Model):
    household_rate: float = Field(1.0, gt=0, le=1)
    install_rate: float = Field(1.0, gt=0, le=1)


class Lagging(Model):
    behind_points: float = Field(10, ge=0, le=100)
    stale_days: int = Field(7, ge=1)


class Campaign(Model):
    name: str
    start: date
    deadline: date
    targets: Targets = Targets()
    lagging: Lagging = Lagging()

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.deadline <= self.start:
            raise ValueError("deadline phải sau start")
        return self


class Contact(Model):
    name: str
    role: str = ""
    phone: str | None = None
    notify: list[str] = []  # Apprise URLs (mailto://, tgram://, json://…) for reminder notices


class Village(Model):
    id: Ident
    name: str
    households: int = Field(ge=0)
    smartphone_users: int = Field(ge=0)
    zone: Ident
    contacts: list[Contact] = []


class Zone(Model):
    id: Ident
    name: str


class Slot(Model):
    id: Ident
    time: ClockTime
    days: Literal["daily"] | list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = "daily"
    max_duration: Duration = timedelta(minutes=15)
    zones: Literal["all"] | list[Ident] = "all"

    def runs_on(self, day: date) -> bool:
        return self.days == "daily" or WEEKDAYS[day.weekday()] in self.days


class Scripts(Model):
    dir: Path = library.SHIPPED_DIR
    require_approval: bool = False  # when true, only versions approved by the police are planned


class Speech(Model):
    glossary: dict[Annotated[str, Field(min_length=1)], Annotated[str, Field(min_length=1)]] = {}
    hotlines: list[Annotated[str, Field(pattern=r"^[0-9]{2,8}$")]] = []
    # how loanwords standing alone are said ("Zalo": "da lô"); overrides the shipped lexicon
    pronunciations: dict[Annotated[str, Field(min_length=1)], Annotated[str, Field(min_length=1)]] = {}


class Icecast(Model):
    """An Icecast 2 server the IP loudspeakers listen to: one mount `<mount_prefix>/<commune.id>/<zone>`."""

    url: str = "http://127.0.0.1:8000"
    source_password: SecretStr | None = None  # or source_password_file (first line); never logged
    source_password_file: Path | None = None
    mount_prefix: str = Field("", pattern=r"^(/[a-z0-9][a-z0-9._-]*)*$")
    between: Literal["nothing", "silence"] = "nothing"  # what the mount carries between programs
    connect_timeout: Duration = timedelta(seconds=10)  # to connect and hear the server's answer
    stall_timeout: Duration = timedelta(seconds=20)  # longest the server may refuse to take more audio

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        try:
            port = parts.port
        except ValueError:
            port = None
        if parts.scheme != "http" or not parts.hostname or (parts.port is not None and not port):
            raise ValueError(f'địa chỉ máy chủ Icecast không hợp lệ {value!r}: ví dụ "http://127.0.0.1:8000"')
        if parts.path not in ("", "/") or parts.username or parts.query:
            raise ValueError("chỉ ghi http://máy:cổng; mật khẩu ghi ở source_password")
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _one_password(self) -> Icecast:
        if (self.source_password is None) == (self.source_password_file is None):
            raise ValueError("cần đúng một trong source_password hoặc source_password_file")
        return self

    def password(self) -> str:
        """The source password (read from its file each time, so a changed file is picked up)."""
        if self.source_password is not None:
            return self.source_password.get_secret_value()
        assert self.source_password_file is not None
        text = self.source_password_file.read_text(encoding="utf-8")
        return text.splitlines()[0].strip() if text.strip() else ""


class Playout(Model):
    dir: Path = Path("playout")
    command: str | None = None
    command_timeout: Duration = timedelta(minutes=30)
    icecast: Icecast | None = None  # stream programs to IP loudspeakers (README "Loa IP (Icecast)")
    keep_days: int = Field(30, ge=1, le=3650)  # published folders older than this are removed


class Schedule(Model):
    lead_time: Duration = timedelta(hours=2)
    misfire_grace: Duration = timedelta(minutes=5)
    horizon_days: int = Field(2, ge=1, le=14)


class Database(Model):
    url: str = "sqlite:///var/loa114.db"
    schema_name: str | None = Field(None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")  # PostgreSQL: one per commune


class Audio(Model):
    engines: list[Literal["gtts", "offline"]] = Field(default=["gtts", "offline"], min_length=1)
    loudness_lufs: float = Field(-16.0, ge=-40, le=-5)
    true_peak_dbtp: float = Field(-1.0, ge=-10, le=0)
    cache_dir: Path = Path("var/cache/audio")
    bitrate_kbps: int = Field(64, ge=32, le=192)
    repeat_phrase: str = "Xin nhắc lại."
    chime: bool = True
    gtts_tld: str = "com.vn"
    gtts_timeout: Duration = timedelta(seconds=10)
    gtts_retries: int = Field(3, ge=1, le=10)
    gtts_cooldown: Duration = timedelta(minutes=3)  # after Google fails, skip it this long (all processes)
    gtts_probe_interval: Duration = timedelta(minutes=1)  # how often the service asks whether it is back
    gtts_max_in_flight: int = Field(6, ge=1, le=32)  # speech requests sent at once
    cache_max_mb: int = Field(300, ge=10)  # render cache size limit (least recently used evicted)


class Notices(Model):
    dir: Path = Path("notices")
    templates: Path | None = None  # the office's own reminder.txt / escalation.txt; else the shipped ones


class Reports(Model):
    """The heading of the police's reports (Nghị định 30 layout); empty names follow the commune's."""

    issuer: str = ""  # "CÔNG AN XÃ LỢI BÁC" by default
    parent: str = ""  # "CÔNG AN TỈNH LẠNG SƠN" by default
    number: str = "Số:        /BC-CAX"
    signer_title: str = "TRƯỞNG CÔNG AN XÃ"
    sent_to: list[str] = []  # "Nơi nhận" lines; by default the commune People's Committee, PC07, the file
    # when the service writes and sends them on its own: week → "<weekday> HH:MM", month → "last HH:MM"
    # (the month's last day) or "<day 1–28> HH:MM"; leave a kind out to not issue it
    schedule: dict[Literal["week", "month"], str] = {"week": "fri 16:00", "month": "last 16:00"}
    recipients: list[str] = ["file"]  # delivery targets, as for notices: "file" or Apprise URLs
    dir: Path = Path("reports")  # where issued reports are kept (DOCX, XLSX, JSON)

    @field_validator("schedule")
    @classmethod
    def _when(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, text in value.items():
            parse_report_when(kind, text)  # raises ValueError with the Vietnamese message
        return value


class Escalation(Model):
    contacts: list[Contact] = []


class Reminders(Model):
    quiet_hours: QuietHours = (time(21, 0), time(6, 30))
    escalate_after: int = Field(3, ge=1, le=30)
    evaluate_at: ClockTime = time(7, 0)
    max_attempts: int = Field(6, ge=1, le=50)
    retry_backoff: Duration = timedelta(minutes=5)

    def is_quiet(self, local: time) -> bool:
        start, end = self.quiet_hours
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


class Web(Model):
    host: str = "127.0.0.1"
    port: int = Field(8114, ge=1, le=65535)
    secret_file: Path = Path("var/web-secret")  # signs session cookies; created (0600) on first start
    session_hours: int = Field(12, ge=1, le=24 * 30)  # a signed-in session lasts this long
    max_upload_mb: int = Field(5, ge=1, le=100)
    page_cache_s: float = Field(5, ge=0, le=300)  # how stale a kept page may be for other processes' writes


class Config(Model):
    commune: Commune
    campaign: Campaign
    villages: list[Village] = Field(min_length=1)
    zones: list[Zone] = Field(min_length=1)
    slots: list[Slot] = []
    scripts: Scripts = Scripts()
    speech: Speech = Speech()
    playout: Playout = Playout()
    schedule: Schedule = Schedule()
    database: Database = Database()
    audio: Audio = Audio()
    notices: Notices = Notices()
    escalation: Escalation = Escalation()
    reports: Reports = Reports()
    reminders: Reminders = Reminders()
    web: Web = Web()
    source: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _references(self) -> Config:
        _unique(self.zones, "zones")
        _unique(self.villages, "villages")
        _unique(self.slots, "slots")
        zone_ids = {z.id for z in self.zones}
        for i, village in enumerate(self.villages):
            if village.zone not in zone_ids:
                raise RefError(("villages", i, "zone"), f"cụm loa {village.zone!r} không có trong zones")
        for i, slot in enumerate(self.slots):
            if slot.zones != "all":
                for j, zone in enumerate(slot.zones):
                    if zone not in zone_ids:
                        raise RefError(("slots", i, "zones", j), f"cụm loa {zone!r} không có trong zones")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return self.commune.tz

    def zone(self, zone_id: str) -> Zone:
        return next(z for z in self.zones if z.id == zone_id)

    def slot(self, slot_id: str) -> Slot:
        for slot in self.slots:
            if slot.id == slot_id:
                return slot
        raise KeyError(slot_id)

    def slot_zones(self, slot: Slot) -> list[str]:
        return [z.id for z in self.zones] if slot.zones == "all" else list(slot.zones)

    def villages_in(self, zone_id: str) -> list[Village]:
        return [v for v in self.villages if v.zone == zone_id]


class RefError(ValueError):
    """A cross-reference error that knows its key path (raised inside a model validator)."""

    def __init__(self, loc: tuple[str | int, ...], message: str):
        self.loc = loc
        super().__init__(message)


def _unique(items: list[Any], name: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise RefError((name, i, "id"), f"id {item.id!r} bị trùng")
        seen.add(item.id)
