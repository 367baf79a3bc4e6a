"""`loa serve` and `loa db upgrade`: the running service and its database."""

from __future__ import annotations

from typing import Annotated

import typer

from loa114.scheduler.cli.options import options
from loa114.scheduler.errors import InputError

ROLES = ("all", "scheduler", "worker", "web")  # service/fleet.py; not imported here: it loads procrastinate

db_app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu.")


def serve(
    ctx: typer.Context,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="all (mặc định): làm tất cả; scheduler, worker, web: chia việc cho nhiều tiến trình "
            "dùng chung PostgreSQL.",
        ),
    ] = "all",
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

    if role not in ROLES:
        raise InputError(f"--role {role!r}: chọn một trong {', '.join(ROLES)}")
    opts = options(ctx)
    province = opts.province()
    if port is not None:
        province = province.with_web_port(port)
    run_service(province, opts.commune, opts.clock(running=True), role=role)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Áp dụng các bản nâng cấp cơ sở dữ liệu (cũng tự chạy khi khởi động); mọi xã của tỉnh và kho tài
    khoản cấp tỉnh nếu không chọn --commune."""
    from loa114.scheduler.db.engine import Engines

    opts = options(ctx)
    province = opts.province()
    chosen = [opts.config()] if opts.commune else list(province.communes.values())
    shared = [province.database] if province.database is not None and not opts.commune else []
    engines = Engines()
    try:
        for database in [*shared, *(config.database for config in chosen)]:
            engines.database(database.url, database.schema_name).migrate()
    finally:
        engines.dispose()
    where = chosen[0].database.url if len(chosen) == 1 else f"{len(chosen)} xã"
    typer.echo(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {where}")
