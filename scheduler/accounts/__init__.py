"""Who may use the web interface and the API: people (users with a password) and other systems (tokens).

Owns: the roles and what each may do (`roles`), password hashing (`passwords`, argon2), users with
lock-out after repeated failed sign-ins (`users`), API tokens stored as hashes (`tokens`).

May import `store`, `events`, `config`, `db`, `errors`. Never `programs`, `campaign`, `service`, `web`, `cli`.
"""

from loa114.scheduler.accounts.roles import ROLE_LABELS, Principal, Role
from loa114.scheduler.accounts.tokens import Tokens
from loa114.scheduler.accounts.users import AccountError, LoginRefused, Users

__all__ = ["ROLE_LABELS", "AccountError", "LoginRefused", "Principal", "Role", "Tokens", "Users"]
