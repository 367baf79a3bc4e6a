"""The planner is pure: tables of explicit dates and script sets, no database, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from loa114.content.library import Script
from loa114.scheduler.config import Slot, load_config
from loa114.scheduler.programs.planner import Candidate, airtime_of, choose, fill, fit, occurrences

ROOT = Path(__file__).resolve().parent.parent
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def script(
    sid: str,
    *,
    priority: int = 5,
    pinned: bool = False,
    slots: tuple[str, ...] | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    audience: str = "commune",
    urgent: bool = False,
) -> Script:
    return Script(
        id=sid,
        title=sid,
        path=Path(f"{sid}.txt"),
        body="x",
        body_line=5,
        slots=slots,
        valid_from=valid_from,
        valid_until=valid_until,
        priority=priority,
        repeat=1,
        pinned=pinned,
        audience=audience,  # type: ignore[arg-type]
        urgent=urgent,
        audio=None,
    )


@pytest.mark.parametrize(
    ("day", "hhmm", "expected_utc"),
    [
        (date(2026, 11, 30), time(5, 30), datetime(2026, 11, 29, 22, 30, tzinfo=UTC)),
        (date(2026, 11, 30), time(17, 0), datetime(2026, 11, 30, 10, 0, tzinfo=UTC)),
        (date(2027, 1, 1), time(0, 15), datetime(2026, 12, 31, 17, 15, tzinfo=UTC)),
    ],
)
def test_airtime_is_commune_local(day: date, hhmm: time, expected_utc: datetime) -> None:
    slot = Slot(id="s", time=hhmm)
    assert airtime_of(day, slot, HCM) == expected_utc


@pytest.mark.parametrize(
    ("start_local", "hours", "expected"),
    [
        # Sunday 29/11/2026: no slot on Sunday; the next is Monday 05:30
        (datetime(2026, 11, 29, 12, 0), 24, [("2026-11-30", "sang")]),
        (datetime(2026, 11, 30, 3, 30), 2, [("2026-11-30", "sang")]),  # exactly lead time ahead
        (datetime(2026, 11, 30, 3, 29), 2, []),  # one minute too early
        (datetime(2026, 11, 30, 5, 30), 12, [("2026-11-30", "sang"), ("2026-11-30", "chieu")]),
        (datetime(2026, 11, 30, 5, 31), 12, [("2026-11-30", "chieu")]),
        (datetime(2026, 12, 5, 17, 1), 40, [("2026-12-07", "sang")]),  # Sat evening → Monday morning
    ],
)
def test_occurrences_window(start_local: datetime, hours: int, expected: list[tuple[str, str]]) -> None:
    config = load_config(ROOT / "config.yaml")
    start = start_local.replace(tzinfo=HCM).astimezone(UTC)
    found = occurrences(config, start, start + timedelta(hours=hours, seconds=1))
    assert [(o.day.isoformat(), o.slot.id) for o in found] == expected


def ids(candidates: list[Candidate]) -> list[str]:
    return [c.key for c in candidates]


def test_pinned_first_then_priority() -> None:
    scripts = [
        script("a", priority=3),
        script("b", priority=9),
        script("p", priority=1, pinned=True),
        script("c"),
    ]
    chosen, decisions = choose(scripts, day=date(2026, 12, 1), slot_id="sang")
    assert ids(chosen) == ["p", "b", "c", "a"]
    assert decisions == []


def test_validity_slots_and_urgent_filtered() -> None:
    day = date(2026, 12, 1)
    scripts = [
        script("expired", valid_until=date(2026, 11, 30)),
        script("future", valid_from=date(2026, 12, 2)),
        script("today-only", valid_from=day, valid_until=day),
        script("evening", slots=("chieu",)),
        script("urgent", urgent=True, pinned=True),
    ]
    chosen, _ = choose(scripts, day=day, slot_id="sang")
    assert ids(chosen) == ["today-only"]


def test_rotation_skips_scripts_of_last_three_programs() -> None:
    scripts = [script(s, priority=p) for s, p in [("a", 9), ("b", 8), ("c", 7), ("d", 6), ("e", 5)]]
    scripts.append(script("pin", pinned=True))
    recent = [{"pin", "a"}, {"pin", "b"}, {"pin", "c"}, {"pin", "d"}]  # newest first; d is 4 programs ago
    chosen, decisions = choose(scripts, day=date(2026, 12, 1), slot_id="sang", recent=recent)
    assert ids(chosen) == ["pin", "d", "e"]
    assert {(d.script, d.action, d.reason) for d in decisions} == {
        ("a", "skipped", "recently_aired"),
        ("b", "skipped", "recently_aired"),
        ("c", "skipped", "recently_aired"),
    }


def test_rotation_exhausted_repeats_least_recent() -> None:
    scripts = [script("a", priority=9), script("b", priority=1)]
    chosen, decisions = choose(scripts, day=date(2026, 12, 1), slot_id="sang", recent=[{"a"}, {"b"}])
    assert ids(chosen) == ["b"]  # b aired 2 programs ago, a just now
    assert [(d.script, d.action) for d in decisions] == [("a", "skipped"), ("b", "repeated")]


def test_equal_priority_prefers_least_recently_aired() -> None:
    scripts = [script("a"), script("b"), script("c")]
    recent = [set(), set(), set(), {"b"}, {"a"}]  # b aired 4 programs ago, a 5 ago: both outside the window
    chosen, _ = choose(scripts, day=date(2026, 12, 1), slot_id="sang", recent=recent)
    assert ids(chosen) == ["c", "a", "b"]


def test_village_scripts_only_for_given_villages() -> None:
    scripts = [script("nhac-thon", audience="village"), script("chung")]
    chosen, _ = choose(scripts, day=date(2026, 12, 1), slot_id="sang")
    assert ids(chosen) == ["chung"]
    chosen, _ = choose(scripts, day=date(2026, 12, 1), slot_id="sang", villages=["na-pan", "ban-chu"])
    assert ids(chosen) == ["chung", "nhac-thon@na-pan", "nhac-thon@ban-chu"]  # written for one `village`


def test_a_village_script_that_reads_villages_names_them_all_in_one_item() -> None:
    grouped = replace(
        script("nhac-thon", audience="village"), body="{% for v in villages %}{{ v.name }}{% endfor %}"
    )
    chosen, _ = choose([grouped], day=date(2026, 12, 1), slot_id="sang", villages=["na-pan", "ban-chu"])
    assert [(c.script.id, c.villages) for c in chosen] == [("nhac-thon", ("na-pan", "ban-chu"))]
    assert ids(chosen) == ["nhac-thon@na-pan+ban-chu"]


@pytest.mark.parametrize(
    ("durations", "max_s", "kept", "dropped"),
    [
        ({"p": 100, "a": 100, "b": 100}, 304, ["p", "a", "b"], []),  # 300 + 2 gaps of 2 s = 304
        ({"p": 100, "a": 100, "b": 100}, 303, ["p", "b"], ["a"]),  # one second over: drop lowest (a)
        ({"p": 100, "a": 10, "b": 100}, 150, ["p", "a"], ["b"]),  # b does not fit, the shorter a does
        ({"p": 500, "a": 10, "b": 10}, 400, ["a", "b"], ["p"]),  # a pinned item longer than the slot
        ({"p": 100, "a": 100, "b": 100}, 99, [], ["p", "a", "b"]),  # nothing fits
    ],
)
def test_fit_never_exceeds_max_duration(
    durations: dict[str, float], max_s: float, kept: list[str], dropped: list[str]
) -> None:
    candidates = [
        Candidate(script("p", pinned=True, priority=1)),
        Candidate(script("a", priority=3)),
        Candidate(script("b", priority=4)),
    ]
    result, decisions = fit(candidates, durations, max_s, 2.0)
    assert ids(result) == kept
    assert [d.script for d in decisions] == dropped
    assert all(d.reason == "over_duration" for d in decisions)
    total = sum(durations[c.key] for c in result) + 2.0 * max(len(result) - 1, 0)
    assert total <= max_s


def test_lagging_village_hears_its_reminder_in_every_program() -> None:
    scripts = [script("nhac-thon", audience="village", priority=5), script("a", priority=9), script("b")]
    recent = [{"nhac-thon", "a"}, {"nhac-thon", "b"}]  # aired in the last programs: rotation does not apply
    chosen, decisions = choose(
        scripts, day=date(2026, 12, 1), slot_id="sang", recent=recent, villages=["na-pan"]
    )
    assert "nhac-thon@na-pan" in ids(chosen)
    assert all(d.script != "nhac-thon" for d in decisions)


def test_pinned_village_script_goes_to_each_lagging_village_only() -> None:
    scripts = [script("nhac-thon", audience="village", pinned=True), script("a")]
    chosen, _ = choose(scripts, day=date(2026, 12, 1), slot_id="sang", villages=["na-pan", "ban-chu"])
    assert ids(chosen) == ["nhac-thon@na-pan", "nhac-thon@ban-chu", "a"]
    chosen, _ = choose(scripts, day=date(2026, 12, 1), slot_id="sang")
    assert ids(chosen) == ["a"]


def test_drop_detail_is_readable_vietnamese() -> None:
    (decision,) = fit([Candidate(script("a"))], {"a": 20.0}, 16.0, 2.0)[1]
    assert (
        decision.detail == "không đủ chỗ trong 16 giây (bài dài ít nhất 20 giây, chương trình đã có 0 giây)"
    )


def test_fitting_keeps_a_short_item_that_still_fits_after_a_long_one_is_dropped() -> None:
    """The finding: a 27 s priority-6 script was dropped from a program that had room for it."""
    candidates = [
        Candidate(script("tien-do", pinned=True, priority=9)),
        Candidate(script("dai", priority=8)),
        Candidate(script("ngan", priority=6)),
        Candidate(script("vua", priority=7)),
    ]
    durations = {"tien-do": 300.0, "dai": 400.0, "ngan": 27.0, "vua": 200.0}
    kept, decisions = fit(candidates, durations, 900.0, 2.0)
    assert ids(kept) == ["tien-do", "dai", "ngan"]  # airing order kept; vua (200 s) no longer fits
    assert [(d.script, d.action) for d in decisions] == [("vua", "dropped")]


def test_equal_priority_prefers_the_shorter_item_when_only_one_fits() -> None:
    candidates = [Candidate(script("dai")), Candidate(script("ngan"))]
    kept, _ = fit(candidates, {"dai": 60.0, "ngan": 40.0}, 50.0, 2.0)
    assert ids(kept) == ["ngan"]


def test_fill_renders_only_what_can_still_fit_in_rank_order() -> None:
    candidates = [
        Candidate(script("tien-do", pinned=True, priority=9)),
        Candidate(script("a", priority=8)),
        Candidate(script("b", priority=7)),
        Candidate(script("c", priority=6)),
    ]
    estimates = {"tien-do": 100.0, "a": 300.0, "b": 500.0, "c": 20.0}  # lower bounds, before rendering
    real = {"tien-do": 120.0, "a": 400.0, "b": 600.0, "c": 30.0}
    rendered: list[str] = []

    def measure(c: Candidate) -> float:
        rendered.append(c.key)
        return real[c.key]

    kept, decisions = fill(
        candidates, estimate=lambda c: estimates[c.key], measure=measure, max_seconds=600.0, gap_seconds=2.0
    )
    assert rendered == ["tien-do", "a", "c"]  # b (at least 500 s) cannot fit after 522 s: never rendered
    assert ids(kept) == ["tien-do", "a", "c"]
    (dropped,) = decisions
    assert dropped.script == "b" and "ít nhất 500 giây" in dropped.detail


def test_fill_skips_an_item_that_cannot_be_rendered_without_a_drop_decision() -> None:
    candidates = [Candidate(script("hong", priority=9)), Candidate(script("tot", priority=1))]
    kept, decisions = fill(
        candidates,
        estimate=lambda c: 10.0,
        measure=lambda c: None if c.key == "hong" else 10.0,
        max_seconds=60.0,
        gap_seconds=2.0,
    )
    assert ids(kept) == ["tot"] and decisions == []
