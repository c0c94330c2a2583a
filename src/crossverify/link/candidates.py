"""Roll pair scores (request x address-year row) up to request x taxpayer candidates.

A taxpayer is one candidate however many years and sources it has on file: its score is its
best row, address corroboration the best address agreement over its rows, and a Jr/Sr or a
second surname on any of its returns counts against a request that says otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pyarrow as pa

from crossverify.link import model
from crossverify.link.score import REQUESTS_TABLE, Scored, ScoredRows
from crossverify.link.sqlrow import compile_expression, damerau_levenshtein, parse, table_columns


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
                       WHERE {second_surname_sql("")}
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
            coalesce({second_surname_sql("r.")} AND len(h.surname_2s) > 0
                     AND len(list_filter(h.surname_2s,
                             lambda s: damerau_levenshtein(s, r.surname_2) <= 1)) = 0, false)
                AS surname_2_conflict
        FROM cand
        JOIN history h USING (tin)
        JOIN {requests_table} r ON r.unique_id = cand.request_row
    """


def second_surname_sql(prefix: str) -> str:
    """The row's surname_2 is a second surname, not the tail of a "DE" particle (a married
    name, PEREZ DE LOPEZ): only a second surname can conflict with another."""
    return (
        f"{prefix}surname_2 IS NOT NULL "
        f"AND {prefix}surname_std NOT LIKE '% DE ' || {prefix}surname_2"
    )


def roll_up(
    *,
    con: duckdb.DuckDBPyConnection,
    scored: Scored | ScoredRows,
    requests: pa.Table,
    prior_weight: float,
) -> pa.Table:
    """Return one row per (request_row, tin) with the best evidence for that taxpayer,
    by request, then weight (best first), then TIN."""
    if isinstance(scored, ScoredRows):
        return _roll_up_rows(scored, requests, prior_weight)
    return con.sql(
        candidates_sql(scored.pairs_table, REQUESTS_TABLE, scored.master, prior_weight)
        + " ORDER BY request_row, match_weight DESC, tin"  # ties: the same order every run
    ).to_arrow_table()


_SECOND_SURNAME = compile_expression(parse(second_surname_sql("m.")), table_columns({"m": 0}))


def _roll_up_rows(scored: ScoredRows, requests: pa.Table, prior_weight: float) -> pa.Table:
    """`candidates_sql` on a lookup's few pairs, in Python: DuckDB would spend longer planning
    it than the lookup may take. The same picks and tie-breaks;
    `tests/pipeline/test_lookup_parity.py` holds the two to the same decisions."""
    names = model.comparison_names()
    history_columns = ["row_id", "tin", "tax_year", "suffix_std", "surname_2", "surname_std"]
    master = {m["row_id"]: m for m in scored.master.select(history_columns).to_pylist()}
    suffixes: dict[str, set[str]] = defaultdict(set)
    surname_2s: dict[str, set[str]] = defaultdict(set)
    for m in master.values():
        if m["suffix_std"] is not None:
            suffixes[m["tin"]].add(m["suffix_std"])
        if _SECOND_SURNAME((m,)) is True:
            surname_2s[m["tin"]].add(m["surname_2"])
    asked = {
        r["request_row"]: r
        for r in requests.select(
            ["request_row", "suffix_std", "surname_2", "surname_std"]
        ).to_pylist()
    }
    groups: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for pair in scored.pairs.to_pylist():
        row = master[pair["row_id"]]
        pair["tin"], pair["tax_year"] = row["tin"], row["tax_year"]
        groups[(pair["request_row"], row["tin"])].append(pair)
    candidates = []
    for (request_row, tin), rows in groups.items():
        best = max(rows, key=lambda p: (p["match_weight"], p["row_id"]))
        address = max(rows, key=lambda p: (p["gamma_address"], p["tax_year"], p["row_id"]))
        candidate: dict[str, Any] = {
            "request_row": request_row,
            "tin": tin,
            "best_row_id": best["row_id"],
            "best_tax_year": best["tax_year"],
            "address_row_id": address["row_id"],
            "address_tax_year": address["tax_year"],
            "n_rows": len(rows),
        }
        for n in names:
            gamma, weight = f"gamma_{n}", f"mw_{n}"
            if n == "suffix":
                worst = min(rows, key=lambda p: (p[gamma], p[weight]))
                candidate[gamma], candidate[weight] = worst[gamma], worst[weight]
                continue
            chosen = max(rows, key=lambda p: (p[gamma] != model.NULL_LEVEL, p[weight], p[gamma]))
            candidate[gamma], candidate[weight] = chosen[gamma], chosen[weight]
        total = prior_weight
        for n in names:
            total += candidate[f"mw_{n}"]
        candidate["match_weight"] = total
        request = asked[request_row]
        candidate["gamma_suffix"] = min(
            candidate["gamma_suffix"], _suffix_level(request["suffix_std"], suffixes[tin])
        )
        candidate["surname_2_conflict"] = (
            _SECOND_SURNAME((request,)) is True
            and bool(surname_2s[tin])
            and not any(damerau_levenshtein(s, request["surname_2"]) <= 1 for s in surname_2s[tin])
        )
        candidates.append(candidate)
    candidates.sort(key=lambda c: (c["request_row"], -c["match_weight"], c["tin"]))
    return pa.Table.from_pylist(candidates, schema=_candidates_schema(scored))


def _suffix_level(asked: str | None, on_file: set[str]) -> int:
    """`candidates_sql`'s Jr/Sr level of the taxpayer's whole history."""
    if asked is None and not on_file:
        return 2
    if asked is None or not on_file:
        return 1
    return 2 if on_file == {asked} else 0


def _candidates_schema(scored: ScoredRows) -> pa.Schema:
    pairs, master = scored.pairs.schema, scored.master.schema
    year = master.field("tax_year").type
    fields = [
        pa.field("request_row", pa.int64()),
        pa.field("tin", pa.string()),
        pa.field("best_row_id", pa.int64()),
        pa.field("best_tax_year", year),
        pa.field("address_row_id", pa.int64()),
        pa.field("address_tax_year", year),
        pa.field("n_rows", pa.int64()),
    ]
    for n in model.comparison_names():
        fields += [pairs.field(f"gamma_{n}"), pairs.field(f"mw_{n}")]
    return pa.schema(
        [
            *fields,
            pa.field("match_weight", pa.float64()),
            pa.field("surname_2_conflict", pa.bool_()),
        ]
    )
