"""People who sign in: added from the command line, checked at sign-in, locked out after repeated failures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from loa114.scheduler.accounts.passwords import MIN_LENGTH, Passwords
from loa114.scheduler.accounts.roles import COMMUNE_ROLES, ROLE_LABELS, Principal, Role
from loa114.scheduler.config import Village
from loa114.scheduler.db.models import User
from loa114.scheduler.errors import InputError
from loa114.scheduler.events import SignInFailed, UserAdded, UserChanged
from loa114.scheduler.store import Store

MAX_FAILURES = 5  # in a row; then the account waits LOCKOUT
LOCKOUT = timedelta(minutes=15)
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(InputError):
    """A user or token that cannot be created as asked; `message` is Vietnamese and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LoginRefused(Exception):
    """Sign-in refused; `message` is what the person reads (never says which of name or password was wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_identity(
    name: str,
    role: str,
    village_id: str | None,
    villages: Sequence[Village],
    *,
    noun: str = "tên đăng nhập",
    roles: frozenset[Role] = COMMUNE_ROLES,
) -> Role:
    """The role of a new user or token, or an AccountError naming the field to fix. `roles`: the roles this
    store keeps (a commune's five, or the province's own)."""
    if not NAME.fullmatch(name):
        raise AccountError(
            f"{noun} '{name}' không hợp lệ: dùng chữ thường không dấu, số, '.', '-' hoặc '_' "
            "(2–64 ký tự), ví dụ 'vhxh', 'truongthon.napan' hoặc 'radio-ip'"
        )
    try:
        chosen = Role(role)
    except ValueError:
        known = ", ".join(f"{r.value} ({label})" for r, label in ROLE_LABELS.items())
        raise AccountError(f"vai trò '{role}' không có; chọn một trong: {known}") from None
    if chosen not in roles:
        raise AccountError(
            "tài khoản cấp tỉnh (province) không thuộc xã nào: tạo bằng tệp cấu hình của tỉnh, không chọn xã"
            if chosen == Role.PROVINCE
            else f"tài khoản cấp tỉnh chỉ có vai trò province; vai trò '{role}' thuộc về một xã: chọn xã bằng --commune"
        )
    if chosen == Role.VILLAGE_HEAD:
        if village_id is None:
            raise AccountError("trưởng thôn cần --village: mã thôn của người đó")
        if village_id not in {v.id for v in villages}:
            ids = ", ".join(v.id for v in villages)
            raise AccountError(f"không có thôn '{village_id}' trong cấu hình; các thôn: {ids}")
    elif village_id is not None:
        raise AccountError("chỉ trưởng thôn mới gắn với một thôn: bỏ --village")
    return chosen


@dataclass(frozen=True)
class Users:
    store: Store
    passwords: Passwords
    villages: Sequence[Village]
    roles: frozenset[Role] = COMMUNE_ROLES  # PROVINCE_ROLES in the province's own store

    def add(
        self,
        name: str,
        role: str,
        password: str,
        now: datetime,
        *,
        village_id: str | None = None,
        actor: str | None = None,
    ) -> None:
        chosen = check_identity(name, role, village_id, self.villages, roles=self.roles)
        if len(password) < MIN_LENGTH:
            raise AccountError(f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự")
        with self.store.session() as session:
            if session.scalar(select(User.id).where(User.name == name)) is not None:
                raise AccountError(f"đã có người dùng '{name}'")
            session.add(
                User(
                    name=name,
                    role=chosen.value,
                    village_id=village_id,
                    password_hash=self.passwords.hash(password),
                    failed_logins=0,
                    created_at=now,
                )
            )
            event = UserAdded(at=now, name=name, role=chosen.value, village=village_id)
            self.store.record(session, event, actor=actor)

    def sign_in(self, name: str, password: str, now: datetime) -> Principal:
        """The principal for a correct name and password; LoginRefused otherwise (failures counted)."""
        wrong = LoginRefused("tên đăng nhập hoặc mật khẩu không đúng")
        with self.store.session() as session:  # commits on leaving: a failure count sticks
            user = session.scalar(select(User).where(User.name == name.strip().lower()))
            if user is None or user.disabled_at is not None:
                self.passwords.verify(self.passwords.dummy, password)  # the same work: no timing hint
                raise wrong
            if user.locked_until is not None and user.locked_until > now:
                minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
                raise LoginRefused(
                    f"tài khoản tạm khóa vì nhập sai mật khẩu {MAX_FAILURES} lần; thử lại sau {minutes} phút"
                )
            if self.passwords.verify(user.password_hash, password):
                user.failed_logins, user.locked_until = 0, None
                if self.passwords.needs_rehash(user.password_hash):
                    user.password_hash = self.passwords.hash(password)
                return Principal(user.name, Role(user.role), user.village_id)
            user.failed_logins += 1
            locked = user.failed_logins >= MAX_FAILURES
            if locked:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
            failed = SignInFailed(at=now, name=user.name, failures=user.failed_logins, locked=locked)
            self.store.record(session, failed)
        raise wrong

    def principal(self, name: str) -> Principal | None:
        """The current principal of a signed-in name (None once the user is gone or disabled)."""
        with self.store.session() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None or user.disabled_at is not None:
                return None
            return Principal(user.name, Role(user.role), user.village_id)

    def listing(self) -> list[dict[str, object]]:
        with self.store.session() as session:
            return [
                {
                    "name": u.name,
                    "role": u.role,
                    "village_id": u.village_id,
                    "locked_until": u.locked_until,
                    "disabled": u.disabled_at is not None,
                }
                for u in session.scalars(select(User).order_by(User.name))
            ]

    def set_password(self, name: str, password: str, now: datetime, *, actor: str | None = None) -> None:
        """A new password (which also lifts a lock-out)."""
        if len(password) < MIN_LENGTH:
            raise AccountError(f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự")
        with self.store.session() as session:
            user = self._user(session, name)
            user.password_hash = self.passwords.hash(password)
            user.failed_logins, user.locked_until = 0, None
            self.store.record(session, UserChanged(at=now, name=name, change="password"), actor=actor)

    def set_disabled(self, name: str, disabled: bool, now: datetime, *, actor: str | None = None) -> None:
        """Disable (signed out at the next request) or enable again; never one's own account."""
        if name == actor and disabled:
            raise AccountError("không thể tự khóa tài khoản của chính mình")
        with self.store.session() as session:
            user = self._user(session, name)
            user.disabled_at = now if disabled else None
            change = "disabled" if disabled else "enabled"
            self.store.record(session, UserChanged(at=now, name=name, change=change), actor=actor)

    @staticmethod
    def _user(session: Session, name: str) -> User:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"không có người dùng '{name}'")
        return user
