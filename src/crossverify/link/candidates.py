"""Roll pair scores (request x address-year row) up to request x taxpayer candidates.

A taxpayer is one candidate however many years and sources it has on file: its score is its
best row, and address corroboration is the best address agreement over its whole history.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from crossverify.link import model

CANDIDATE_COLUMNS: tuple[str, ...] = (
    "request_row",
    "tin",
    "match_weight",
    "best_row_id",
    "best_tax_year",
    "address_row_id",
    "address_tax_year",
    "n_rows",
    *(f"gamma_{name}" for name in model.comparison_names()),
    *(f"bf_{name}" for name in model.comparison_names()),
)


def candidates_sql(pairs_table: str, master_parquet: Path) -> str:
    gammas_best = ", ".join(
        f"arg_max(p.gamma_{n}, p.match_weight) AS gamma_{n}"
        for n in model.comparison_names()
        if n != "address"
    )
    bfs_best = ", ".join(
        f"arg_max(p.bf_{n}, p.match_weight) AS bf_{n}" for n in model.comparison_names()
    )
    return f"""
        SELECT
            p.request_row,
            m.tin,
            max(p.match_weight) AS match_weight,
            arg_max(p.row_id, p.match_weight) AS best_row_id,
            arg_max(m.tax_year, p.match_weight) AS best_tax_year,
            arg_max(p.row_id, p.gamma_address * 100000 + m.tax_year) AS address_row_id,
            arg_max(m.tax_year, p.gamma_address * 100000 + m.tax_year) AS address_tax_year,
            count(*) AS n_rows,
            {gammas_best},
            max(p.gamma_address) AS gamma_address,
            {bfs_best}
        FROM {pairs_table} p
        JOIN read_parquet('{master_parquet.as_posix()}') m ON m.row_id = p.row_id
        GROUP BY p.request_row, m.tin
    """


def roll_up(*, con: duckdb.DuckDBPyConnection, pairs_table: str, master_parquet: Path) -> pa.Table:
    """Return one row per (request_row, tin) with the best evidence for that taxpayer."""
    return con.sql(
        candidates_sql(pairs_table, master_parquet) + " ORDER BY request_row, match_weight DESC"
    ).to_arrow_table()
