"""The Vietnamese pages, one module per page; `PAGES` is the menu (each entry shown only to its roles).

A page module holds an `APIRouter` named `router` (hidden from the OpenAPI schema) and registers itself in
`PAGES` with the roles that may open it; `web.app` mounts every module listed in `MODULES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from loa114.scheduler.accounts import Role


@dataclass(frozen=True)
class Page:
    path: str
    label: str
    roles: tuple[Role, ...]  # who sees it in the menu (admins always)


PAGES: list[Page] = []


def page(path: str, label: str, *roles: Role) -> Page:
    """Register a menu entry (idempotent: a module imported twice registers once)."""
    entry = Page(path, label, roles)
    if entry not in PAGES:
        PAGES.append(entry)
    return entry


MODULES = [  # mounted in this order (the menu's order); each has `router`
    "home",
    "scripts",
    "schedule",
    "today",
    "alert",
    "coverage",
    "reminders",
    "report",
    "reports",
    "admin",
    "province",  # no menu entry: province accounts only
]
