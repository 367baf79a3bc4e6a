"""Which communes the air poll has to look at, found by one statement over every commune's schema.

The air poll is the fleet's safety net, every 5 s: air what is due, mark what passed as missed, resolve what
a dead process left airing. Asking each of a province's 65 communes in turn cost about 5 transactions each,
some 65 a second around the clock, competing with the 05:30 burst for the database and the interpreter.
Almost always no commune has anything to do: one `UNION ALL` of tiny indexed probes finds the few that do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Engine, text

from loa114.scheduler.db.models import Status


def needing_air(engine: Engine, schemas: Mapping[str, str | None], now: datetime) -> set[str]:
    """The communes (keys of `schemas`, each its PostgreSQL schema; None: the default one) with a broadcast
    whose airtime has come and that is not aired yet (due or missed), or one left `airing`."""
    if not schemas:
        return set()
    keys = list(schemas)
    probes = [
        f"(SELECT {n} AS n FROM {_table(schemas[key])}"
        " WHERE (status IN (:planned, :ready) AND airtime <= :now) OR status = :airing LIMIT 1)"
        for n, key in enumerate(keys)
    ]
    with engine.connect() as connection:
        found: Sequence[int] = (
            connection.execute(
                text(" UNION ALL ".join(probes)),
                {"planned": Status.PLANNED, "ready": Status.READY, "airing": Status.AIRING, "now": now},
            )
            .scalars()
            .all()
        )
        return {keys[int(n)] for n in found}


def _table(schema: str | None) -> str:
    return f'"{schema}".broadcasts' if schema else "broadcasts"  # the name's pattern allows no quote
