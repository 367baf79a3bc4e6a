"""The `loa` command. Errors: one line on stderr, exit 2 for bad input, 1 for a runtime failure."""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from audio.errors import AudioError
from content.errors import ContentError
from scheduler.cli.campaign import coverage_app, reminders_app
from scheduler.cli.options import Options, open_station, options, parse_date
from scheduler.errors import ConfigError, InputError, LoaError

log = logging.getLogger("scheduler.cli")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Loa 114 — phát thanh tuyên truyền ứng dụng Báo cháy 114 trên hệ thống loa xã.",
)
program_app = typer.Typer(no_args_is_help=True, help="Dựng chương trình phát thanh.")
broadcasts_app = typer.Typer(no_args_is_help=True, help="Xem các buổi phát.")
db_app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu.")
app.add_typer(program_app, name="program")
app.add_typer(broadcasts_app, name="broadcasts")
app.add_typer(db_app, name="db")
app.add_typer(coverage_app, name="coverage")
app.add_typer(reminders_app, name="reminders")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"loa {version('loa114')}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[Path, typer.Option("--config", help="Tệp cấu hình (mặc định ./config.yaml).")] = Path(
        "config.yaml"
    ),
    now: Annotated[
        str | None,
        typer.Option("--now", envvar="LOA_NOW", help="Chạy như thể đang ở thời điểm này (ISO-8601)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát.")
    ] = False,
) -> None:
    ctx.obj = Options(config_path=config, now_text=now)


@app.command()
def check(ctx: typer.Context) -> None:
    """Kiểm tra cấu hình và dựng thử mọi bài phát thanh với dữ liệu mẫu."""
    from scheduler.programs.checks import check_all

    opts = options(ctx)
    config = opts.config()
    result = check_all(config, opts.clock().now())
    for problem in result.errors:
        typer.echo(problem, err=True)
    for warning in result.warnings:
        typer.echo(f"cảnh báo: {warning}", err=True)
    if result.errors:
        typer.echo(
            f"{len(result.errors)} lỗi, {len(result.warnings)} cảnh báo trong {result.scripts} bài phát thanh.",
            err=True,
        )
        raise typer.Exit(2)
    note = f"; {len(result.warnings)} cảnh báo (không ngăn phát)" if result.warnings else ", không có lỗi"
    typer.echo(f"Cấu hình {config.source} hợp lệ; {result.scripts} bài phát thanh dựng thử được{note}.")


@app.command()
def normalize(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Văn bản; bỏ trống hoặc '-' để đọc từ stdin.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Giải thích từng từ được đọc lại.")] = False,
) -> None:
    """In ra văn bản sẽ được đọc (số, ngày, giờ, số điện thoại, viết tắt đã chuyển thành chữ)."""
    from content.speech import explain as explain_text
    from content.speech import make_settings
    from content.speech import normalize as normalize_text
    from scheduler.config.settings import speech_settings

    opts = options(ctx)
    settings = speech_settings(opts.config()) if opts.config_path.exists() else make_settings()
    source = sys.stdin.read() if text in (None, "-") else text
    typer.echo(normalize_text(source, settings))
    if explain:
        from scheduler.cli.tables import table

        rows = [(r.original, r.spoken, r.rule) for r in explain_text(source, settings)]
        typer.echo("")
        typer.echo(table(["gốc", "đọc là", "quy tắc"], rows))


@app.command()
def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Văn bản cần đọc.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp ra (.mp3 hoặc .wav).")],
) -> None:
    """Đọc một câu thành tệp âm thanh (qua bộ chuẩn hóa tiếng Việt)."""
    from audio.program import say_to_file
    from content.speech import normalize as normalize_text
    from scheduler.programs.studio import speech_parts

    opts = options(ctx)
    if output.suffix.lower() not in (".mp3", ".wav"):
        raise InputError(f"-o: chỉ hỗ trợ tệp .mp3 hoặc .wav, không phải {output.name!r}")
    station = open_station(opts)
    app_ = station.app
    spoken = normalize_text(text, app_.speech)
    result = say_to_file(app_.speaker, speech_parts(spoken), output, app_.audio)
    note = " (giọng ngoại tuyến, không có mạng)" if result.offline else ""
    typer.echo(f"Đã ghi {output} — giọng {result.engine}{note}: {spoken}")


@app.command()
def preview(
    ctx: typer.Context,
    script_id: Annotated[str, typer.Argument(help="Mã bài (tên tệp, không có .txt).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp .mp3 sẽ ghi.")],
    village: Annotated[
        str | None, typer.Option("--village", help="Mã thôn (bài đọc riêng cho thôn).")
    ] = None,
    day: Annotated[
        str | None, typer.Option("--date", help="Ngày phát (31/12/2026 hoặc 2026-12-31), mặc định hôm nay.")
    ] = None,
) -> None:
    """Nghe thử cả một bài đúng như khi phát trong chương trình (chuông, đọc nhắc lại, độ lớn)."""
    from scheduler.programs.preview import preview as render_preview

    opts = options(ctx)
    now = opts.clock().now()
    station = open_station(opts)
    result = render_preview(
        station.app,
        script_id,
        parse_date(day, "--date", now.astimezone(station.app.config.tz).date()),
        output,
        now,
        village=village,
    )
    note = " (giọng ngoại tuyến, không có mạng)" if result.offline else ""
    typer.echo(
        f"Đã ghi {output} — {result.title}, {_minutes(result.duration_s)}, giọng {result.engine}{note}."
    )
    typer.echo(f"\nVăn bản:\n{result.text}\n\nGiọng đọc được đưa:\n{result.spoken_text}")


@program_app.command("build")
def program_build(
    ctx: typer.Context,
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
    from scheduler.cli.tables import dumps, status_word, table

    opts = options(ctx)
    now = opts.clock().now()
    station = open_station(opts)
    first = parse_date(day, "--date", now.astimezone(station.app.config.tz).date())
    results = station.build_days(first, days, now, slot, force=force)
    zones = {z.id: z.name for z in station.app.config.zones}
    rows = [
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
                    _minutes(r["duration_s"]),
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


def _minutes(seconds: float | None) -> str:
    if not seconds:
        return ""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


@broadcasts_app.command("list")
def broadcasts_list(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="Ngày (31/12/2026 hoặc 2026-12-31), mặc định hôm nay.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Các buổi phát của một ngày: giờ phát, trạng thái, độ trễ."""
    from scheduler.cli.tables import dumps, status_word, table
    from scheduler.db.engine import Database
    from scheduler.programs.listing import broadcasts_on

    opts = options(ctx)
    now = opts.clock().now()
    config = opts.config()
    db = Database(config.database.url).migrate()
    rows = broadcasts_on(config, db, parse_date(day, "--date", now.astimezone(config.tz).date()), now)
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
                    _minutes(r["duration_s"]),
                    "" if r["lateness_s"] is None else f"{r['lateness_s']:.1f}",
                    r["error"] or "",
                )
                for r in rows
            ],
        )
    )


@app.command()
def alert(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Nội dung thông báo khẩn.")],
    zones: Annotated[
        str | None, typer.Option("--zones", help="Các cụm loa, cách nhau bởi dấu phẩy (mặc định: tất cả).")
    ] = None,
) -> None:
    """Phát ngay một thông báo khẩn (cháy, bão...) trên các cụm loa đã chọn."""
    from scheduler.programs.airing import AirResult

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


@app.command()
def serve(ctx: typer.Context) -> None:
    """Chạy dịch vụ: dựng trước, phát đúng giờ, ghi nhật ký từng sự kiện."""
    from scheduler.service.serve import serve as run_service

    opts = options(ctx)
    run_service(opts.config(), opts.clock(running=True))


@app.command()
def cleanup(ctx: typer.Context) -> None:
    """Dọn đĩa: xóa thư mục phát cũ hơn playout.keep_days và bộ nhớ đệm âm thanh vượt audio.cache_max_mb
    (không bao giờ xóa âm thanh của chương trình chưa phát)."""
    opts = options(ctx)
    station = open_station(opts)
    report = station.cleanup(opts.clock().now())
    config = station.app.config
    typer.echo(
        f"Đã xóa {len(report.folders_removed)} thư mục phát cũ hơn {config.playout.keep_days} ngày"
        + (f" ({', '.join(report.folders_removed)})" if report.folders_removed else "")
        + f"; bộ nhớ đệm âm thanh: xóa {report.cache_files_removed} tệp ({report.cache_bytes_removed / 2**20:.1f} MB),"
        f" còn {report.cache_bytes_left / 2**20:.1f} MB / {config.audio.cache_max_mb} MB."
    )


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Áp dụng các bản nâng cấp cơ sở dữ liệu (cũng tự chạy khi khởi động)."""
    from scheduler.db.engine import Database

    config = options(ctx).config()
    Database(config.database.url).migrate().dispose()
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {config.database.url}")


_OS_REASONS = {
    errno.ENOENT: "không tồn tại (kiểm tra đường dẫn)",
    errno.EACCES: "không có quyền đọc/ghi",
    errno.EPERM: "không có quyền",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ đọc",
    errno.EISDIR: "là một thư mục, không phải tệp",
}


def configure_logging(service: bool) -> None:
    """The service logs one line per event (INFO); a one-shot command only warnings, so a clerk sees the
    answer, not the machinery. LOA_LOG_LEVEL overrides both."""
    logging.basicConfig(
        level=os.environ.get("LOA_LOG_LEVEL") or ("INFO" if service else "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations: one line per revision is enough
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    configure_logging(service="serve" in (sys.argv[1:] if argv is None else argv))
    try:
        # click returns the code of a typer.Exit instead of raising it when standalone_mode is off
        result = app(args=argv, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except ConfigError as exc:
        typer.echo(f"lỗi cấu hình: {exc}", err=True)
        return 2
    except (LoaError, ContentError) as exc:
        code = exc.exit_code if isinstance(exc, LoaError) else 2
        typer.echo(f"lỗi: {exc}", err=True)
        return code
    except AudioError as exc:
        typer.echo(f"lỗi âm thanh: {exc}", err=True)
        return 1
    except OSError as exc:  # a file or folder the command could not read or write
        where = f" {exc.filename}" if exc.filename else ""
        reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        typer.echo(f"lỗi tệp:{where}: {reason}", err=True)
        return 1
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except typer.TyperException as exc:  # the parser's usage errors (typer ships its own click)
        return _usage(exc)
    except Exception as exc:
        if type(exc).__module__.startswith("sqlalchemy"):  # not imported up front: slow, often unneeded
            typer.echo(f"lỗi cơ sở dữ liệu: {getattr(exc, 'orig', None) or exc}", err=True)
            return 1
        raise
    return result if isinstance(result, int) else 0


def _usage(exc: Exception) -> int:
    """Help when it was asked for by omission (plain `loa`), else one Vietnamese line and exit 2."""
    from scheduler.cli.usage import usage_message

    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return 0 if ctx.parent is None else 2
    typer.echo(f"lỗi: {usage_message(exc)}", err=True)
    return 2


def run() -> None:
    sys.exit(main())
