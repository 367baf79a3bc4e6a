"""The coverage page's pictures, drawn on the server as SVG: no chart library, no JavaScript, and the
page still shows them on an old office PC with scripts off.

`village_chart` turns a village's trajectory (`campaign.trajectory`) into coordinates: x is the campaign
from its start (left) to its deadline (right), y the share of households with the app (0 % at the bottom).
The template `_charts.html` only writes these numbers into `<path>` and `<circle>` elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loa114.scheduler.campaign.trajectory import Trajectory, expected_line
from loa114.scheduler.config import Campaign

WIDTH, HEIGHT = 320, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 8, 24  # margins for the axis labels
GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str  # "30/11/2026: 42,3 % (60 hộ)", shown on hover and read by screen readers


@dataclass(frozen=True)
class VillageChart:
    village_id: str
    name: str
    width: int
    height: int
    path: str  # "M x y L x y …" through the reports in date order; "" before the first report
    dots: tuple[Dot, ...]
    plan: str  # the planned line from (start, 0 %) to (deadline, target)
    today_x: float
    grid: tuple[tuple[float, str], ...]  # (y, "50 %")
    first_label: str  # the campaign's start and deadline under the x axis
    last_label: str
    summary: str  # the chart in one sentence (its aria-label)


def percent(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",") + " %"


class _Scale:
    def __init__(self, campaign: Campaign) -> None:
        self.start, self.span = campaign.start, max((campaign.deadline - campaign.start).days, 1)

    def x(self, day: date) -> float:
        share = min(max((day - self.start).days / self.span, 0.0), 1.0)
        return round(LEFT + share * (WIDTH - LEFT - RIGHT), 1)

    @staticmethod
    def y(rate: float) -> float:
        share = min(max(rate, 0.0), 1.0)
        return round(HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM), 1)


def village_chart(trajectory: Trajectory, campaign: Campaign, day: date) -> VillageChart:
    """The chart of one village up to `day` (the points are the stored reports, oldest first)."""
    scale = _Scale(campaign)
    dots = tuple(
        Dot(
            scale.x(p.day),
            scale.y(p.household_rate),
            f"{p.day:%d/%m/%Y}: {percent(p.household_rate)} ({p.households_installed} hộ)",
        )
        for p in trajectory.points
    )
    path = " ".join(f"{'M' if i == 0 else 'L'} {d.x} {d.y}" for i, d in enumerate(dots))
    (start, zero), (deadline, target) = expected_line(campaign)
    plan = f"M {scale.x(start)} {scale.y(zero)} L {scale.x(deadline)} {scale.y(target)}"
    last = trajectory.points[-1] if trajectory.points else None
    summary = (
        f"Thôn {trajectory.name}: {len(dots)} lần báo cáo, lần gần nhất {last.day:%d/%m/%Y} đạt "
        f"{percent(last.household_rate)} số hộ; kế hoạch {percent(target)} đến {deadline:%d/%m/%Y}."
        if last
        else f"Thôn {trajectory.name}: chưa có báo cáo nào."
    )
    return VillageChart(
        village_id=trajectory.village_id,
        name=trajectory.name,
        width=WIDTH,
        height=HEIGHT,
        path=path,
        dots=dots,
        plan=plan,
        today_x=scale.x(day),
        grid=tuple((scale.y(g), f"{g * 100:.0f} %") for g in GRID),
        first_label=f"{start:%d/%m}",
        last_label=f"{deadline:%d/%m/%Y}",
        summary=summary,
    )


def bar(rate: float, expected: float) -> tuple[float, float]:
    """A progress bar's filled width and the plan's mark, both on a 0–100 scale (an SVG's viewBox)."""
    return round(min(max(rate, 0.0), 1.0) * 100, 1), round(min(max(expected, 0.0), 1.0) * 100, 1)
