"""The template context: the names a script body may use, as plain frozen dataclasses.

Templates read attributes (``{{ coverage.household_rate|percent }}``), so the context holds small value
objects and never a database row or a config model: ``scheduler`` builds these, ``content`` only reads
them. ``sample_context`` gives plausible Lợi Bác figures so ``loa check`` can render every script
before it ever reaches a loudspeaker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from loa114.content.library import Script

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
    """Commune totals (`commune_totals` of the villages); ``reported`` is False until a village reports."""

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
class VillageCoverage:
    """One village's coverage figures on a date — the one shape the lagging rules decide on and the
    templates, notices and command line show. Rates are 0 while `last_report` is None: unknown, not zero
    (`reported` tells), so a text says "chưa có số liệu" then, never "0%"."""

    id: str
    name: str
    households: int
    smartphone_users: int
    households_installed: int
    installs: int
    household_rate: float
    install_rate: float
    expected_rate: float  # share of households the plan expects by this date (the linear trajectory)
    expected_install_rate: float  # share of smartphone users the plan expects by this date
    reasons: tuple[str, ...]  # why it lags ("household_behind", "install_behind", "stale"); none: on track
    unsafe_households: int
    last_report: date | None
    households_missing: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "households_missing", max(self.households - self.households_installed, 0))

    @property
    def lagging(self) -> bool:
        return bool(self.reasons)

    @property
    def reported(self) -> bool:
        return self.last_report is not None


def commune_totals(villages: Sequence[VillageCoverage], *, expected_rate: float) -> CoverageInfo:
    """The commune's figures from its villages' (`reported`: some village has reported)."""
    households = sum(v.households for v in villages)
    installed = sum(v.households_installed for v in villages)
    users = sum(v.smartphone_users for v in villages)
    installs = sum(v.installs for v in villages)
    reported = sum(1 for v in villages if v.reported)
    return CoverageInfo(
        reported=reported > 0,
        households=households,
        households_installed=installed,
        household_rate=installed / households if households else 0.0,
        smartphone_users=users,
        installs=installs,
        install_rate=installs / users if users else 0.0,
        villages_total=len(villages),
        villages_reported=reported,
        expected_rate=expected_rate,
    )


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
    "village": VillageCoverage,
    "villages": tuple,  # of VillageCoverage: every lagging village of the zone
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
    village: VillageCoverage | None = None,
    alert: AlertInfo | None = None,
    villages: tuple[VillageCoverage, ...] = (),
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
    """Commune totals as the police would report them mid-campaign (14 villages, 12 reporting), or before
    any report (the same villages, nothing known yet)."""
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    villages = []
    for n in range(1, 15):  # 2,436 households, 5,210 smartphone users; 1,874 and 3,655 installed so far
        reporting = reported and n <= 12
        installed, installs = (158, 300) if n == 1 else (156, 305)
        users = 374 if n == 1 else 372
        counts = (174, users, installed, installs) if reporting else (174, users, 0, 0)
        village = _sample(
            f"thon-{n}", f"Thôn {n}", counts, expected, last_report=today if reporting else None
        )
        villages.append(village)
    return commune_totals(villages, expected_rate=expected)


def _sample(
    village_id: str,
    name: str,
    counts: tuple[int, int, int, int],
    expected: float,
    *,
    last_report: date | None,
    reasons: tuple[str, ...] = (),
    unsafe: int = 0,
) -> VillageCoverage:
    """A made-up village from (households, smartphone users, households installed, installs)."""
    households, users, installed, installs = counts
    return VillageCoverage(
        id=village_id,
        name=name,
        households=households,
        smartphone_users=users,
        households_installed=installed,
        installs=installs,
        household_rate=installed / households,
        install_rate=installs / users,
        expected_rate=expected,
        expected_install_rate=expected,
        reasons=reasons,
        unsafe_households=unsafe,
        last_report=last_report,
    )


def sample_village(campaign: CampaignInfo, today: date) -> VillageCoverage:
    """A village that reported three days ago and lags: what a village script is checked with."""
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    return _sample(
        "na-pan",
        "Nà Pàn",
        (142, 318, 78, 151),
        expected,
        last_report=today - timedelta(days=3),
        reasons=("household_behind",),
        unsafe=9,
    )


def sample_villages(campaign: CampaignInfo, today: date) -> tuple[VillageCoverage, ...]:
    """Two lagging villages of one zone: one with reports, one that has never reported."""
    expected = expected_rate(campaign.start, campaign.deadline, campaign.household_target, today)
    silent = _sample("khon-pau", "Khòn Pẩu", (96, 187, 0, 0), expected, last_report=None, reasons=("stale",))
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
