"""The link stage on Spark (local[2]) decides every request exactly as on DuckDB.

One small generated world, trained on DuckDB; the same accepted rows matched twice: pairs
scored on DuckDB, and on Spark from the master Parquet. Outcome, chosen TIN and disclosed
address must agree on every request.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from crossverify.config import Settings
from crossverify.intake.batch import intake_batch
from crossverify.link.backend import link_engine, make_duckdb
from crossverify.link.train import train_model
from crossverify.master.load import MASTER_PARQUET, load_master
from crossverify.matching import MatchContext, MatchResult, current_model_path, match_requests
from crossverify.policy import load_policy
from crossverify.synth import generate

pytestmark = [pytest.mark.spark, pytest.mark.slow]

COMPARED = ("outcome", "sub_reason", "tin", "street", "city", "state", "zip", "tax_year", "source")


def _match(settings: Settings, chunks: list[pa.Table]) -> tuple[list[MatchResult], float]:
    """Match each chunk in turn on one engine (one Spark session for all); time the first."""
    policy = load_policy(settings.policy_file)
    con = make_duckdb(settings)
    results: list[MatchResult] = []
    seconds = 0.0
    started = time.perf_counter()
    try:
        with link_engine(settings) as spark:
            ctx = MatchContext(
                master_dir=settings.master_dir,
                model_path=current_model_path(settings.models_dir),
                spark=spark,
            )
            for chunk in chunks:
                results.append(match_requests(con=con, accepted=chunk, ctx=ctx, policy=policy))
                seconds = seconds or time.perf_counter() - started
    finally:
        con.close()
    return results, seconds


def _by_request(result: MatchResult) -> dict[int, dict[str, Any]]:
    return {row["request_row"]: row for row in result.outcomes.to_pylist()}


def _assert_same_decisions(on_duckdb: MatchResult, on_spark: MatchResult) -> None:
    duck_rows, spark_rows = _by_request(on_duckdb), _by_request(on_spark)
    assert duck_rows.keys() == spark_rows.keys()
    differing = {
        request_row: {
            c: (row[c], spark_rows[request_row][c])
            for c in COMPARED
            if row[c] != spark_rows[request_row][c]
        }
        for request_row, row in duck_rows.items()
        if any(row[c] != spark_rows[request_row][c] for c in COMPARED)
    }
    assert differing == {}
    for request_row, row in duck_rows.items():
        other = spark_rows[request_row]["confidence"]
        assert (row["confidence"] is None) == (other is None), request_row
        if other is not None:
            assert abs(row["confidence"] - other) <= 1e-4, request_row
    # The same pairs were weighed the same way: the explanations carry each field's level.
    assert [row["explanation"] for row in duck_rows.values()] == [
        spark_rows[r]["explanation"] for r in duck_rows
    ]
    assert on_duckdb.expected_wrong_matches == pytest.approx(on_spark.expected_wrong_matches)


def test_spark_decides_every_request_as_duckdb(tmp_path: Path) -> None:
    synth = generate(out_dir=tmp_path / "synth", persons=2_500, requests=300, seed=23)
    duck = Settings(data_dir=tmp_path / "var", policy_file=synth.policy_path)
    info = load_master(source=synth.master_path, out_dir=duck.master_dir)
    con = make_duckdb(duck)
    train_model(
        con=con,
        master_parquet=duck.master_dir / MASTER_PARQUET,
        master_id=info.master_id,
        out_dir=duck.models_dir,
        max_pairs=1e6,
    )
    con.close()
    intake = intake_batch(
        request_file=synth.requests_path,
        manifest_file=synth.manifest_path,
        policy=load_policy(duck.policy_file),
        today=datetime.now(UTC).date(),
    )
    accepted = intake.accepted.append_column("request_row", intake.accepted["row_number"])
    # A second, smaller batch through the same Spark session (as a chunked run does).
    chunks = [accepted, accepted.slice(accepted.num_rows - 40)]
    spark = duck.model_copy(update={"engine": "spark", "spark_master": "local[2]"})

    on_duckdb, duckdb_seconds = _match(duck, chunks)
    on_spark, spark_seconds = _match(spark, chunks)
    print(
        f"\nlink+decide of {accepted.num_rows} requests against {info.taxpayers} taxpayers "
        f"({info.rows_loaded} rows): DuckDB {duckdb_seconds:.1f} s, "
        f"Spark local[2] {spark_seconds:.1f} s (link {on_spark[0].timings['link']:.1f} s)"
    )

    assert set(_by_request(on_duckdb[0])) == set(accepted["request_row"].to_pylist())
    outcomes = Counter(row["outcome"] for row in on_duckdb[0].outcomes.to_pylist())
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    # The world must exercise the decisions being compared, not only "not found".
    assert outcomes["M1"] + outcomes["M2"] + outcomes["M3"] >= 100, outcomes
    assert sum(n for code, n in outcomes.items() if code.startswith("N")) >= 20, outcomes
    assert outcomes == Counter(row["outcome"] for row in on_spark[0].outcomes.to_pylist())
    for duckdb_result, spark_result in zip(on_duckdb, on_spark, strict=True):
        _assert_same_decisions(duckdb_result, spark_result)
    assert on_spark[1].outcomes.num_rows == 40
    # The Spark session stopped, and its hand-off folder went with it.
    assert not list((duck.data_dir / "tmp").glob("spark-handoff-*"))
