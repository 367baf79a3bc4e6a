"""The fleet's air poll asks one statement which communes have something to air, to mark missed or to
resolve (service/attention.py), instead of walking every commune every 5 s: it must find each such commune
and no other, in each commune's own PostgreSQL schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from loa114.scheduler.db.engine import Database, make_engine
from loa114.scheduler.service.attention import needing_air

NOW = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 05:30 in Lạng Sơn
COMMUNES = {  # commune -> (status, airtime relative to now) of its one broadcast today
    "due": ("ready", timedelta(seconds=-1)),
    "unbuilt": ("planned", timedelta(seconds=-2)),
    "missed": ("planned", timedelta(hours=-3)),
    "orphan": ("airing", timedelta(minutes=-20)),
    "ahead": ("ready", timedelta(minutes=10)),
    "done": ("published", timedelta(seconds=-5)),
    "empty": None,
}


def test_the_probe_finds_exactly_the_communes_with_work(fresh_postgres: str) -> None:
    base = make_engine(fresh_postgres)
    schemas = {key: f"c_{key}" for key in COMMUNES}
    try:
        for key, broadcast in COMMUNES.items():
            Database(fresh_postgres, schema=schemas[key], base=base).migrate()
            if broadcast is None:
                continue
            status, offset = broadcast
            with base.begin() as connection:
                connection.execute(
                    text(
                        f'INSERT INTO "{schemas[key]}".broadcasts (day, slot_id, zone_id, kind, airtime, status,'
                        " offline_items, updated_at) VALUES (:day, 'sang', 'trung-tam', 'slot', :airtime,"
                        " :status, 0, :now)"
                    ),
                    {"day": (NOW + offset).date(), "airtime": NOW + offset, "status": status, "now": NOW},
                )
        assert needing_air(base, schemas, NOW) == {"due", "unbuilt", "missed", "orphan"}
        assert needing_air(base, schemas, NOW + timedelta(minutes=11)) == {
            "due", "unbuilt", "missed", "orphan", "ahead",
        }  # fmt: skip
        assert needing_air(base, {}, NOW) == set()
    finally:
        base.dispose()
