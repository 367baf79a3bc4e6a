"""Engine, sessions and migrations. SQLite (WAL) by default, PostgreSQL by URL — the same code."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

from loa114.scheduler.errors import LoaError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 114_2026_0001  # pg_advisory_lock key held while one process migrates


class DatabaseError(LoaError):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # a fleet process serves many communes from this one pool: room for their airing and publishing at once
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def head_revision() -> str:
    """The newest migration's revision id, read from the migration files (no Alembic import needed)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if found := re.search(r'^revision = "([^"]+)"', source, re.MULTILINE):
            revisions.add(found[1])
        if found := re.search(r'^down_revision = "([^"]+)"', source, re.MULTILINE):
            parents.add(found[1])
    (head,) = revisions - parents
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no table yet: a fresh database
        return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations (run at every start; a no-op when up to date). Alembic is imported
    only when there is something to do: a command reading an up-to-date database starts faster.

    Several processes may start together on a fresh database (`loa serve` on a province's PostgreSQL):
    one migrates at a time (`_migration_lock`), and the ones that waited find the database at head and do
    nothing. On SQLite the migration's transaction starts with `BEGIN IMMEDIATE`, which takes the
    database's write lock before the first read, so a second process waits (busy timeout) for the first."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    try:
        with _migration_lock(engine), engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            if revision == "head" and _revision_on(connection) == head_revision():
                log.info("database already at head: migrated by another process meanwhile")
                return
            _run_alembic(connection, revision)
    except OperationalError as exc:
        raise DatabaseError(f"không kết nối được cơ sở dữ liệu {engine.url!r}: {exc.orig}") from None


def _revision_on(connection: Connection) -> str | None:
    """The revision as this (locked) connection sees it; never fails, so a PostgreSQL transaction is not
    aborted by a missing table."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _run_alembic(connection: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold the session advisory lock `MIGRATION_LOCK_KEY` on a connection of its own
    (outside any transaction) while the body runs; other processes wait for it. Elsewhere, nothing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        key = {"key": MIGRATION_LOCK_KEY}
        if not lock.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar():
            log.info("waiting for another process to finish migrating the database")
            lock.execute(text("SELECT pg_advisory_lock(:key)"), key)
        try:
            yield
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), key)


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False


class WriteCounter:
    """How many transactions that wrote something this process has committed: a page kept in memory is
    still current while this number has not moved (web/pagecache.py). Other processes' writes are not
    seen here; the page cache bounds those by its time to live."""

    READS = ("SELECT", "PRAGMA", "SHOW", "BEGIN", "SAVEPOINT", "RELEASE", "SET LOCAL")

    def __init__(self, engine: Engine) -> None:
        self.value = 0
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._executing)
        event.listen(engine, "commit", self._committed)
        event.listen(engine, "rollback", self._rolled_back)

    def _executing(self, connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:9].upper().startswith(self.READS):
            connection.info["wrote"] = True

    def _committed(self, connection: Any) -> None:
        if connection.info.pop("wrote", False):
            self.bump()

    def bump(self) -> None:
        """A write committed on another engine of the same pool (a joint transaction of several communes)."""
        with self._lock:
            self.value += 1

    def _rolled_back(self, connection: Any) -> None:
        connection.info.pop("wrote", None)


class Database:
    """The engine plus a session factory; `session()` is one transaction. The ORM is imported on the
    first session: a command that only reads through Core (`broadcasts list`) starts without it.

    `schema`: a commune of a province on PostgreSQL keeps its tables in its own schema; every transaction
    starts with `SET LOCAL search_path` to it. `base`: an engine shared by the communes of one process (one
    pool for all of them); a Database never disposes an engine it was given."""

    def __init__(self, url: str, *, schema: str | None = None, base: Engine | None = None):
        self.base = base if base is not None else make_engine(url)
        self._owns_base = base is None
        self.schema = schema
        self.engine = self.base if schema is None else in_schema(self.base, schema)
        self.writes = WriteCounter(self.engine)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> Database:
        if self.schema is not None:  # IF NOT EXISTS is no guard against a process creating it at once
            with _migration_lock(self.base), self.base.begin() as connection:
                connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
        upgrade(self.engine)
        return self

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def switch_to(self, connection: Connection) -> None:
        """Point a transaction of the shared pool at this commune's tables, for what follows in it (a joint
        transaction of several communes switches between them)."""
        connection.exec_driver_sql(_search_path(self.schema))

    def dispose(self) -> None:
        if self._owns_base:
            self.base.dispose()


class Engines:
    """The engines of a process that works for several communes: one per database URL, so the communes of a
    PostgreSQL province share one pool and each SQLite commune keeps its own file."""

    def __init__(self) -> None:
        self._by_url: dict[str, Engine] = {}

    def engine(self, url: str) -> Engine:
        if url not in self._by_url:
            self._by_url[url] = make_engine(url)
        return self._by_url[url]

    def database(self, url: str, schema: str | None) -> Database:
        return Database(url, schema=schema, base=self.engine(url))

    def dispose(self) -> None:
        for engine in self._by_url.values():
            engine.dispose()


def in_schema(engine: Engine, schema: str) -> Engine:
    """The same pool, each transaction in `schema` (its rows are the only ones it can see)."""
    scoped = engine.execution_options(loa_schema=schema)
    statement = _search_path(schema)

    def enter(connection: Any) -> None:
        connection.exec_driver_sql(statement)

    event.listen(scoped, "begin", enter)
    return scoped


def _search_path(schema: str | None) -> str:
    """The statement that puts the rest of a transaction in `schema` (None: the database's default)."""
    return f'SET LOCAL search_path TO "{schema}"' if schema else "SET LOCAL search_path TO DEFAULT"
