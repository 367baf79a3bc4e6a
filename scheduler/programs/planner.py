"""What goes into one program: a pure function of (scripts, recent programs, date, slot, zone).

Rules (README "Rotation and fitting"):
- only scripts valid on the date, meant for the slot, and not urgent; village scripts only for the
  villages given (the lagging villages of the zone): one item naming them all when the template reads
  `villages`, else one item per village (a template written for `village` alone);
- pinned scripts first, then the pool by priority (higher first), least recently aired first;
- a non-pinned script that was in one of the last `ROTATION_WINDOW` programs of the same slot and zone
  is skipped — unless nothing else is left, then the least recently aired one is repeated;
- the program never exceeds the slot's `max_duration`: items are taken pinned first, then by priority,
  then shortest, each one that still fits; the others are dropped, and the program keeps airing order.
Every skip and drop becomes a `Decision`, written to the manifest so the office can see why.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from loa114.content.library import Script
from loa114.content.render import names_used
from loa114.scheduler.config import Config, Slot

ROTATION_WINDOW = 3


@dataclass(frozen=True)
class Occurrence:
    day: date
    slot: Slot
    airtime: datetime  # aware UTC


@dataclass(frozen=True)
class Candidate:
    """One item of a program: a script, and the lagging villages it speaks about (village scripts)."""

    script: Script
    villages: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.script.id}@{'+'.join(self.villages)}" if self.villages else self.script.id


def groups_villages(script: Script) -> bool:
    """A village script that reads `villages` names all lagging villages of the zone in one item."""
    return "villages" in names_used(script.body)


@dataclass(frozen=True)
class Decision:
    script: str
    action: str  # "skipped" | "dropped" | "repeated"
    reason: str  # machine code
    detail: str  # Vietnamese, for the office

    def as_dict(self) -> dict[str, str]:
        return {"script": self.script, "action": self.action, "reason": self.reason, "detail": self.detail}


def airtime_of(day: date, slot: Slot, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, slot.time, tzinfo=tz).astimezone(UTC)


def occurrences(config: Config, start: datetime, end: datetime) -> list[Occurrence]:
    """Slot occurrences with airtime in [start, end), in airtime order."""
    tz = config.tz
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    found = []
    day = first
    while day <= last:
        for slot in config.slots:
            if slot.runs_on(day):
                at = airtime_of(day, slot, tz)
                if start <= at < end:
                    found.append(Occurrence(day, slot, at))
        day += timedelta(days=1)
    return sorted(found, key=lambda o: (o.airtime, o.slot.id))


def choose(
    scripts: Sequence[Script],
    *,
    day: date,
    slot_id: str,
    recent: Sequence[Collection[str]] = (),
    villages: Sequence[str] = (),
) -> tuple[list[Candidate], list[Decision]]:
    """Pick the candidates of one program, in airing order, before fitting to the slot's duration.

    `recent` holds the script ids of the previous programs of this slot and zone, newest first.
    Village scripts go to each of `villages` (the zone's lagging villages) in every program while they
    lag: rotation does not apply to them.
    """
    window = [set(ids) for ids in recent[:ROTATION_WINDOW]]
    last_seen = _recency(recent)
    applicable = [s for s in scripts if not s.urgent and s.is_valid_on(day) and s.applies_to_slot(slot_id)]
    pinned = [s for s in applicable if s.pinned]
    pool = [s for s in applicable if not s.pinned and s.audience == "commune"]
    targeted = [s for s in applicable if not s.pinned and s.audience == "village"]

    def order(s: Script) -> tuple[int, int, str]:
        return (-s.priority, -last_seen.get(s.id, len(recent) + 1), s.id)

    decisions: list[Decision] = []
    fresh: list[Script] = []
    for script in sorted(pool, key=order):
        if any(script.id in ids for ids in window):
            detail = f"đã phát trong {ROTATION_WINDOW} chương trình gần nhất của khung giờ này"
            decisions.append(Decision(script.id, "skipped", "recently_aired", detail))
        else:
            fresh.append(script)
    if not fresh and pool:
        oldest = max(pool, key=lambda s: (last_seen.get(s.id, len(recent) + 1), s.priority, s.id))
        fresh.append(oldest)
        decisions = [d for d in decisions if d.script != oldest.id]
        detail = "không còn bài mới, phát lại bài đã lâu chưa phát nhất"
        decisions.append(Decision(oldest.id, "repeated", "rotation_exhausted", detail))

    candidates: list[Candidate] = []
    for script in sorted(pinned, key=order) + sorted(fresh + targeted, key=order):
        if script.audience != "village":
            candidates.append(Candidate(script))
        elif villages and groups_villages(script):
            candidates.append(Candidate(script, tuple(villages)))
        else:
            candidates.extend(Candidate(script, (v,)) for v in villages)
    return candidates, decisions


def _recency(recent: Sequence[Collection[str]]) -> dict[str, int]:
    """Script id -> how many programs ago it last aired (0 = the previous program)."""
    seen: dict[str, int] = {}
    for age, ids in enumerate(recent):
        for script_id in ids:
            seen.setdefault(script_id, age)
    return seen


def fill(
    candidates: Sequence[Candidate],
    *,
    estimate: Callable[[Candidate], float],
    measure: Callable[[Candidate], float | None],
    max_seconds: float,
    gap_seconds: float,
) -> tuple[list[Candidate], list[Decision]]:
    """Fill the slot: pinned first, then higher priority, then shorter (by `estimate`), each item that
    still fits, gaps included. `estimate` is a lower bound of an item's length, known before rendering
    it: an item that cannot fit even so is dropped unrendered. `measure` renders an item and gives its
    real length (None: it could not be rendered; the caller says why). The kept items stay in airing
    order; every item that did not fit is a `dropped` decision."""
    ranked = sorted(
        range(len(candidates)),
        key=lambda i: (
            not candidates[i].script.pinned,
            -candidates[i].script.priority,
            estimate(candidates[i]),
            i,
        ),
    )
    chosen: set[int] = set()
    too_long: dict[int, str] = {}
    used = 0.0
    for i in ranked:
        gap = gap_seconds if chosen else 0.0
        least = estimate(candidates[i])
        if used + gap + least > max_seconds:
            too_long[i] = f"ít nhất {least:.0f}"
            continue
        length = measure(candidates[i])
        if length is None:
            continue
        if used + gap + length <= max_seconds:
            chosen.add(i)
            used += gap + length
        else:
            too_long[i] = f"{length:.0f}"
    decisions = [
        Decision(
            candidates[i].key,
            "dropped",
            "over_duration",
            f"không đủ chỗ trong {_minutes(max_seconds)} (bài dài {length} giây, chương trình đã có {_minutes(used)})",
        )
        for i, length in sorted(too_long.items())
    ]
    return [c for i, c in enumerate(candidates) if i in chosen], decisions


def fit(
    candidates: Sequence[Candidate], durations: dict[str, float], max_seconds: float, gap_seconds: float
) -> tuple[list[Candidate], list[Decision]]:
    """`fill` with every length known."""
    length = lambda c: durations[c.key]  # noqa: E731
    return fill(candidates, estimate=length, measure=length, max_seconds=max_seconds, gap_seconds=gap_seconds)


def _minutes(seconds: float) -> str:
    """900 → "15 phút", 90 → "1 phút 30 giây", 16 → "16 giây"."""
    minutes, secs = divmod(round(seconds), 60)
    if not minutes:
        return f"{secs} giây"
    return f"{minutes} phút" + (f" {secs} giây" if secs else "")
