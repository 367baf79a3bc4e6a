"""The province's own accounts (role `province`): the provincial police (PC07) and the culture department
sign in once and read every commune.

They live in a store of the province, not in any commune's database, so no commune's admin can list,
change or lock them, and a commune's users never become province accounts. The store is the province's
shared database (`config.province.Province.database`: the shared SQLite file, or the `province` schema on
PostgreSQL), migrated like a commune's; only its users, tokens and audit rows are used.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from loa114.scheduler.accounts.passwords import Passwords
from loa114.scheduler.accounts.roles import PROVINCE_ROLES
from loa114.scheduler.accounts.tokens import Tokens
from loa114.scheduler.accounts.users import Users
from loa114.scheduler.db.engine import Database
from loa114.scheduler.events import EventLog, log_event
from loa114.scheduler.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProvinceAccounts:
    name: str  # the province's name, as the province file gives it
    users: Users
    tokens: Tokens

    @classmethod
    def open(cls, name: str, database: Database, passwords: Passwords | None = None) -> ProvinceAccounts:
        """The accounts in `database` (migrated here: a no-op when up to date)."""
        database.migrate()
        events = EventLog()
        events.subscribe(log_event)
        store = Store.open(database, events)
        log.debug("province accounts open province=%s schema=%s", name, database.schema)
        return cls(
            name=name,
            users=Users(store, passwords or Passwords(), (), roles=PROVINCE_ROLES),
            tokens=Tokens(store, (), roles=PROVINCE_ROLES),
        )

    @property
    def store(self) -> Store:
        return self.users.store
