"""The template context: the names a script body may use, as plain frozen dataclasses.

Templates read attributes (``{{ coverage.household_rate|percent }}``), so the context holds small value
objects and never a database row or a config model: ``scheduler`` builds these, ``content`` only reads
them. ``sample_context`` gives plausible Lợi Bác figures so ``loa check`` can render every script
before it ever reaches a loudspeaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from content.library import Script

_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_VIETNAM = timezone(timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class CommuneInfo:
    name: str
    province: str


@dataclass(frozen=True)
class CampaignInfo:
    name: str
    start: date
    deadline: date
    days_left: int
    household_target: float
    install_target: float


@dataclass(frozen=True)
class SlotInfo:
    id: str
    time: str
    label: str


@dataclass(frozen=True)
class CoverageInfo:
    """Commune totals; before any village reports, ``reported`` is False and the counts are zero."""

    reported: bool
    households: int
    households_installed: int
    household_rate: float
    smartphone_users: int
    installs: int
    install_rate: float
    villages_total: int
    villages_reported: int
    expected_rate: float


@dataclass(frozen=True)
class VillageInfo:
    id: str
    name: str
    households: int
    smartphone_users: int
    households_installed: int
    installs: int
    household_rate: float
    install_rate: float
    households_missing: int
    expected_rate: float
    reasons: tuple[str, ...]
    unsafe_households: int
    last_report: date | None


@dataclass(frozen=True)
class AlertInfo:
    """An urgent alert; ``issued_at`` is expected in commune local time (it is read aloud)."""

    message: str
    issued_at: datetime
    zones: tuple[str, ...]


def slot_label(time_hhmm: str) -> str:
    """The Vietnamese part of the day a slot airs in, e.g. "buổi sáng" for 05:30."""
    match = _HHMM.fullmatch(time_hhmm.strip())
    if match is None:
        raise ValueError(f"slot time must be HH:MM, got {time_hhmm!r}")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes < 11 * 60:
        return "buổi sáng"
    if minutes < 13 * 60:
        return "buổi trưa"
    if minutes < 18 * 60:
        return "buổi chiều"
    return "buổi tối"


# The names a body may use, and the value each holds (the static checker reads their fields).
CONTEXT_TYPES: dict[str, type] = {
    "commune": CommuneInfo,
    "campaign": CampaignInfo,
    "today": date,
    "slot": SlotInfo,
    "coverage": CoverageInfo,
    "village": VillageInfo,
    "villages": tuple,  # of VillageInfo: every lagging village of the zone
    "alert": AlertInfo,
}


def context_names(*, audience: str = "commune", urgent: bool = False) -> frozenset[str]:
    """The names a script of this kind always sees: ``village`` only in village scripts, ``alert``
    only in the urgent template (``slot`` is None there, but defined)."""
    names = {"commune", "campaign", "today", "slot", "coverage"}
    if audience == "village":
        names |= {"village", "villages"}
    if urgent:
        names.add("alert")
    return frozenset(names)


def template_context(
    *,
    commune: CommuneInfo,
    campaign: CampaignInfo,
    today: date,
    slot: SlotInfo | None,
    coverage: CoverageInfo,
    village: VillageInfo | None = None,
    alert: AlertInfo | None = None,
    villages: tuple[VillageInfo, ...] = (),
) -> dict[str, object]:
    """The names a body sees. ``slot`` is always present (None outside slots, e.g. an alert);
    ``village``, ``villages`` and ``alert`` only when given, so a commune script that uses them fails
    loudly. A village script gets ``villages`` (every lagging village of the zone, for one item that
    names them all) and, when it speaks of a single village, ``village``."""
    context: dict[str, object] = {
        "commune": commune,
        "campaign": campaign,
        "today": today,
        "slot": slot,
        "coverage": coverage,
    }
    if village is not None:
        context["village"] = village
    if villages or village is not None:
        context["villages"] = villages or (village,)
    if alert is not None:
        context["alert"] = alert
    return context


SAMPLE_TODAY = date(2026, 5, 20)
SAMPLE_COMMUNE = CommuneInfo(name="Lợi Bác", province="Lạng Sơn")


def expected_rate(start: date, deadline: date, target: float, day: date) -> float:
    """The linear trajectory from 0 at the start to ``target`` at the deadline (clamped)."""
    span = (deadline - start).days
    if span <= 0:
        return target
    return max(0.0, min(1.0, (day - start).days / span)) * target


def sample_campaign(today: date = SAMPLE_TODAY) -> CampaignInfo:
    start, deadline = date(2026, 2, 10), date(2026, 6, 30)
    return CampaignInfo(
        name="Cài đặt và sử dụng ứng dụng Báo cháy 114",
        start=start,
        deadline=deadline,
        days_left=max(0, (deadline - today).days),
        household_target=1.0,
        install_target=1.0,
    )


def sample_coverage(campaign: CampaignInfo, today: date, *, reported: bool = True) -> CoverageInfo:
    """Commune totals as the police would report them mid-campaign, or the zeros before any report."""
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    if not reported:
        return unreported_coverage(villages_total=14, expected_rate=expected)
    return CoverageInfo(
        reported=True,
        households=2436,
        households_installed=1874,
        household_rate=1874 / 2436,
        smartphone_users=5210,
        installs=3655,
        install_rate=3655 / 5210,
        villages_total=14,
        villages_reported=12,
        expected_rate=expected,
    )


def unreported_coverage(*, villages_total: int, expected_rate: float) -> CoverageInfo:
    """Coverage before the first village report: zeros and ``reported`` False."""
    return CoverageInfo(
        reported=False,
        households=0,
        households_installed=0,
        household_rate=0.0,
        smartphone_users=0,
        installs=0,
        install_rate=0.0,
        villages_total=villages_total,
        villages_reported=0,
        expected_rate=expected_rate,
    )


def sample_village(campaign: CampaignInfo, today: date) -> VillageInfo:
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    return VillageInfo(
        id="na-pan",
        name="Nà Pàn",
        households=142,
        smartphone_users=318,
        households_installed=78,
        installs=151,
        household_rate=78 / 142,
        install_rate=151 / 318,
        households_missing=64,
        expected_rate=expected,
        reasons=("thấp hơn tiến độ kế hoạch",),
        unsafe_households=9,
        last_report=today - timedelta(days=3),
    )


def sample_villages(campaign: CampaignInfo, today: date) -> tuple[VillageInfo, ...]:
    """Two lagging villages of one zone: one with reports, one that has never reported."""
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    silent = VillageInfo(
        id="khon-pau",
        name="Khòn Pẩu",
        households=96,
        smartphone_users=187,
        households_installed=0,
        installs=0,
        household_rate=0.0,
        install_rate=0.0,
        households_missing=96,
        expected_rate=expected,
        reasons=("stale",),
        unsafe_households=0,
        last_report=None,
    )
    return (sample_village(campaign, today), silent)


def sample_context(
    script: Script,
    *,
    commune: CommuneInfo | None = None,
    campaign: CampaignInfo | None = None,
    today: date | None = None,
    reported: bool = True,
) -> dict[str, object]:
    """A full context for test-rendering ``script``; ``reported=False`` gives the before-reports variant."""
    day = today or SAMPLE_TODAY
    campaign = campaign or sample_campaign(day)
    slot = None
    if not script.urgent:
        slot_id = script.slots[0] if script.slots else "sang"
        slot = SlotInfo(id=slot_id, time="05:30", label=slot_label("05:30"))
    alert = None
    if script.urgent:
        alert = AlertInfo(
            message="Hiện đang xảy ra cháy nhà dân tại thôn Nà Pàn. Đề nghị bà con ở gần khẩn trương hỗ trợ "
            "dập lửa, nhường đường cho xe chữa cháy và không tụ tập đông người tại khu vực cháy.",
            issued_at=datetime.combine(day, datetime.min.time(), _VIETNAM).replace(hour=14, minute=20),
            zones=("na-pan",),
        )
    return template_context(
        commune=commune or SAMPLE_COMMUNE,
        campaign=campaign,
        today=day,
        slot=slot,
        coverage=sample_coverage(campaign, day, reported=reported),
        village=sample_village(campaign, day) if script.audience == "village" else None,
        villages=sample_villages(campaign, day) if script.audience == "village" else (),
        alert=alert,
    )
