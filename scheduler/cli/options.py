"""What every `loa` command shares: global options, the clock they imply, dates, opening the station."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from loa114.content.dates import parse_date_text
from loa114.scheduler.clock import Clock, parse_moment
from loa114.scheduler.config import Config
from loa114.scheduler.config.province import Province, load_province
from loa114.scheduler.errors import InputError

if TYPE_CHECKING:
    from loa114.scheduler.db.engine import Database
    from loa114.scheduler.service.station import Station

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Options:
    config_path: Path
    now_text: str | None
    commune: str | None = None
    _province: Province | None = None

    def province(self) -> Province:
        """The province file, or a commune's `config.yaml` as a province of one."""
        if self._province is None:
            self._province = load_province(
                self.config_path, database_url=os.environ.get("LOA_DATABASE_URL") or None
            )
        return self._province

    def config(self) -> Config:
        """The commune the command is about: `--commune`, or the only one."""
        return self.province().commune(self.commune)

    def clock(self, *, running: bool = False) -> Clock:
        """The system clock, or `--now`: fixed for one-shot commands, running from it for `serve`."""
        if not self.now_text:
            return Clock.system()
        # a province's communes share the clock: the first one's time zone reads `--now`
        tz = next(iter(self.province().communes.values())).tz if self.config_path.exists() else DEFAULT_TZ
        try:
            moment = parse_moment(self.now_text, tz)
        except ValueError:
            raise InputError(
                f"--now: thời điểm không hợp lệ {self.now_text!r}; dùng ISO-8601, ví dụ 2026-12-01T05:00"
            ) from None
        return Clock.starting_at(moment) if running else Clock.fixed(moment)

    def database(self) -> Database:
        """The database alone, up to date (for commands that only read or write rows: no audio stack)."""
        from loa114.scheduler.db.engine import Database

        database = self.config().database
        return Database(database.url, schema=database.schema_name).migrate()


def options(ctx: typer.Context) -> Options:
    return ctx.ensure_object(Options)


def parse_date(value: str | None, option: str, default: date) -> date:
    """`2026-12-31` or `31/12/2026` (as the commune writes dates)."""
    if value is None:
        return default
    day = parse_date_text(value)
    if day is None:
        raise InputError(f"{option}: ngày không hợp lệ {value!r}; dùng dạng 31/12/2026 hoặc 2026-12-31")
    return day


def open_station(opts: Options) -> Station:
    from loa114.scheduler.service.app import App
    from loa114.scheduler.service.station import Station

    return Station(App.create(opts.config()))
