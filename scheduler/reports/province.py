"""The province's view: each commune's coverage against its trajectory, which communes lag, and what did not
air — rolled up from each commune's own report figures (`figures.compute`), so a commune's line in the
province report is the same number as in its own report.

A commune lags by the same rule shape as a village: its household or install rate is more than the campaign's
`lagging.behind_points` below the plan, or more than `LAGGING_SHARE` of its villages lag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from loa114.scheduler.campaign.rules import EPSILON, HOUSEHOLD_BEHIND, INSTALL_BEHIND
from loa114.scheduler.config import Config
from loa114.scheduler.db.status import Status
from loa114.scheduler.programs.listing import broadcasts_in
from loa114.scheduler.reports.figures import ReportFigures, compute
from loa114.scheduler.reports.periods import period_of
from loa114.scheduler.store import Store

LAGGING_SHARE = 0.3  # more than this share of a commune's villages lagging makes the commune lag
MANY_VILLAGES_BEHIND = "many_villages_behind"
REASON_WORDS = {
    HOUSEHOLD_BEHIND: "tỷ lệ hộ đã cài thấp hơn kế hoạch",
    INSTALL_BEHIND: "tỷ lệ người đã cài thấp hơn kế hoạch",
    MANY_VILLAGES_BEHIND: f"hơn {LAGGING_SHARE:.0%} số thôn chậm tiến độ",
}


@dataclass(frozen=True)
class CommuneLine:
    key: str
    name: str
    households: int
    households_installed: int
    household_rate: float
    expected_rate: float
    installs: int
    smartphone_users: int
    install_rate: float
    expected_install_rate: float
    villages: int
    lagging_villages: int
    scheduled: int
    on_air: int  # aired or published
    missed: int
    failed: int
    reasons: tuple[str, ...]

    @property
    def lagging(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class ProvinceFigures:
    province: str
    period_title: str
    generated_at: datetime
    communes: list[CommuneLine]

    @property
    def lagging(self) -> list[CommuneLine]:
        return [c for c in self.communes if c.lagging]


def commune_line(key: str, config: Config, figures: ReportFigures) -> CommuneLine:
    totals, air = figures.totals, figures.propaganda.total
    villages = figures.villages
    margin = config.campaign.lagging.behind_points / 100 + EPSILON
    expected_install = villages[0].expected_install_rate if villages else 0.0
    install_rate = totals.install_rate
    lagging_villages = sum(1 for v in villages if v.lagging)
    reasons = []
    if totals.reported and totals.household_rate < totals.expected_rate - margin:
        reasons.append(HOUSEHOLD_BEHIND)
    if totals.reported and install_rate < expected_install - margin:
        reasons.append(INSTALL_BEHIND)
    if villages and lagging_villages / len(villages) > LAGGING_SHARE + EPSILON:
        reasons.append(MANY_VILLAGES_BEHIND)
    return CommuneLine(
        key=key,
        name=config.commune.name,
        households=totals.households,
        households_installed=totals.households_installed,
        household_rate=totals.household_rate,
        expected_rate=totals.expected_rate,
        installs=totals.installs,
        smartphone_users=totals.smartphone_users,
        install_rate=install_rate,
        expected_install_rate=expected_install,
        villages=len(villages),
        lagging_villages=lagging_villages,
        scheduled=air.scheduled,
        on_air=air.confirmed + air.played + air.unconfirmed,
        missed=air.missed,
        failed=air.failed,
        reasons=tuple(reasons),
    )


def roll_up(
    province: str, communes: Iterable[tuple[str, Config, Store]], kind: str, day: date, now: datetime
) -> ProvinceFigures:
    """Every commune's line for the period of `kind` holding `day`: what `loa province`, the province page
    and `GET /api/v1/province` all show, computed one way. The communes share the campaign's calendar, so
    the last commune's period names the report."""
    lines, title = [], ""
    for key, config, store in communes:
        period = period_of(kind, day, config)
        lines.append(commune_line(key, config, compute(config, store, period, now)))
        title = period.title
    return ProvinceFigures(province, title, now, lines)


NOT_AIRED = (Status.FAILED.value, Status.MISSED.value)  # what the province follows up across communes


def not_aired(
    communes: Iterable[tuple[str, Config, Store]], statuses: Iterable[str], days: int, now: datetime
) -> list[dict[str, Any]]:
    """The broadcasts of the last `days` days (each commune's dates, today included) in one of `statuses`,
    every commune's together, latest first; each row as `loa broadcasts list --json` shows it, with the
    commune's name beside its key."""
    chosen = list(statuses)
    rows: list[dict[str, Any]] = []
    for _key, config, store in communes:
        today = now.astimezone(config.tz).date()
        found = broadcasts_in(config, store.db, today - timedelta(days=days - 1), today, chosen, now)
        rows.extend({**row, "commune_name": config.commune.name} for row in found)
    rows.sort(key=lambda r: datetime.fromisoformat(r["airtime"]), reverse=True)
    return rows


HEADER = [
    "Xã", "Số hộ", "Hộ đã cài", "Tỷ lệ hộ", "Kế hoạch", "Người đã cài", "Người dùng điện thoại thông minh",
    "Tỷ lệ người", "Số thôn", "Thôn chậm", "Buổi phát", "Đã phát", "Bị lỡ", "Lỗi", "Đánh giá",
]  # fmt: skip


def _row(c: CommuneLine) -> list[Any]:
    verdict = "; ".join(REASON_WORDS[r] for r in c.reasons) if c.lagging else "đạt"
    return [
        c.name, c.households, c.households_installed, c.household_rate, c.expected_rate, c.installs,
        c.smartphone_users, c.install_rate, c.villages, c.lagging_villages, c.scheduled, c.on_air, c.missed,
        c.failed, verdict,
    ]  # fmt: skip


def to_json(figures: ProvinceFigures) -> dict[str, Any]:
    return {
        "province": figures.province,
        "period": figures.period_title,
        "generated_at": figures.generated_at.isoformat(timespec="seconds"),
        "communes": [
            {
                **{k: v for k, v in c.__dict__.items() if k != "reasons"},
                "reasons": list(c.reasons),
                "lagging": c.lagging,
            }
            for c in figures.communes
        ],
        "lagging": [c.key for c in figures.lagging],
    }


def to_xlsx(figures: ProvinceFigures) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Các xã"
    sheet.append([f"Kết quả triển khai Báo cháy 114 — tỉnh {figures.province} — {figures.period_title}"])
    sheet.append(HEADER)
    for line in figures.communes:
        sheet.append(_row(line))
    for row in sheet.iter_rows(min_row=3, min_col=4, max_col=8):
        for cell in row:
            if cell.column in (4, 5, 8):
                cell.number_format = "0.0%"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def to_docx(figures: ProvinceFigures, issuer: str, place: str, on: date) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    top = document.add_paragraph()
    top.add_run(issuer.upper()).bold = True
    top.add_run("\t\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\t\t\tĐộc lập - Tự do - Hạnh phúc").bold = True
    date_line = document.add_paragraph(f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}")
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("BÁO CÁO TỔNG HỢP\n").bold = True
    title.add_run(f"Kết quả triển khai ứng dụng “Báo cháy 114” các xã — {figures.period_title}")
    lagging = ", ".join(c.name for c in figures.lagging) or "không có"
    document.add_paragraph(f"Số xã: {len(figures.communes)}; xã chậm tiến độ: {lagging}.")
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for line in figures.communes:
        cells = table.add_row().cells
        for cell, value in zip(cells, _row(line), strict=True):
            cell.text = f"{value:.1%}".replace(".", ",") if isinstance(value, float) else str(value)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
