"""The lagging rules at their boundaries, with explicit dates (campaign 2026-02-10 → 2026-12-31, 324 days)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from loa114.scheduler.campaign.rules import Latest, commune_totals, evaluate, progress
from loa114.scheduler.config import Campaign, Village

CAMPAIGN = Campaign.model_validate(
    {
        "name": "x",
        "start": "2026-02-10",
        "deadline": "2026-12-31",
        "lagging": {"behind_points": 10, "stale_days": 7},
    }
)
VILLAGE = Village(id="na-pan", name="Nà Pàn", households=100, smartphone_users=200, zone="z")
SPAN = (CAMPAIGN.deadline - CAMPAIGN.start).days


def day_at(share: float) -> date:
    return CAMPAIGN.start + timedelta(days=round(share * SPAN))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 1), 0.0),  # before the start: clamped
        (date(2026, 2, 10), 0.0),
        (date(2026, 2, 10) + timedelta(days=162), 0.5),
        (date(2026, 12, 31), 1.0),
        (date(2027, 3, 1), 1.0),  # after the deadline: clamped
    ],
)
def test_progress_is_linear_and_clamped(day: date, expected: float) -> None:
    assert progress(CAMPAIGN, day) == pytest.approx(expected)


def report(day: date, households: int, installs: int, users: int | None = None) -> Latest:
    return Latest(day=day, households_installed=households, installs=installs, smartphone_users=users)


def test_household_rate_boundary() -> None:
    day = day_at(0.5)  # expected 50 %, threshold 40 %
    at_threshold = evaluate(VILLAGE, report(day, 40, 80), CAMPAIGN, day)
    assert at_threshold.household_rate == 0.4 and "household_behind" not in at_threshold.reasons
    below = evaluate(VILLAGE, report(day, 39, 80), CAMPAIGN, day)
    assert below.reasons == ("household_behind",)


def test_install_rate_uses_updated_estimate() -> None:
    day = day_at(0.5)
    assert evaluate(VILLAGE, report(day, 50, 79), CAMPAIGN, day).reasons == (
        "install_behind",
    )  # 79/200 < 40 %
    updated = evaluate(VILLAGE, report(day, 50, 79, users=150), CAMPAIGN, day)  # 79/150 = 52.7 %
    assert updated.reasons == () and updated.smartphone_users == 150


@pytest.mark.parametrize(("age", "stale"), [(0, False), (7, False), (8, True)])
def test_stale_after_more_than_stale_days(age: int, stale: bool) -> None:
    day = day_at(0.5)
    result = evaluate(VILLAGE, report(day - timedelta(days=age), 90, 190), CAMPAIGN, day)
    assert ("stale" in result.reasons) is stale
    assert result.last_report == day - timedelta(days=age)


@pytest.mark.parametrize(("days_in", "reasons"), [(0, ()), (7, ()), (8, ("stale",)), (200, ("stale",))])
def test_never_reported(days_in: int, reasons: tuple[str, ...]) -> None:
    day = CAMPAIGN.start + timedelta(days=days_in)
    result = evaluate(VILLAGE, None, CAMPAIGN, day)
    assert result.reasons == reasons  # unknown rates are not 0 %: never "behind", only silent (stale)
    assert not result.reported


def test_all_reasons_together() -> None:
    day = day_at(0.9)
    result = evaluate(VILLAGE, report(day - timedelta(days=20), 10, 20), CAMPAIGN, day)
    assert result.reasons == ("household_behind", "install_behind", "stale")
    assert result.households_missing == 90


def test_custom_targets() -> None:
    campaign = CAMPAIGN.model_copy(
        update={"targets": CAMPAIGN.targets.model_copy(update={"household_rate": 0.8})}
    )
    day = day_at(1.0)  # expected 80 %, threshold 70 %
    assert evaluate(VILLAGE, report(day, 70, 200), campaign, day).reasons == ()
    assert evaluate(VILLAGE, report(day, 69, 200), campaign, day).reasons == ("household_behind",)


def test_commune_totals() -> None:
    day = day_at(0.5)
    other = Village(id="ban-chu", name="Bản Chu", households=50, smartphone_users=100, zone="z")
    villages = [evaluate(VILLAGE, report(day, 60, 120), CAMPAIGN, day), evaluate(other, None, CAMPAIGN, day)]
    totals = commune_totals(villages, CAMPAIGN, day)
    assert (totals.households, totals.households_installed, totals.installs) == (150, 60, 120)
    assert totals.household_rate == pytest.approx(0.4)
    assert (totals.reported, totals.villages_reported, totals.villages_total) == (True, 1, 2)
    assert totals.expected_rate == pytest.approx(162 / 324)  # half-way through the campaign
