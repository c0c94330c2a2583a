"""Fast bulk INSERT of many plain rows: executemany on SQLite, COPY on PostgreSQL.

SQLAlchemy's per-row parameter processing costs more than the database's own work at
100k rows, so rows arrive here already in database form (str, int, float, bool, None,
datetime) and go to the driver directly. Constraints and triggers still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any, Final

import psycopg
from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

CHUNK_ROWS: Final = 10_000
"""Rows per executemany call on SQLite (bounds memory for generators)."""


def insert_rows(
    *, session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows into `table` within the session's transaction.

    Args:
        session: the caller's session; the caller commits.
        table: the target table.
        columns: the column names the row values are for, in order.
        rows: one sequence of values per row, already converted for the database.

    Returns:
        The number of rows inserted.

    Raises:
        sqlalchemy.exc.IntegrityError: a row breaks a constraint (the transaction is then
            unusable on PostgreSQL and must be rolled back).
    """
    unknown = [name for name in columns if name not in table.columns]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {unknown}")
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    column_list = ", ".join(quote(name) for name in columns)
    if dialect.name == "postgresql":
        return _copy_rows(
            connection.connection.driver_connection, quote(table.name), column_list, rows
        )
    if dialect.name == "sqlite":
        placeholders = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote(table.name)} ({column_list}) VALUES ({placeholders})"
        count = 0
        iterator = iter(rows)
        while chunk := [tuple(row) for row in islice(iterator, CHUNK_ROWS)]:
            connection.exec_driver_sql(sql, chunk)
            count += len(chunk)
        return count
    count = 0
    iterator = iter(rows)
    while params := [dict(zip(columns, row, strict=True)) for row in islice(iterator, CHUNK_ROWS)]:
        connection.execute(insert(table), params)
        count += len(params)
    return count


def _copy_rows(
    driver_connection: Any, table_name: str, column_list: str, rows: Iterable[Sequence[Any]]
) -> int:
    """COPY FROM STDIN through psycopg 3, in the transaction already open on the connection."""
    sql = f"COPY {table_name} ({column_list}) FROM STDIN"
    count = 0
    try:
        with driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    except psycopg.errors.IntegrityError as exc:
        # Match what SQLAlchemy raises for the same failure through execute().
        raise IntegrityError(sql, None, exc) from exc
    return count
