"""Alembic environment: runs on the connection `store.engine.migrate` hands over.

Used without one (e.g. `alembic -x url=... upgrade head` with a config naming this
directory), it opens its own engine through `make_engine`. New revisions: write them by hand
or autogenerate against `crossverify.store.tables.Base.metadata`; keep revision ids as
zero-padded numbers ("0003") and file names as `vNNNN_slug.py`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from crossverify.store.engine import make_engine
from crossverify.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass -x url=... or set sqlalchemy.url")
    engine = make_engine(url)
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
