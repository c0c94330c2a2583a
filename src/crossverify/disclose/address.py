"""Which address a match may disclose: the most recent tax year inside the requested period.

Ties on a year go to the latest received_date. No master row in the window is N4; rows in
the window but only from sources the policy withholds is N5. M1 when the requester's address
is that address (`link.address_sql.same_address`, built from the predicates the model's
address levels use), else M2 (updated_address mode) or M3 (verify_only: no address given).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.link.address_sql import same_address, table_alias
from crossverify.link.score import Scored, ScoredRows
from crossverify.link.sqlrow import compile_expression, parse, table_columns
from crossverify.policy import Policy

DISCLOSURE_COLUMNS = (
    "request_row",
    "outcome",
    "street",
    "city",
    "state",
    "zip",
    "tax_year",
    "source",
    "received_date",
)


REQUEST_ADDRESS_COLUMNS = (
    "addr_house_number",
    "addr_street_name",
    "addr_unit",
    "addr_urbanization",
    "addr_po_box",
    "addr_rural_route",
    "zip5",
    "city_std",
    "state_std",
)


def disclosures_sql(master: str, policy: Policy) -> str:
    """`master`: a relation holding every row of each matched taxpayer."""
    sources = ", ".join("'" + s.replace("'", "''") + "'" for s in policy.disclosable_sources)
    sources = sources or "NULL"
    updated = "'M2'" if policy.mode == "updated_address" else "'M3'"
    return f"""
        WITH window_rows AS (
            SELECT q.request_row, {same_address(table_alias("q"), table_alias("m"))}
                       AS same_as_request, m.*
            FROM cv_matches q
            JOIN {master} m
              ON m.tin = q.tin AND m.tax_year BETWEEN q.period_start AND q.period_end
        ),
        ranked AS (
            SELECT *, row_number() OVER (
                PARTITION BY request_row ORDER BY tax_year DESC, received_date DESC NULLS LAST,
                row_id DESC) AS rn
            FROM window_rows WHERE source IN ({sources})
        ),
        best AS (SELECT * FROM ranked WHERE rn = 1),
        in_window AS (SELECT DISTINCT request_row FROM window_rows)
        SELECT q.request_row,
               CASE WHEN b.request_row IS NOT NULL THEN
                        CASE WHEN b.same_as_request THEN 'M1' ELSE {updated} END
                    WHEN w.request_row IS NOT NULL THEN 'N5'
                    ELSE 'N4' END AS outcome,
               b.street, b.city, b.state, b.zip, b.tax_year, b.source,
               CAST(b.received_date AS VARCHAR) AS received_date
        FROM cv_matches q
        LEFT JOIN best b ON b.request_row = q.request_row
        LEFT JOIN in_window w ON w.request_row = q.request_row
    """


def pick_addresses(
    *,
    con: duckdb.DuckDBPyConnection,
    matches: pa.Table,
    scored: Scored | ScoredRows,
    policy: Policy,
) -> pa.Table:
    """`matches`: request_row, tin, period_start, period_end and REQUEST_ADDRESS_COLUMNS."""
    if isinstance(scored, ScoredRows):
        table = _disclosures_of_rows(matches, scored.master, policy)
    else:
        con.register("cv_matches", matches)
        try:
            table = con.sql(disclosures_sql(scored.master, policy)).to_arrow_table()
        finally:
            con.unregister("cv_matches")
    if policy.mode == "verify_only":
        # Verify-only mode never gives an address that the requester did not already have.
        blank = pa.nulls(len(table), pa.string())
        for col in ("street", "city", "state", "zip"):
            idx = table.column_names.index(col)
            keep = pc.equal(table["outcome"], "M1")
            table = table.set_column(idx, col, pc.if_else(keep, table[col], blank))
    return table.select(list(DISCLOSURE_COLUMNS))


_SAME_ADDRESS = compile_expression(
    parse(same_address(table_alias("q"), table_alias("m"))), table_columns({"q": 0, "m": 1})
)


def _disclosures_of_rows(matches: pa.Table, master: pa.Table, policy: Policy) -> pa.Table:
    """`disclosures_sql` on a lookup's few matches, in Python: the same window, sources,
    order and outcomes; `tests/pipeline/test_lookup_parity.py` holds the two together."""
    sources = set(policy.disclosable_sources)
    updated = "M2" if policy.mode == "updated_address" else "M3"
    rows_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in master.filter(pc.is_in(master["tin"], matches["tin"].combine_chunks())).to_pylist():
        rows_of[m["tin"]].append(m)
    out: list[dict[str, Any]] = []
    for q in matches.to_pylist():
        start, end = q["period_start"], q["period_end"]
        window = [
            m
            for m in rows_of[q["tin"]]
            if start is not None and end is not None and start <= m["tax_year"] <= end
        ]
        disclosable = [m for m in window if m["source"] in sources]
        answer: dict[str, Any] = {"request_row": q["request_row"]}
        if disclosable:
            # tax_year DESC, received_date DESC NULLS LAST, row_id DESC
            best = max(
                disclosable,
                key=lambda m: (
                    m["tax_year"],
                    m["received_date"] is not None,
                    m["received_date"] or "",
                    m["row_id"],
                ),
            )
            answer["outcome"] = "M1" if _SAME_ADDRESS((q, best)) else updated
            answer |= {c: best[c] for c in DISCLOSURE_COLUMNS[2:-1]}
            answer["received_date"] = _text(best["received_date"])
        else:
            answer["outcome"] = "N5" if window else "N4"
        out.append(answer)
    schema = pa.schema(
        [
            pa.field("request_row", pa.int64()),
            pa.field("outcome", pa.string()),
            *(pa.field(c, master.schema.field(c).type) for c in DISCLOSURE_COLUMNS[2:-1]),
            pa.field("received_date", pa.string()),
        ]
    )
    return pa.Table.from_pylist(out, schema=schema)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
