"""Row helpers every room shares: get-or-insert on a unique key (the row a query finds, or a new one
inserted in a savepoint), and the conditional UPDATE whose row count says who won.

The unique constraint, not a lock, settles two processes inserting the same key at once: the one whose
insert fails takes the row the other inserted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Select, Update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def get_or_insert(session: Session, query: Select[Any], make: Callable[[], Row]) -> tuple[Row, bool]:
    """(the row, whether this call inserted it)."""
    existing = session.scalar(query)
    if existing is not None:
        return existing, False
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
        return row, True
    except IntegrityError:
        return session.scalars(query).one(), False


def update_rows(session: Session, statement: Update) -> int:
    """Run a conditional UPDATE (the claim of a row, a guarded status change) and return how many rows
    it changed: 0 means the condition no longer held, e.g. another worker got there first."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount
