"""A shard of a province's communes at one airing moment: three passes instead of two transactions each.

At 05:30 every commune of a province airs at once, in one or a few processes whose threads share one
interpreter lock and one database. Claiming and recording commune by commune cost two transactions each
(begin, search path, statements, commit); the folders of the last communes waited for the bookkeeping of the
first. A shard's communes are therefore
1. claimed in one joint transaction (`store.joint`: one commit for all of them, each commune's statements in
   its own schema);
2. published — each folder's manifest stamped (a player's programs start on their playout threads) — before
   any outcome is written, so no loudspeaker waits for another commune's records;
3. recorded in one joint transaction.
A joint transaction that fails is rolled back whole (nothing of it happened) and its communes are claimed,
or recorded, one at a time: one commune's broken schema must not keep the others off the air.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from loa114.scheduler.store import Joint, joint

if TYPE_CHECKING:
    from loa114.scheduler.programs.airing import Outcome
    from loa114.scheduler.service.fleet import Fleet
    from loa114.scheduler.service.station import Station

log = logging.getLogger(__name__)
T = TypeVar("T")
Communes = Sequence[tuple[str, "Station"]]
# a commune's part of a pass, in a joint transaction or (None) in one of its own
Step = Callable[[str, "Station", Joint | None], Sequence[T]]


@dataclass(frozen=True)
class ShardAired:
    """What one shard's airing did, for its log line."""

    claimed: int
    recorded: int
    claimed_at: datetime  # the claims' commit
    published_at: datetime  # the last folder or stream of the shard
    joint: bool  # both transactions were joint (False: some communes went one at a time)


def air_shard(fleet: Fleet, communes: Communes, now: datetime) -> ShardAired:
    """Claim, publish and record the programs of `communes` due at `now` (a program not built yet is left to
    the air poll, which renders it)."""
    claims, claims_joint = _each_commune(
        fleet, "claim", communes, now,
        lambda _key, station, shared: station.claim_due(now, unready=False, joint=shared),
    )  # fmt: skip
    claimed_at = fleet.clock.now()
    played: dict[str, list[Outcome]] = {}
    for key, station in communes:
        play = functools.partial(station.play_here, claims.get(key) or [])
        played[key] = fleet.run_step("publish", play, commune=key, yields=False, now=now) or []
    published_at = fleet.clock.now()
    recorded, records_joint = _each_commune(
        fleet, "record", [(k, s) for k, s in communes if played[k]], now,
        lambda key, station, shared: station.record(played[key], now, joint=shared),
    )  # fmt: skip
    return ShardAired(
        claimed=sum(len(rows) for rows in claims.values()),
        recorded=sum(len(results) for results in recorded.values()),
        claimed_at=claimed_at,
        published_at=published_at,
        joint=claims_joint and records_joint,
    )


def _each_commune(
    fleet: Fleet,
    name: str,
    communes: Communes,
    now: datetime,
    step: Step[T],
) -> tuple[dict[str, Sequence[T]], bool]:
    """`step` for every commune, in one joint transaction; when it fails, each commune in a transaction of
    its own (a failing commune logged and skipped). Returns each commune's result and whether the joint
    transaction committed."""
    try:
        with joint(fleet.engine) as shared:
            return {key: step(key, station, shared) for key, station in communes}, True
    except Exception:
        log.exception("joint %s failed: each commune on its own communes=%d", name, len(communes))
    results: dict[str, Sequence[T]] = {}
    for key, station in communes:
        one = functools.partial(_alone, step, key, station)
        results[key] = fleet.run_step(name, one, commune=key, yields=False, now=now) or []
    return results, False


def _alone(step: Step[T], key: str, station: Station, _now: datetime) -> Sequence[T]:
    return step(key, station, None)
