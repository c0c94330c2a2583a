"""Training samples the same taxpayers on every run, whatever the threads: a model is
reproducible from its master file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from crossverify.link.train import sampled_taxpayers_sql


def _sample(master: Path, seed: int) -> list[str]:
    con = duckdb.connect()
    con.execute("SET threads = 2")
    rows = con.execute(sampled_taxpayers_sql(master, 1_000, seed)).fetchall()
    return [tin for (tin,) in rows]


def test_the_sample_is_the_same_on_every_run(tmp_path: Path) -> None:
    tins = [f"{n:09d}" for n in range(200_000)]
    master = tmp_path / "master.parquet"
    # Several rows per taxpayer over many row groups: DISTINCT and a parallel scan reorder them.
    rows = (tins * 3)[::7] + tins
    pq.write_table(pa.table({"tin": rows}), master, row_group_size=10_000)
    first = _sample(master, seed=42)
    assert len(first) == len(set(first)) == 1_000
    assert all(_sample(master, seed=42) == first for _ in range(3))
    assert set(_sample(master, seed=7)) != set(first)
