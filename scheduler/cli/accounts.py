"""`loa users …` and `loa tokens …`: who may use the web interface and the API.

`--role province` (and `--province` for list and revoke) works on the province's own accounts, kept in the
province's store, not in a commune's: it needs the province file and no `--commune`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from loa114.scheduler.cli.options import Options, options
from loa114.scheduler.errors import InputError

if TYPE_CHECKING:
    from loa114.scheduler.accounts import ProvinceAccounts
    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.store import Store

users_app = typer.Typer(no_args_is_help=True, help="Người dùng giao diện web.")
tokens_app = typer.Typer(no_args_is_help=True, help="Mã truy cập API cho hệ thống khác.")

RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="admin, office, operator, police, village_head hoặc province (cấp tỉnh).",
        show_default=False,
    ),
]
ProvinceFlag = Annotated[
    bool, typer.Option("--province", help="Tài khoản cấp tỉnh (cần tệp cấu hình của tỉnh, không --commune).")
]
PROVINCE = "province"
VillageOption = Annotated[
    str | None, typer.Option("--village", help="Mã thôn (chỉ cho trưởng thôn).", show_default=False)
]


def _store(opts: Options) -> Store:
    from loa114.scheduler.events import EventLog, log_event
    from loa114.scheduler.store import Store

    events = EventLog()
    events.subscribe(log_event)
    return Store.open(opts.database(), events)


def _province(opts: Options, passwords: Passwords | None = None) -> ProvinceAccounts:
    """The province's own accounts (`--role province`): the province file, and no commune chosen."""
    from loa114.scheduler.accounts import ProvinceAccounts
    from loa114.scheduler.db.engine import Database

    province = opts.province()
    if province.database is None:
        raise InputError(
            "tài khoản cấp tỉnh cần tệp cấu hình của tỉnh (có danh sách communes): chạy với --config <tệp tỉnh>"
        )
    if opts.commune:
        raise InputError(
            "--commune: tài khoản cấp tỉnh không thuộc xã nào; bỏ --commune (và biến LOA_COMMUNE)"
        )
    database = Database(province.database.url, schema=province.database.schema_name)
    return ProvinceAccounts.open(province.name, database, passwords)


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
    from loa114.scheduler.accounts.roles import PROVINCE_ROLES
    from loa114.scheduler.accounts.users import check_identity

    opts = options(ctx)
    if role == PROVINCE:
        check_identity(name, role, village, (), roles=PROVINCE_ROLES)
        accounts = _province(opts)
        accounts.users.add(name, role, _password(password_stdin), opts.clock().now())
        typer.echo(
            f"Đã thêm tài khoản cấp tỉnh {name}: xem được mọi xã của tỉnh {accounts.name}, không sửa được."
        )
        return
    config = opts.config()
    check_identity(name, role, village, config.villages)  # before asking for a password
    password = _password(password_stdin)
    Users(_store(opts), Passwords(), config.villages).add(
        name, role, password, opts.clock().now(), village_id=village
    )
    typer.echo(f"Đã thêm người dùng {name} ({role}).")


@users_app.command("list")
def users_list(ctx: typer.Context, province: ProvinceFlag = False) -> None:
    """Liệt kê người dùng (của một xã, hoặc cấp tỉnh với --province)."""
    from loa114.scheduler.accounts import ROLE_LABELS, Role, Users
    from loa114.scheduler.accounts.passwords import Passwords
    from loa114.scheduler.cli.tables import table

    opts = options(ctx)
    if province:
        rows = _province(opts).users.listing()
    else:
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
    tokens = _province(opts).tokens if role == PROVINCE else Tokens(_store(opts), opts.config().villages)
    token = tokens.create(name, role, opts.clock().now(), village_id=village)
    typer.echo(f"Mã truy cập của {name} (chỉ hiện lần này, hãy lưu lại): {token}")


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tên của mã cần thu hồi.")],
    province: ProvinceFlag = False,
) -> None:
    """Thu hồi một mã truy cập API (của một xã, hoặc cấp tỉnh với --province)."""
    from loa114.scheduler.accounts import Tokens

    opts = options(ctx)
    tokens = _province(opts).tokens if province else Tokens(_store(opts), opts.config().villages)
    tokens.revoke(name, opts.clock().now())
    typer.echo(f"Đã thu hồi mã truy cập {name}.")
