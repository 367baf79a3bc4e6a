"""`loa province`: every commune of the province file side by side — coverage against the plan, lagging
communes, what did not air — as a table, or a roll-up report in JSON, XLSX or DOCX."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from loa114.scheduler.cli.options import options, parse_date
from loa114.scheduler.cli.reports import DayInPeriod, PeriodOption
from loa114.scheduler.cli.tables import table
from loa114.scheduler.errors import InputError

FORMATS = ("table", "json", "xlsx", "docx")


def province(
    ctx: typer.Context,
    *,
    period: PeriodOption = "week",
    day: DayInPeriod = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table (in ra màn hình), json, xlsx hoặc docx.")
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Tệp sẽ ghi (json, xlsx, docx).")
    ] = None,
) -> None:
    """Tổng hợp các xã trong tỉnh: tỷ lệ cài đặt so với kế hoạch, xã chậm tiến độ, buổi phát bị lỡ."""
    from loa114.scheduler.db.engine import Engines
    from loa114.scheduler.files import write_atomic
    from loa114.scheduler.reports import province as rollup
    from loa114.scheduler.store import Store

    if fmt not in FORMATS:
        raise InputError(f"--format: không có định dạng '{fmt}'; chọn {', '.join(FORMATS)}")
    if fmt != "table" and (output is None or output.suffix.lower() != f".{fmt}"):
        raise InputError(f"-o/--output: cần một tệp có đuôi .{fmt} (đúng với --format {fmt})")
    opts = options(ctx)
    communes = opts.province().communes
    first = next(iter(communes.values()))
    now = opts.clock().now()
    today = parse_date(day, "--date", now.astimezone(first.tz).date())
    engines = Engines()
    try:
        stores = [
            (
                key,
                config,
                Store.open(engines.database(config.database.url, config.database.schema_name).migrate()),
            )
            for key, config in communes.items()
        ]
        figures = rollup.roll_up(opts.province().name, stores, period, today, now)
    finally:
        engines.dispose()
    lines = figures.communes
    if fmt == "table":
        rows = [
            (c.name, f"{c.household_rate:.0%}", f"{c.expected_rate:.0%}", f"{c.lagging_villages}/{c.villages}",
             f"{c.on_air}/{c.scheduled}", c.missed + c.failed, "chậm" if c.lagging else "đạt")
            for c in figures.communes
        ]  # fmt: skip
        headers = ["xã", "tỷ lệ hộ", "kế hoạch", "thôn chậm", "đã phát", "lỡ/lỗi", "đánh giá"]
        typer.echo(table(headers, rows))
        lagging = ", ".join(c.name for c in figures.lagging) or "không có"
        typer.echo(f"{figures.period_title}: {len(lines)} xã; chậm tiến độ: {lagging}.")
        return
    assert output is not None
    if fmt == "json":
        data = json.dumps(rollup.to_json(figures), ensure_ascii=False, indent=2).encode("utf-8")
    elif fmt == "xlsx":
        data = rollup.to_xlsx(figures)
    else:
        issuer = f"Công an tỉnh {figures.province}"
        data = rollup.to_docx(figures, issuer, figures.province, now.astimezone(first.tz).date())
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise InputError(f"-o/--output: không ghi được {output}: {exc.strerror or exc}") from None
    typer.echo(f"Đã ghi báo cáo tổng hợp {figures.period_title} của {len(lines)} xã vào {output}.")
