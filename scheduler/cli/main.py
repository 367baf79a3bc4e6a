"""The `loa` command. Errors: one line on stderr, exit 2 for bad input, 1 for a runtime failure."""

from __future__ import annotations

import errno
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from loa114.audio.errors import AudioError
from loa114.content.errors import ContentError
from loa114.scheduler.cli import programs, province, reports, service, texts
from loa114.scheduler.cli.accounts import tokens_app, users_app
from loa114.scheduler.cli.campaign import coverage_app, reminders_app
from loa114.scheduler.cli.options import Options
from loa114.scheduler.cli.programs import broadcasts_app, program_app
from loa114.scheduler.cli.service import db_app
from loa114.scheduler.errors import ConfigError, LoaError

log = logging.getLogger("loa114.scheduler.cli")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Loa 114 — phát thanh tuyên truyền ứng dụng Báo cháy 114 trên hệ thống loa xã.",
)
app.add_typer(program_app, name="program")
app.add_typer(broadcasts_app, name="broadcasts")
app.add_typer(db_app, name="db")
app.add_typer(coverage_app, name="coverage")
app.add_typer(reminders_app, name="reminders")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
for command in (
    texts.check,
    texts.normalize,
    texts.say,
    texts.preview,
    programs.alert,
    service.serve,
    programs.cleanup,
    reports.report,
    province.province,
):
    app.command()(command)


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
    commune: Annotated[
        str | None,
        typer.Option("--commune", envvar="LOA_COMMUNE", help="Mã xã, khi tệp cấu hình là tệp của cả tỉnh."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="In phiên bản rồi thoát.")
    ] = False,
) -> None:
    ctx.obj = Options(config_path=config, now_text=now, commune=commune)


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
    logging.getLogger("procrastinate").setLevel(logging.WARNING)  # one line per job fetched is noise


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
    from loa114.scheduler.cli.usage import usage_message

    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return 0 if ctx.parent is None else 2
    typer.echo(f"lỗi: {usage_message(exc)}", err=True)
    return 2


def run() -> None:
    gc.freeze()  # the CLI's modules live until exit: no collection needs to walk them again
    leave(main())


def leave(code: int) -> NoReturn:
    """Exit without the interpreter's last garbage collection walking every imported module: frozen
    objects are skipped, which takes 0.1–0.2 s off each command (bench/normalize.py)."""
    gc.freeze()
    sys.exit(code)
