"""Store fixtures: every test that asks for them runs on SQLite and on PostgreSQL.

PostgreSQL: one database per test session, named uniquely and dropped at the end
(`CROSSVERIFY_TEST_PG_URL` points at the server; default the local test server). Each test
gets an empty `public` schema. Skip those runs with `-m "not postgres"`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crossverify.store.engine import make_engine, migrate, session_factory

PG_SERVER_URL = os.environ.get(
    "CROSSVERIFY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A PostgreSQL database of this test session's own, dropped when the session ends."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"crossverify_test_{worker}_{uuid.uuid4().hex[:12]}"
    server = make_url(PG_SERVER_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_pg_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of an empty, unmigrated database: a fresh SQLite file, or an emptied PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store') / 'crossverify.db'}"
    url: str = request.getfixturevalue("pg_database_url")
    _reset_pg_schema(url)
    return url


@pytest.fixture
def store_engine(store_url: str) -> Iterator[Engine]:
    """A migrated database's engine (disposed after the test)."""
    engine = make_engine(store_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store_sessions(store_engine: Engine) -> sessionmaker[Session]:
    """The session factory of the migrated test database."""
    return session_factory(store_engine)


@pytest.fixture
def store_session(store_sessions: sessionmaker[Session]) -> Iterator[Session]:
    """An open session; the test commits what other sessions must see."""
    with store_sessions() as session:
        yield session
