"""`loa users …` and `loa tokens …`: who may use the web interface and the API."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from loa114.scheduler.cli.options import Options, options
from loa114.scheduler.errors import InputError

if TYPE_CHECKING:
    from loa114.scheduler.store import Store

users_app = typer.Typer(no_args_is_help=True, help="Người dùng giao diện web.")
tokens_app = typer.Typer(no_args_is_help=True, help="Mã truy cập API cho hệ thống khác.")

RoleOption = Annotated[
    str, typer.Option("--role", help="admin, office, operator, police hoặc village_head.", show_default=False)
]
VillageOption = Annotated[
    str | None, typer.Option("--village", help="Mã thôn (chỉ cho trưởng thôn).", show_default=False)
]


def _store(opts: Options) -> Store:
    from loa114.scheduler.events import EventLog, log_event
    from loa114.scheduler.store import Store

    events = EventLog()
    events.subscribe(log_event)
    return Store.open(opts.database(), events)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("--password-stdin: không đọc được mật khẩu từ stdin (dòng đầu trống)")
        return password
    if not sys.stdin.isatty():
        raise InputError("cần nhập mật khẩu: chạy trong cửa sổ lệnh, hoặc dùng --password-stdin")
    typed: str = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
    return typed


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tên đăng nhập, ví dụ vhxh hoặc truongthon.napan.")],
    role: RoleOption,
    village: VillageOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Đọc mật khẩu từ dòng đầu của stdin.")
    ] = False,
) -> None:
    """Thêm người dùng; mật khẩu được hỏi (không hiện trên màn hình) hoặc đọc từ stdin."""
    from loa114.scheduler.accounts import Users
    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.accounts.users import check_identity

    opts = options(ctx)
    config = opts.config()
    check_identity(name, role, village, config.villages)  # before asking for a password
    password = _password(password_stdin)
    Users(_store(opts), Passwords(), config.villages).add(
        name, role, password, opts.clock().now(), village_id=village
    )
    typer.echo(f"Đã thêm người dùng {name} ({role}).")


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Liệt kê người dùng."""
    from loa114.scheduler.accounts import ROLE_LABELS, Role, Users
    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.cli.tables import table

    opts = options(ctx)
    rows = Users(_store(opts), Passwords(), opts.config().villages).listing()
    lines = [(str(r["name"]), ROLE_LABELS[Role(str(r["role"]))], str(r["village_id"] or "")) for r in rows]
    typer.echo(table(["tên đăng nhập", "vai trò", "thôn"], lines) if lines else "Chưa có người dùng nào.")


@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tên của hệ thống dùng mã, ví dụ radio-ip.")],
    role: RoleOption,
    village: VillageOption = None,
) -> None:
    """Tạo mã truy cập API; mã là từ cuối cùng được in ra (chỉ hiện một lần)."""
    from loa114.scheduler.accounts import Tokens

    opts = options(ctx)
    token = Tokens(_store(opts), opts.config().villages).create(
        name, role, opts.clock().now(), village_id=village
    )
    typer.echo(f"Mã truy cập của {name} (chỉ hiện lần này, hãy lưu lại): {token}")


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Tên của mã cần thu hồi.")]
) -> None:
    """Thu hồi một mã truy cập API."""
    from loa114.scheduler.accounts import Tokens

    opts = options(ctx)
    Tokens(_store(opts), opts.config().villages).revoke(name, opts.clock().now())
    typer.echo(f"Đã thu hồi mã truy cập {name}.")
