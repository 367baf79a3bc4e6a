"""Who may use the web interface and the API: people (users with a password) and other systems (tokens).

Owns: the roles and what each may do (`roles`), password hashing (`passwords`, argon2), users with
lock-out after repeated failed sign-ins (`users`), API tokens stored as hashes (`tokens`), and the
province's own accounts, kept apart from every commune's (`province`).

May import `store`, `events`, `config`, `db`, `errors`. Never `programs`, `campaign`, `service`, `web`, `cli`.
"""

from loa114.scheduler.accounts.province import ProvinceAccounts
from loa114.scheduler.accounts.roles import COMMUNE_ROLES, PROVINCE_ROLES, ROLE_LABELS, Principal, Role
from loa114.scheduler.accounts.tokens import Tokens
from loa114.scheduler.accounts.users import AccountError, LoginRefused, Users

__all__ = [
    "COMMUNE_ROLES",
    "PROVINCE_ROLES",
    "ROLE_LABELS",
    "AccountError",
    "LoginRefused",
    "Principal",
    "ProvinceAccounts",
    "Role",
    "Tokens",
    "Users",
]
