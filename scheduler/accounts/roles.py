"""The roles and who is asking: a signed-in person or a system holding an API token.

Five roles belong to one commune (its own database); `province` belongs to the province (the provincial
police PC07, the culture department): it reads every commune and changes none."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything, including users and tokens
    OFFICE = "office"  # scripts (drafts) and the schedule; reads coverage and broadcasts
    OPERATOR = "operator"  # today's programs; records aired / not aired
    POLICE = "police"  # approves scripts; coverage, imports, reminders, reports; urgent alerts
    VILLAGE_HEAD = "village_head"  # their own village only
    PROVINCE = "province"  # a province's account: reads every commune, changes nothing


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "quản trị",
    Role.OFFICE: "văn hóa - xã hội",
    Role.OPERATOR: "trực loa",
    Role.POLICE: "công an xã",
    Role.VILLAGE_HEAD: "trưởng thôn",
    Role.PROVINCE: "cấp tỉnh",
}
COMMUNE_ROLES = frozenset(Role) - {Role.PROVINCE}  # kept in a commune's database
PROVINCE_ROLES = frozenset({Role.PROVINCE})  # kept in the province's own store


@dataclass(frozen=True)
class Principal:
    """Who is asking. `village_id` is set for a village head (and only for one)."""

    name: str
    role: Role
    village_id: str | None = None
    via_token: bool = False

    def may(self, *roles: Role) -> bool:
        """True for a commune admin, or when the principal's role is one of `roles`."""
        return self.role == Role.ADMIN or self.role in roles

    @property
    def province(self) -> bool:
        """A province account: reads every commune, changes none (web/auth.py enforces it)."""
        return self.role == Role.PROVINCE

    def may_see_village(self, village_id: str) -> bool:
        """A village head sees only their own village; every other role sees all."""
        return self.role != Role.VILLAGE_HEAD or self.village_id == village_id
