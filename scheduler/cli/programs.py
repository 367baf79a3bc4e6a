"""`loa program build`, `loa broadcasts list`, `loa alert`, `loa cleanup`: programs and what aired."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from loa114.scheduler.cli.options import open_station, options, parse_date
from loa114.scheduler.cli.tables import minutes

program_app = typer.Typer(no_args_is_help=True, help="Dựng chương trình phát thanh.")
broadcasts_app = typer.Typer(no_args_is_help=True, help="Xem các buổi phát.")


@program_app.command("build")
def program_build(
    ctx: typer.Context,
    *,
    day: Annotated[
        str | None, typer.Option("--date", help="Ngày đầu (31/12/2026 hoặc 2026-12-31), mặc định hôm nay.")
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="Số ngày.")] = 1,
    slot: Annotated[str | None, typer.Option("--slot", help="Chỉ một khung giờ.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Dựng lại cả những chương trình đã cập nhật.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Đưa chương trình các khung giờ lên mới nhất: dựng cái còn thiếu, dựng lại cái có đầu vào đã đổi
    (nói rõ vì sao); in ra những gì đã ghi."""
    from loa114.scheduler.cli.tables import dumps, table
    from loa114.scheduler.programs.outcomes import status_word

    opts = options(ctx)
    now = opts.clock().now()
    station = open_station(opts)
    first = parse_date(day, "--date", now.astimezone(station.config.tz).date())
    results = station.build_days(first, days, now, slot, force=force)
    zones = {z.id: z.name for z in station.config.zones}
    rows: list[dict[str, Any]] = [
        {
            "date": r.day.isoformat(),
            "slot": r.slot,
            "zone": r.zone,
            "status": r.status,
            "built": r.built,
            "folder": str(r.folder) if r.folder else None,
            "items": r.items,
            "duration_s": round(r.duration_s, 1),
            "offline_items": r.offline_items,
            "error": r.error,
            "why": list(r.why),
        }
        for r in results
    ]
    if as_json:
        typer.echo(dumps(rows))
        return
    headers = ["ngày", "khung", "cụm loa", "trạng thái", "số bài", "thời lượng", "thư mục / ghi chú"]
    typer.echo(
        table(
            headers,
            [
                (
                    r["date"],
                    r["slot"],
                    zones.get(r["zone"], r["zone"]),
                    status_word(r["status"]),
                    r["items"] or "",
                    minutes(r["duration_s"]),
                    _note(r),
                )
                for r in rows
            ],
        )
    )


def _note(row: dict[str, Any]) -> str:
    """What happened to one program: where it was written and why, or why it was left alone."""
    if row["built"]:
        return f"{row['folder']}" + (f" — dựng lại: {'; '.join(row['why'])}" if row["why"] else "")
    if row["error"]:
        return str(row["error"])
    return "đã cập nhật, không cần dựng lại" if row["status"] == "ready" else ""


@broadcasts_app.command("list")
def broadcasts_list(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="Ngày (31/12/2026 hoặc 2026-12-31), mặc định hôm nay.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Các buổi phát của một ngày: giờ phát, trạng thái, độ trễ."""
    from loa114.scheduler.cli.tables import dumps, table
    from loa114.scheduler.programs.listing import broadcasts_on
    from loa114.scheduler.programs.outcomes import status_word

    opts = options(ctx)
    now = opts.clock().now()
    config = opts.config()
    rows = broadcasts_on(
        config, opts.database(), parse_date(day, "--date", now.astimezone(config.tz).date()), now
    )
    if as_json:
        typer.echo(dumps(rows))
        return
    headers = ["giờ phát", "khung", "cụm loa", "trạng thái", "số bài", "thời lượng", "trễ (giây)", "ghi chú"]
    typer.echo(
        table(
            headers,
            [
                (
                    r["airtime"][11:16],
                    r["slot"],
                    r["zone_name"],
                    status_word("overdue" if r["overdue"] else r["status"]),
                    r["items"],
                    minutes(r["duration_s"]),
                    "" if r["lateness_s"] is None else f"{r['lateness_s']:.1f}",
                    r["error"] or "",
                )
                for r in rows
            ],
        )
    )


def alert(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Nội dung thông báo khẩn.")],
    zones: Annotated[
        str | None, typer.Option("--zones", help="Các cụm loa, cách nhau bởi dấu phẩy (mặc định: tất cả).")
    ] = None,
) -> None:
    """Phát ngay một thông báo khẩn (cháy, bão...) trên các cụm loa đã chọn."""
    from loa114.scheduler.programs.airing import AirResult

    opts = options(ctx)
    station = open_station(opts)
    chosen = [z.strip() for z in zones.split(",") if z.strip()] if zones else None
    clock = opts.clock()
    with station.running(clock.now, role="cli"):  # a `loa serve` alongside sees this command is alive
        outcomes = station.alert(text, chosen, clock.now())
    failed = False
    verbs = {"aired": "Đã phát", "published": "Đã đưa ra thư mục phát (chờ phát, chờ xác nhận)"}
    for outcome in outcomes:
        if isinstance(outcome, AirResult):
            verb = verbs.get(outcome.status, "Lỗi phát")
            typer.echo(f"{verb} thông báo khẩn (buổi phát #{outcome.broadcast_id}): {outcome.detail}")
            failed |= outcome.status not in verbs
        elif not outcome.built:
            typer.echo(f"Không dựng được cho cụm {outcome.zone}: {outcome.error}", err=True)
            failed = True
    if failed:
        raise typer.Exit(1)


def cleanup(ctx: typer.Context) -> None:
    """Dọn đĩa: xóa thư mục phát cũ hơn playout.keep_days và bộ nhớ đệm âm thanh vượt audio.cache_max_mb
    (không bao giờ xóa âm thanh của chương trình chưa phát)."""
    opts = options(ctx)
    station = open_station(opts)
    report = station.cleanup(opts.clock().now())
    config = station.config
    typer.echo(
        f"Đã xóa {len(report.folders_removed)} thư mục phát cũ hơn {config.playout.keep_days} ngày"
        + (f" ({', '.join(report.folders_removed)})" if report.folders_removed else "")
        + f"; bộ nhớ đệm âm thanh: xóa {report.cache_files_removed} tệp ({report.cache_bytes_removed / 2**20:.1f} MB),"
        f" còn {report.cache_bytes_left / 2**20:.1f} MB / {config.audio.cache_max_mb} MB."
    )
