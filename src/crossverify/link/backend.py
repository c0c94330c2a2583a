"""The only place that builds a Splink database API (and, later, the only one to import pyspark)."""

from __future__ import annotations

import duckdb
from splink import DuckDBAPI

from crossverify.config import Settings


def make_duckdb(settings: Settings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB sized by configuration; spills to data_dir/tmp when memory runs out."""
    spill = settings.data_dir / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
    con.execute(f"SET threads = {int(settings.duckdb_threads)}")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def make_db_api(con: duckdb.DuckDBPyConnection) -> DuckDBAPI:
    return DuckDBAPI(connection=con)
