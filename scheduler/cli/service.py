"""`loa serve` and `loa db upgrade`: the running service and its database."""

from __future__ import annotations

from typing import Annotated

import typer

from loa114.scheduler.cli.options import options

db_app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu.")


def serve(
    ctx: typer.Context,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help="Cổng web của tiến trình này (thay web.port): nhiều tiến trình trên cùng một máy.",
        ),
    ] = None,
) -> None:
    """Chạy dịch vụ: dựng trước, phát đúng giờ, ghi nhật ký từng sự kiện."""
    from loa114.scheduler.web.serve import serve as run_service

    opts = options(ctx)
    config = opts.config()
    if port is not None:
        config = config.model_copy(update={"web": config.web.model_copy(update={"port": port})})
    run_service(config, opts.clock(running=True))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Áp dụng các bản nâng cấp cơ sở dữ liệu (cũng tự chạy khi khởi động)."""
    from loa114.scheduler.db.engine import Database

    config = options(ctx).config()
    Database(config.database.url).migrate().dispose()
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {config.database.url}")
