"""Roll pair scores (request x address-year row) up to request x taxpayer candidates.

A taxpayer is one candidate however many years and sources it has on file: its score is its
best row, address corroboration the best address agreement over its rows, and a Jr/Sr or a
second surname on any of its returns counts against a request that says otherwise.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from crossverify.link import model


def candidates_sql(pairs_table: str, requests_table: str, master: str, prior_weight: float) -> str:
    """One row per (request, taxpayer). All rows of a taxpayer are that one person's records,
    so each field takes its best-agreeing row (the name in full on one return, the address
    the requester gave on another) among the rows where it is known: a W-2 without a date of
    birth does not hide the conflicting one on the 1040s. Jr/Sr takes its worst, since a
    "JR" on any return means a namesake exists. The taxpayer's weight is the prior plus
    those fields' weights.
    Ties are broken by the level and then the row, so every run picks the same row.
    `master` is a relation holding (at least) every row of each scored taxpayer."""
    names = model.comparison_names()

    def pick(n: str) -> str:
        if n == "suffix":
            return (
                "min(p.gamma_suffix) AS gamma_suffix, "
                "arg_min(p.mw_suffix, (p.gamma_suffix, p.mw_suffix)) AS mw_suffix"
            )
        known = f"p.gamma_{n} <> {model.NULL_LEVEL}"
        return (
            f"arg_max(p.gamma_{n}, ({known}, p.mw_{n}, p.gamma_{n})) AS gamma_{n}, "
            f"arg_max(p.mw_{n}, ({known}, p.mw_{n}, p.gamma_{n})) AS mw_{n}"
        )

    fields = ",\n                ".join(pick(n) for n in names)
    total = " + ".join(f"mw_{n}" for n in names)
    return f"""
        WITH per_taxpayer AS (
            SELECT
                p.request_row,
                m.tin,
                arg_max(p.row_id, (p.match_weight, p.row_id)) AS best_row_id,
                arg_max(m.tax_year, (p.match_weight, p.row_id)) AS best_tax_year,
                arg_max(p.row_id, (p.gamma_address, m.tax_year, p.row_id)) AS address_row_id,
                arg_max(m.tax_year, (p.gamma_address, m.tax_year, p.row_id))
                    AS address_tax_year,
                count(*) AS n_rows,
                {fields}
            FROM {pairs_table} p
            JOIN {master} m ON m.row_id = p.row_id
            GROUP BY p.request_row, m.tin
        ),
        cand AS (SELECT *, {prior_weight!r} + {total} AS match_weight FROM per_taxpayer),
        -- The taxpayer's whole history, not only the rows blocking brought in.
        history AS (
            SELECT tin,
                   coalesce(list(DISTINCT suffix_std) FILTER (WHERE suffix_std IS NOT NULL), [])
                       AS suffixes,
                   coalesce(list(DISTINCT surname_2) FILTER (
                       WHERE surname_2 IS NOT NULL AND surname_std NOT LIKE '% DE ' || surname_2
                   ), []) AS surname_2s
            FROM {master}
            WHERE tin IN (SELECT DISTINCT tin FROM cand)
            GROUP BY tin
        )
        SELECT
            cand.* REPLACE (
                least(cand.gamma_suffix, CASE
                    WHEN r.suffix_std IS NULL AND len(h.suffixes) = 0 THEN 2
                    WHEN r.suffix_std IS NULL OR len(h.suffixes) = 0 THEN 1
                    WHEN h.suffixes = [r.suffix_std] THEN 2
                    ELSE 0 END) AS gamma_suffix
            ),
            coalesce(r.surname_2 IS NOT NULL AND len(h.surname_2s) > 0
                     AND r.surname_std NOT LIKE '% DE ' || r.surname_2
                     AND len(list_filter(h.surname_2s,
                             lambda s: damerau_levenshtein(s, r.surname_2) <= 1)) = 0, false)
                AS surname_2_conflict
        FROM cand
        JOIN history h USING (tin)
        JOIN {requests_table} r ON r.unique_id = cand.request_row
    """


def roll_up(
    *,
    con: duckdb.DuckDBPyConnection,
    pairs_table: str,
    requests_table: str,
    master: str,
    prior_weight: float,
) -> pa.Table:
    """Return one row per (request_row, tin) with the best evidence for that taxpayer."""
    return con.sql(
        candidates_sql(pairs_table, requests_table, master, prior_weight)
        + " ORDER BY request_row, match_weight DESC, tin"  # ties: the same order every run
    ).to_arrow_table()
