"""Engines, sessions and migrations: the one place that knows the database URL scheme.

SQLite is the embedded default, PostgreSQL (through psycopg 3) the production store. Nothing
here runs at import time: callers build an engine with `make_engine(url)`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR: Final = Path(__file__).with_name("migrations")

SQLITE_BEGIN_OPTION: Final = "crossverify_sqlite_begin"
"""Execution option naming the SQLite BEGIN mode of a connection's next transaction."""

SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
"""How long a SQLite writer waits for the write lock before failing with "database is locked"."""


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Build an engine for a SQLite or PostgreSQL URL.

    SQLite connections get foreign keys on, WAL journaling, a busy timeout and real
    transactions (SQLAlchemy emits BEGIN itself, so DDL is transactional and a writer can ask
    for BEGIN IMMEDIATE, see `write_connection`). A `postgresql://` or `postgres://` URL is
    given the psycopg 3 driver.

    Args:
        url: SQLAlchemy URL, e.g. `sqlite:///var/crossverify.db` or
            `postgresql://user@host:5432/crossverify`.
        echo: log every SQL statement (debugging).

    Returns:
        A new engine; the caller owns it and disposes of it.

    Examples:
        >>> engine = make_engine("sqlite:///:memory:")
        >>> engine.dialect.name
        'sqlite'
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _make_sqlite_engine(parsed, echo=echo)
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            echo=echo,
            pool_pre_ping=True,
            # Shows in pg_stat_activity and the server log next to every session.
            connect_args={"application_name": "crossverify"},
        )
    raise ValueError(
        f"unsupported database URL scheme {parsed.drivername!r}: "
        "use sqlite:///path/to/file.db or postgresql://user@host/dbname"
    )


def _make_sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        # A fresh data directory should not fail with "unable to open database file".
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Stop pysqlite from issuing its own BEGIN/COMMIT (it skips BEGIN before DDL and
        # cannot do BEGIN IMMEDIATE); the "begin" listener below emits BEGIN instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            # WAL lets readers proceed while one writer writes; synchronous stays at the
            # default FULL because the ledger is a legal record and must survive power loss.
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        mode = options.get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session maker for an engine.

    Objects stay readable after commit (`expire_on_commit=False`), so an API handler can
    return what it just stored without another round trip.

    Args:
        engine: from `make_engine`.

    Returns:
        A `sessionmaker`; use `with factory() as session:` or `with factory.begin() as session:`.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


def write_connection(*, session: Session) -> Connection:
    """Return the session's connection, making sure its transaction may write without racing.

    On SQLite a transaction that reads and then writes must start with BEGIN IMMEDIATE, or a
    concurrent writer makes it fail with "database is locked" instead of waiting. This asks for
    BEGIN IMMEDIATE when the session has not touched the database yet; if it already has, its
    transaction keeps the mode it began with. On PostgreSQL it returns the connection as is
    (row locks and advisory locks do the job there).

    Args:
        session: the caller's session; the caller commits.

    Returns:
        The connection the session's transaction runs on.
    """
    if session.get_bind().dialect.name != "sqlite":
        return session.connection()
    transaction = session.get_transaction()
    if transaction is not None and transaction.connections:
        return session.connection()
    return session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped in this package.

    Args:
        engine: when given, its URL is set as `sqlalchemy.url` (for Alembic commands that
            open their own connection).

    Returns:
        A `Config` usable with `alembic.command`.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        rendered = engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def migrate(engine: Engine, *, revision: str = "head") -> None:
    """Bring the schema up to `revision` (Alembic `upgrade`), in one transaction.

    Args:
        engine: from `make_engine`.
        revision: target revision; the newest by default.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, *, revision: str) -> None:
    """Take the schema down to `revision` (`"base"` removes every table). Tests and admins only.

    Args:
        engine: from `make_engine`.
        revision: target revision.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an unmigrated database.

    Args:
        engine: from `make_engine`.

    Returns:
        The revision id, e.g. `"0002"`, or None.
    """
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
