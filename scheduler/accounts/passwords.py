"""Password hashing with argon2id (argon2-cffi): the one seam that knows how a password is kept."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8


class Passwords:
    """Hash and verify; `fast()` for tests (same algorithm, tiny cost, so suites stay quick)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self.dummy = self.hasher.hash("not anyone's password")  # verified for unknown names

    @classmethod
    def fast(cls) -> Passwords:
        return cls(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)
