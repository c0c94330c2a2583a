"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from crossverify.store.engine import (
    alembic_config,
    current_revision,
    downgrade,
    make_engine,
    migrate,
)
from crossverify.store.tables import Base

TABLES = {"users", "batches", "record_outcomes", "approvals", "ledger"}
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrate_builds_every_table_on_an_empty_database(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == HEAD
        assert set(inspect(engine).get_table_names()) >= TABLES
        migrate(engine)  # already at head: nothing to do, no error
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(store_engine: Engine) -> None:
    with store_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_back(store_engine: Engine) -> None:
    downgrade(store_engine, revision="base")
    assert not TABLES & set(inspect(store_engine).get_table_names())
    migrate(store_engine)
    assert set(inspect(store_engine).get_table_names()) >= TABLES


def test_sqlite_connections_get_foreign_keys_wal_and_busy_timeout(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/crossverify.db")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    finally:
        engine.dispose()


def test_postgresql_urls_use_psycopg_3() -> None:
    for url in ("postgresql://u@localhost/db", "postgresql+psycopg2://u@localhost/db"):
        engine = make_engine(url)
        assert engine.dialect.driver == "psycopg"
        engine.dispose()


def test_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        make_engine("mysql://u@localhost/db")
