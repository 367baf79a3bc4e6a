"""API tokens for other systems: shown once when created, kept only as a SHA-256 hash.

A token is 32 random bytes, so a plain hash is enough (no slow hash needed) and a lookup is one index hit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from loa114.scheduler.accounts.roles import COMMUNE_ROLES, Principal, Role
from loa114.scheduler.accounts.users import AccountError, check_identity
from loa114.scheduler.config import Village
from loa114.scheduler.db.models import ApiToken
from loa114.scheduler.events import TokenCreated, TokenRevoked
from loa114.scheduler.store import Store

PREFIX = "loa114_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Tokens:
    store: Store
    villages: Sequence[Village]
    roles: frozenset[Role] = COMMUNE_ROLES  # PROVINCE_ROLES in the province's own store

    def create(
        self, name: str, role: str, now: datetime, *, village_id: str | None = None, actor: str | None = None
    ) -> str:
        """A new token (returned once, never stored in clear)."""
        chosen = check_identity(
            name, role, village_id, self.villages, noun="tên mã truy cập", roles=self.roles
        )
        token = PREFIX + secrets.token_urlsafe(32)
        with self.store.session() as session:
            if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
                raise AccountError(f"đã có mã truy cập tên '{name}': chọn tên khác hoặc thu hồi mã cũ")
            session.add(
                ApiToken(
                    name=name,
                    role=chosen.value,
                    village_id=village_id,
                    token_hash=_digest(token),
                    created_at=now,
                )
            )
            event = TokenCreated(at=now, name=name, role=chosen.value, village=village_id)
            self.store.record(session, event, actor=actor)
        return token

    def principal(self, token: str, now: datetime) -> Principal | None:
        """Who holds `token`, or None for an unknown or revoked one."""
        if not token.startswith(PREFIX):
            return None
        with self.store.session() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
            if row is None or row.revoked_at is not None:
                return None
            row.last_used_at = now
            return Principal(row.name, Role(row.role), row.village_id, via_token=True)

    def listing(self) -> list[dict[str, object]]:
        with self.store.session() as session:
            return [
                {
                    "name": t.name,
                    "role": t.role,
                    "village_id": t.village_id,
                    "created_at": t.created_at,
                    "last_used_at": t.last_used_at,
                    "revoked": t.revoked_at is not None,
                }
                for t in session.scalars(select(ApiToken).order_by(ApiToken.name))
            ]

    def revoke(self, name: str, now: datetime, *, actor: str | None = None) -> None:
        with self.store.session() as session:
            row = session.scalar(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)))
            if row is None:
                raise AccountError(f"không có mã truy cập đang dùng tên '{name}'")
            row.revoked_at = now
            self.store.record(session, TokenRevoked(at=now, name=name), actor=actor)
