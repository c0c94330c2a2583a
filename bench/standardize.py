"""`standardize`: throughput of `standardize_records` on 1,000,000 master-like rows.

The rows come from `bench.std_synthetic.master_like`: a few thousand given names and
surnames (compound and hyphenated ones among them) and 200,000 distinct street lines (20%
of the rows, the mix of a real master file), so the work grows with the distinct values the
way it does on a real load. Building the rows is not timed; the call is.
"""

from __future__ import annotations

import time
from typing import Any

ROWS = 1_000_000
DISTINCT_STREETS = 200_000
TARGET_ROWS_PER_S = 100_000


def task(args: dict[str, Any]) -> dict[str, Any]:
    from bench.std_synthetic import master_like
    from crossverify.standardize import standardize_records

    rows = int(args.get("rows", ROWS))
    streets = int(args.get("streets", DISTINCT_STREETS))
    started = time.perf_counter()
    table = master_like(rows, streets)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    out = standardize_records(table)
    seconds = time.perf_counter() - started
    if out.num_rows != table.num_rows:
        raise AssertionError(f"standardize_records returned {out.num_rows} of {table.num_rows}")
    return {
        "rows": rows,
        "distinct_streets": streets,
        "build_s": round(build_s, 2),
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "met": rows / seconds >= TARGET_ROWS_PER_S,
    }
