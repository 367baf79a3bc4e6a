"""`loa report`: the police's periodic report as DOCX, XLSX or JSON, from what the service recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from loa114.scheduler.cli.options import options, parse_date
from loa114.scheduler.errors import InputError

FORMATS = ("docx", "xlsx", "json")
PeriodOption = Annotated[str, typer.Option("--period", help="week (tuần), month (tháng) hoặc campaign.")]
DayInPeriod = Annotated[
    str | None,
    typer.Option("--date", help="Một ngày trong kỳ (31/12/2026 hoặc 2026-12-31); mặc định hôm nay."),
]


def report(
    ctx: typer.Context,
    *,
    period: PeriodOption = "month",
    day: DayInPeriod = None,
    fmt: Annotated[str, typer.Option("--format", help="docx, xlsx hoặc json.")] = "docx",
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp sẽ ghi.", show_default=False)],
) -> None:
    """Viết báo cáo kết quả triển khai ứng dụng Báo cháy 114 (tuần, tháng hoặc cả chiến dịch)."""
    from loa114.scheduler.events import EventLog
    from loa114.scheduler.files import write_atomic
    from loa114.scheduler.reports.figures import compute
    from loa114.scheduler.reports.heading import heading_of
    from loa114.scheduler.reports.notes import notes_of
    from loa114.scheduler.reports.periods import period_of
    from loa114.scheduler.store import Store

    if fmt not in FORMATS:
        raise InputError(f"--format: không có định dạng '{fmt}'; chọn docx, xlsx hoặc json")
    if output.suffix.lower() != f".{fmt}":
        raise InputError(f"-o/--output: tệp {output.name} phải có đuôi .{fmt} (đúng với --format {fmt})")
    opts = options(ctx)
    config, now = opts.config(), opts.clock().now()
    chosen = period_of(period, parse_date(day, "--date", now.astimezone(config.tz).date()), config)
    store = Store.open(opts.database(), EventLog())
    # sections IV and V as the police wrote them on the web (IV: else the villages' own words)
    figures, notes = compute(config, store, chosen, now), notes_of(store, chosen)
    if fmt == "json":
        from loa114.scheduler.reports.writers import to_json

        data = json.dumps(
            to_json(figures, notes.difficulties, notes.proposals), ensure_ascii=False, indent=2
        ).encode("utf-8")
    elif fmt == "xlsx":
        from loa114.scheduler.reports.xlsx import to_xlsx

        data = to_xlsx(figures, notes.difficulties, notes.proposals)
    else:
        from loa114.scheduler.reports.docx import to_docx

        data = to_docx(figures, heading_of(config), notes.difficulties, notes.proposals)
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise InputError(f"-o/--output: không ghi được {output}: {exc.strerror or exc}") from None
    typer.echo(f"Đã ghi báo cáo {chosen.title} vào {output}.")
