"""The pieces under the campaign pages: the SVG geometry of a village's trajectory, and a form entry
checked by the importer's rules."""

from __future__ import annotations

from datetime import date

from loa114.scheduler.campaign.entry import MISSING, NO_DAY, check_entry
from loa114.scheduler.campaign.trajectory import Point, Trajectory
from loa114.scheduler.config import Campaign, Village
from loa114.scheduler.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, bar, village_chart

CAMPAIGN = Campaign(name="Báo cháy 114", start=date(2026, 2, 10), deadline=date(2026, 12, 31))
VILLAGES = [Village(id="na-pan", name="Nà Pàn", households=142, smartphone_users=318, zone="trung-tam")]
TODAY = date(2026, 11, 30)


def _trajectory(*points: tuple[date, int]) -> Trajectory:
    return Trajectory("na-pan", "Nà Pàn", 100, tuple(Point(d, n, n / 100) for d, n in points))


def test_chart_points_follow_the_reports_and_the_plan_spans_the_campaign() -> None:
    chart = village_chart(
        _trajectory((date(2026, 3, 1), 10), (date(2026, 6, 1), 40), (date(2026, 11, 1), 90)), CAMPAIGN, TODAY
    )
    xs, ys = [d.x for d in chart.dots], [d.y for d in chart.dots]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)  # later to the right, higher rate higher up
    assert chart.path == " ".join(f"{'M' if i == 0 else 'L'} {d.x} {d.y}" for i, d in enumerate(chart.dots))
    assert chart.plan == f"M {LEFT}.0 {HEIGHT - BOTTOM}.0 L {WIDTH - RIGHT}.0 {TOP}.0"  # 0 % → 100 % target
    assert chart.dots[1].title == "01/06/2026: 40,0 % (40 hộ)"
    assert LEFT < chart.today_x < WIDTH - RIGHT and "3 lần báo cáo" in chart.summary


def test_chart_without_reports_and_days_outside_the_campaign() -> None:
    empty = village_chart(_trajectory(), CAMPAIGN, TODAY)
    assert empty.path == "" and empty.dots == () and "chưa có báo cáo" in empty.summary
    early = village_chart(_trajectory((date(2026, 1, 1), 5)), CAMPAIGN, date(2027, 3, 1))
    assert early.dots[0].x == LEFT and early.today_x == WIDTH - RIGHT  # clamped to the axes
    assert bar(1.3, -0.2) == (100.0, 0.0) and bar(0.4567, 0.5) == (45.7, 50.0)


def test_entry_has_the_importers_messages_on_their_fields() -> None:
    blank = check_entry(VILLAGES, "na-pan", {}, TODAY)
    assert blank.report is None
    assert blank.errors == {"day": NO_DAY, "households_installed": MISSING, "installs": MISSING}
    fields = {"day": "2026-11-30", "households_installed": 150, "installs": "1.250", "smartphone_users": "x"}
    wrong = check_entry(VILLAGES, "na-pan", fields, TODAY)
    assert wrong.errors == {
        "households_installed": "150 lớn hơn số hộ của thôn Nà Pàn (142)",
        "smartphone_users": "phải là số nguyên, không phải 'x'",
    }
    ok = check_entry(
        VILLAGES, "na-pan", {**fields, "households_installed": "100", "smartphone_users": ""}, TODAY
    )
    assert ok.report is not None and (ok.report.installs, ok.report.smartphone_users) == (1250, None)
    assert "lớn hơn số người dùng điện thoại thông minh" in ok.warnings["installs"]  # 1250 > 318: a warning
