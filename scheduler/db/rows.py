"""Row helpers every room shares: get-or-insert on a unique key (the row a query finds, or a new one
inserted in a savepoint), many rows inserted unless their key is taken (or updated when it is), and the
conditional UPDATE whose row count says who won.

The unique constraint, not a lock, settles two processes inserting the same key at once: the one whose
insert fails takes the row the other inserted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def insert_missing(
    session: Session, model: type[Any], values: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Insert the rows whose unique `keys` are not taken yet; the others are left alone (`ON CONFLICT DO
    NOTHING`, which SQLite and PostgreSQL both speak)."""
    if values:
        statement = _insert(session, model).on_conflict_do_nothing(index_elements=list(keys))
        session.connection().execute(statement, list(values))


def upsert(session: Session, model: type[Any], values: Sequence[dict[str, Any]], keys: Sequence[str]) -> None:
    """Insert the rows; a row whose unique `keys` are taken gets the new values instead (`ON CONFLICT DO
    UPDATE`)."""
    if not values:
        return
    statement = _insert(session, model)
    changed = {name: statement.excluded[name] for name in values[0] if name not in keys}
    session.connection().execute(
        statement.on_conflict_do_update(index_elements=list(keys), set_=changed), list(values)
    )


def _insert(session: Session, model: type[Any]) -> Any:
    """The dialect's INSERT, with its ON CONFLICT clauses. Given the rows as parameters, not as VALUES, the
    statement compiles once and is cached: a multi-row VALUES was compiled again each time, and at 05:30 that
    compiling was a fifth of the interpreter's time."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(model)


def update_rows(session: Session, statement: Update) -> int:
    """Run a conditional UPDATE (the claim of a row, a guarded status change) and return how many rows
    it changed: 0 means the condition no longer held, e.g. another worker got there first."""
    result = cast("CursorResult[Any]", session.execute(statement))
    return result.rowcount
