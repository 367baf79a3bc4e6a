"""`loa check`, `loa normalize`, `loa say`, `loa preview`: the office's commands about script texts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from loa114.scheduler.cli.options import open_station, options, parse_date
from loa114.scheduler.cli.tables import minutes
from loa114.scheduler.errors import InputError


def check(ctx: typer.Context) -> None:
    """Kiểm tra cấu hình và dựng thử mọi bài phát thanh với dữ liệu mẫu."""
    from loa114.scheduler.programs.checks import check_all

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


def normalize(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Văn bản; bỏ trống hoặc '-' để đọc từ stdin.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Giải thích từng từ được đọc lại.")] = False,
) -> None:
    """In ra văn bản sẽ được đọc (số, ngày, giờ, số điện thoại, viết tắt đã chuyển thành chữ)."""
    from loa114.content.speech import explain as explain_text
    from loa114.content.speech import make_settings
    from loa114.content.speech import normalize as normalize_text
    from loa114.scheduler.config.settings import speech_settings

    opts = options(ctx)
    settings = speech_settings(opts.config()) if opts.config_path.exists() else make_settings()
    source = sys.stdin.read() if text is None or text == "-" else text
    typer.echo(normalize_text(source, settings))
    if explain:
        from loa114.scheduler.cli.tables import table

        rows = [(r.original, r.spoken, r.rule) for r in explain_text(source, settings)]
        typer.echo("")
        typer.echo(table(["gốc", "đọc là", "quy tắc"], rows))


def say(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Văn bản cần đọc.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Tệp ra (.mp3 hoặc .wav).")],
) -> None:
    """Đọc một câu thành tệp âm thanh (qua bộ chuẩn hóa tiếng Việt)."""
    from loa114.audio.program import say_to_file
    from loa114.content.speech import normalize as normalize_text
    from loa114.scheduler.programs.items import speech_parts

    opts = options(ctx)
    if output.suffix.lower() not in (".mp3", ".wav"):
        raise InputError(f"-o: chỉ hỗ trợ tệp .mp3 hoặc .wav, không phải {output.name!r}")
    app = open_station(opts).app
    spoken = normalize_text(text, app.studio.speech)
    result = say_to_file(app.speaker, speech_parts(spoken), output, app.audio)
    note = " (giọng ngoại tuyến, không có mạng)" if result.offline else ""
    typer.echo(f"Đã ghi {output} — giọng {result.engine}{note}: {spoken}")


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
    from loa114.scheduler.programs.preview import preview as render_preview

    opts = options(ctx)
    now = opts.clock().now()
    studio = open_station(opts).app.studio
    result = render_preview(
        studio,
        script_id,
        parse_date(day, "--date", now.astimezone(studio.config.tz).date()),
        output,
        now,
        village=village,
    )
    note = " (giọng ngoại tuyến, không có mạng)" if result.offline else ""
    typer.echo(
        f"Đã ghi {output} — {result.title}, {minutes(result.duration_s)}, giọng {result.engine}{note}."
    )
    typer.echo(f"\nVăn bản:\n{result.text}\n\nGiọng đọc được đưa:\n{result.spoken_text}")
