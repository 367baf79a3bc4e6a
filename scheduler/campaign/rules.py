"""Coverage and lagging — the exact rules of the campaign (README "Coverage rules"); pure functions.

household_rate = households_installed / households
install_rate   = installs / smartphone_users
expected(d)    = target × clamp((d − start) / (deadline − start), 0, 1)
lagging on d   : household_rate < expected_rate         − behind_points/100  → "household_behind"
                 install_rate   < expected_install_rate − behind_points/100  → "install_behind"
                 latest report older than stale_days days, or none and the
                 campaign started more than stale_days days ago            → "stale"
A village that has never reported has unknown rates (not 0 %): only "stale" can apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loa114.content.context import CoverageInfo, VillageCoverage
from loa114.content.context import commune_totals as totals_of
from loa114.content.context import expected_rate as linear_expected_rate
from loa114.scheduler.config import Campaign, Village

HOUSEHOLD_BEHIND = "household_behind"
INSTALL_BEHIND = "install_behind"
STALE = "stale"
# how the command line and the web name each reason, briefly ("đạt" when none)
REASON_WORDS = {
    HOUSEHOLD_BEHIND: "hộ chậm",
    INSTALL_BEHIND: "người dùng chậm",
    STALE: "lâu chưa báo cáo",
}
EPSILON = 1e-9  # 0.8 - 0.1 is 0.7000000000000001 in floating point; a rate exactly on the line is not behind


@dataclass(frozen=True, slots=True)
class Latest:
    """The figures that count for a village on a date: its latest report on or before it."""

    day: date
    households_installed: int
    installs: int
    smartphone_users: int | None  # latest estimate given on or before the date, if any
    unsafe_households: int = 0


def explain(reason: str, campaign: Campaign) -> str:
    """A reason in a sentence a village head understands, with the campaign's own thresholds."""
    points = f"{campaign.lagging.behind_points:g}".replace(".", ",")
    return {
        HOUSEHOLD_BEHIND: f"tỷ lệ hộ đã cài thấp hơn mức kế hoạch quá {points} điểm phần trăm",
        INSTALL_BEHIND: f"tỷ lệ người đã cài thấp hơn mức kế hoạch quá {points} điểm phần trăm",
        STALE: f"quá {campaign.lagging.stale_days} ngày chưa gửi báo cáo",
    }.get(reason, reason)


def progress(campaign: Campaign, day: date) -> float:
    """Share of the campaign's time elapsed on `day`, clamped to [0, 1] (the one linear trajectory,
    shared with the templates' `expected_rate`)."""
    return linear_expected_rate(campaign.start, campaign.deadline, 1.0, day)


def rate(part: int, whole: int) -> float:
    return part / whole if whole > 0 else 0.0


def evaluate(village: Village, latest: Latest | None, campaign: Campaign, day: date) -> VillageCoverage:
    share = progress(campaign, day)
    expected_household = campaign.targets.household_rate * share
    expected_install = campaign.targets.install_rate * share
    margin = campaign.lagging.behind_points / 100 + EPSILON
    stale_days = campaign.lagging.stale_days

    installed = latest.households_installed if latest else 0
    installs = latest.installs if latest else 0
    users = (
        latest.smartphone_users
        if latest and latest.smartphone_users is not None
        else village.smartphone_users
    )
    household_rate = rate(installed, village.households)
    install_rate = rate(installs, users)

    reasons = []
    if latest is not None and household_rate < expected_household - margin:
        reasons.append(HOUSEHOLD_BEHIND)
    if latest is not None and install_rate < expected_install - margin:
        reasons.append(INSTALL_BEHIND)
    if latest is not None:
        if (day - latest.day).days > stale_days:
            reasons.append(STALE)
    elif (day - campaign.start).days > stale_days:
        reasons.append(STALE)
    return VillageCoverage(
        id=village.id,
        name=village.name,
        households=village.households,
        households_installed=installed,
        household_rate=household_rate,
        smartphone_users=users,
        installs=installs,
        install_rate=install_rate,
        expected_rate=expected_household,
        expected_install_rate=expected_install,
        last_report=latest.day if latest else None,
        unsafe_households=latest.unsafe_households if latest else 0,
        reasons=tuple(reasons),
    )


def commune_totals(villages: list[VillageCoverage], campaign: Campaign, day: date) -> CoverageInfo:
    """The commune's figures as templates and reports read them (`reported`: some village has reported)."""
    return totals_of(villages, expected_rate=campaign.targets.household_rate * progress(campaign, day))
