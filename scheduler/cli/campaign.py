"""`loa coverage …` and `loa reminders …`: the campaign's loop, for the commune police and village heads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from loa114.scheduler.cli.options import Options, open_station, options, parse_date
from loa114.scheduler.cli.tables import dumps, table

coverage_app = typer.Typer(no_args_is_help=True, help="Tiến độ cài đặt Báo cháy 114 theo thôn.")
reminders_app = typer.Typer(no_args_is_help=True, help="Thông báo nhắc thôn chậm tiến độ.")


def _pct(value: float | None) -> str:
    return "chưa có số liệu" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _names(opts: Options, village_ids: list[str]) -> list[str]:
    """Village names as the commune writes them (ids are for machines)."""
    names = {v.id: v.name for v in opts.config().villages}
    return [names.get(v, v) for v in village_ids]


def _today(opts: Options) -> date:
    return opts.clock().now().astimezone(opts.config().tz).date()


@coverage_app.command("import")
def coverage_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Tệp báo cáo .csv hoặc .xlsx.")],
) -> None:
    """Nhập báo cáo của các thôn (cả tệp hoặc không dòng nào), rồi đánh giá lại tiến độ."""
    from loa114.scheduler.campaign.importing import ImportRejected

    opts = options(ctx)
    station = open_station(opts)
    try:
        summary = station.import_reports(file, opts.clock().now())
    except ImportRejected as exc:
        if len(exc.problems) == 1 and exc.problems[0].row is None:  # the file itself: one line
            typer.echo(f"lỗi: {exc.problems[0]}", err=True)
            raise typer.Exit(2) from None
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"{len(exc.problems)} lỗi: không nhập dòng nào. Sửa tệp rồi nhập lại.", err=True)
        raise typer.Exit(2) from None
    for warning in summary.warnings:
        typer.echo(f"lưu ý: {warning}", err=True)
    typer.echo(
        f"Đã nhập {summary.source}: {summary.rows} dòng — {summary.inserted} mới, {summary.replaced} thay thế, "
        f"{summary.unchanged} không đổi."
    )
    ev = summary.evaluation
    typer.echo(
        f"Thôn chậm tiến độ: {len(summary.lagging)}/{len(ev.villages)}"
        + (f" ({', '.join(_names(opts, summary.lagging))})" if summary.lagging else "")
        + f"; thông báo nhắc mới: {len(ev.reminders)}, báo cáo vượt cấp mới: {len(ev.escalations)}"
        + (f"; dựng lại {summary.rerendered} chương trình." if summary.rerendered else ".")
    )


@coverage_app.command("template")
def coverage_template(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp .xlsx sẽ ghi.")],
) -> None:
    """Ghi mẫu báo cáo trống (Excel) để trưởng thôn điền."""
    from loa114.scheduler.campaign.form import write_template
    from loa114.scheduler.errors import InputError

    opts = options(ctx)
    if output.suffix.lower() != ".xlsx":
        raise InputError(f"-o: mẫu báo cáo là tệp .xlsx, không phải {output.name!r}")
    write_template(output, opts.config().villages, today=_today(opts))
    typer.echo(f"Đã ghi mẫu báo cáo {output} ({len(opts.config().villages)} thôn).")


def status_rows(opts: Options, day: date) -> dict[str, Any]:
    from loa114.scheduler.campaign.rules import commune_totals
    from loa114.scheduler.campaign.store import DatabaseCoverage

    config = opts.config()
    villages = DatabaseCoverage(config, opts.database()).villages(day)
    totals = commune_totals(villages, config.campaign, day)
    return {
        "date": day.isoformat(),
        "expected_rate": round(totals.expected_rate, 6),
        "villages": [
            {
                "id": v.id,
                "name": v.name,
                "households": v.households,
                "households_installed": v.households_installed,
                "household_rate": round(v.household_rate, 6) if v.reported else None,  # unknown, not 0
                "smartphone_users": v.smartphone_users,
                "installs": v.installs,
                "install_rate": round(v.install_rate, 6) if v.reported else None,
                "last_report": v.last_report.isoformat() if v.last_report else None,
                "lagging": v.lagging,
                "reasons": list(v.reasons),
            }
            for v in villages
        ],
        "totals": {
            "households": totals.households,
            "households_installed": totals.households_installed,
            "household_rate": round(totals.household_rate, 6),
            "smartphone_users": totals.smartphone_users,
            "installs": totals.installs,
            "install_rate": round(totals.install_rate, 6),
            "villages_reported": totals.villages_reported,
            "villages_lagging": sum(1 for v in villages if v.lagging),
        },
    }


@coverage_app.command("status")
def coverage_status(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="Ngày (31/12/2026 hoặc 2026-12-31), mặc định hôm nay.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Tiến độ từng thôn và toàn xã so với mức cần đạt."""
    from loa114.scheduler.campaign.rules import REASON_WORDS

    opts = options(ctx)
    data = status_rows(opts, parse_date(day, "--date", _today(opts)))
    if as_json:
        typer.echo(dumps(data))
        return
    headers = [
        "thôn",
        "số hộ",
        "hộ đã cài",
        "tỷ lệ hộ",
        "người dùng ĐTTM",
        "người đã cài",
        "tỷ lệ",
        "báo cáo gần nhất",
        "chậm?",
    ]
    rows = [
        (
            v["name"],
            v["households"],
            v["households_installed"],
            _pct(v["household_rate"]),
            v["smartphone_users"],
            v["installs"],
            _pct(v["install_rate"]),
            v["last_report"] or "chưa có",
            ", ".join(REASON_WORDS[r] for r in v["reasons"]) or "đạt",
        )
        for v in data["villages"]
    ]
    t = data["totals"]
    rows.append(
        (
            "TOÀN XÃ",
            t["households"],
            t["households_installed"],
            _pct(t["household_rate"]),
            t["smartphone_users"],
            t["installs"],
            _pct(t["install_rate"]),
            f"{t['villages_reported']} thôn đã báo cáo",
            f"{t['villages_lagging']} thôn chậm",
        )
    )
    typer.echo(f"Ngày {data['date']}: mức cần đạt theo kế hoạch {_pct(data['expected_rate'])}")
    typer.echo(table(headers, rows))


@coverage_app.command("evaluate")
def coverage_evaluate(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", help="Ngày đánh giá (31/12/2026 hoặc 2026-12-31), mặc định hôm nay."),
    ] = None,
) -> None:
    """Đánh giá lại các thôn (và xếp thông báo nhắc) cho một ngày."""
    from loa114.scheduler.campaign.evaluation import evaluate_all

    opts = options(ctx)
    station = open_station(opts)
    now = opts.clock().now()
    result = evaluate_all(station.config, station.app.store, parse_date(day, "--date", _today(opts)), now)
    rebuilt = station.refresh(now)
    lagging = _names(opts, [v.id for v in result.villages if v.lagging])
    typer.echo(
        f"Ngày {result.day}: {len(lagging)}/{len(result.villages)} thôn chậm tiến độ"
        + (f" ({', '.join(lagging)})" if lagging else "")
        + f"; thông báo nhắc mới: {len(result.reminders)}, báo cáo vượt cấp mới: {len(result.escalations)}"
        + (f"; dựng lại {sum(r.built for r in rebuilt)} chương trình." if rebuilt else ".")
    )


@reminders_app.command("list")
def reminders_list(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="Chỉ ngày này (31/12/2026 hoặc 2026-12-31).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Các thông báo nhắc và vượt cấp, với trạng thái gửi."""
    from loa114.scheduler.campaign.listing import notice_word, notices_on
    from loa114.scheduler.campaign.rules import REASON_WORDS

    opts = options(ctx)
    rows = notices_on(opts.config(), opts.database(), parse_date(day, "--date", date.min) if day else None)
    if as_json:
        typer.echo(dumps(rows))
        return
    typer.echo(
        table(
            ["số", "thôn", "ngày", "loại", "lý do", "trạng thái", "lần gửi", "lỗi gần nhất"],
            [
                (
                    r["id"],
                    r["village_name"],
                    r["date"],
                    "nhắc" if r["kind"] == "reminder" else "vượt cấp",
                    ", ".join(REASON_WORDS.get(x, x) for x in r["reasons"]),
                    notice_word(r["status"]),
                    r["attempts"],
                    (r["last_error"] or "")[:60],
                )
                for r in rows
            ],
        )
    )


@reminders_app.command("deliver")
def reminders_deliver(ctx: typer.Context) -> None:
    """Gửi ngay các thông báo đến hạn (trừ giờ yên lặng)."""
    opts = options(ctx)
    outbox = open_station(opts).app.outbox
    now = opts.clock().now()
    if outbox.in_quiet_hours(now):
        start, end = outbox.config.reminders.quiet_hours
        typer.echo(f"Đang trong giờ yên lặng ({start:%H:%M}–{end:%H:%M}): thông báo sẽ được gửi sau.")
        return
    results = outbox.deliver_due(now)
    sent = sum(1 for r in results if r.status == "sent")
    typer.echo(f"Đã gửi {sent}/{len(results)} lượt.")
    for r in results:
        if r.status != "sent":
            typer.echo(f"thông báo {r.notice_id} → {r.target}: {r.status}: {r.error}", err=True)


@reminders_app.command("retry")
def reminders_retry(
    ctx: typer.Context, notice_id: Annotated[int, typer.Argument(help="Số thông báo.")]
) -> None:
    """Gửi lại một thông báo đã lỗi (ở lần gửi tới)."""
    from loa114.scheduler.campaign.outbox import Outbox
    from loa114.scheduler.store import Store

    opts = options(ctx)
    count = Outbox(opts.config(), Store.open(opts.database())).retry(notice_id, opts.clock().now())
    typer.echo(
        f"Thông báo {notice_id}: {count} lượt gửi được đặt lại, sẽ gửi ở lần chạy tới (loa reminders deliver)."
    )
