"""Roll-up on crafted pair scores: one taxpayer's rows become one candidate."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa
import pytest

from crossverify.link.candidates import roll_up
from crossverify.link.model import DOB_LEVELS, NULL_LEVEL, comparison_names
from crossverify.link.rowwise import PAIRS_SCHEMA
from crossverify.link.score import REQUESTS_TABLE, Scored, ScoredRows

PRIOR = -20.0


def _pair(row_id: int, **levels: tuple[int, float]) -> dict[str, Any]:
    """A pair of request 1 with master row `row_id`; unnamed comparisons are missing."""
    pair: dict[str, Any] = {"request_row": 1, "row_id": row_id}
    for name in comparison_names():
        gamma, weight = levels.get(name, (NULL_LEVEL, 0.0))
        pair[f"gamma_{name}"], pair[f"mw_{name}"] = gamma, weight
    pair["match_weight"] = PRIOR + sum(pair[f"mw_{n}"] for n in comparison_names())
    return pair


@pytest.fixture(params=["duckdb", "python"])
def engine(request: pytest.FixtureRequest) -> str:
    """Batches roll up in DuckDB, lookups in Python: both must pick the same rows."""
    return str(request.param)


def _roll_up(pairs: list[dict[str, Any]], engine: str) -> dict[str, Any]:
    con = duckdb.connect()
    pair_table = pa.Table.from_pylist(pairs, schema=PAIRS_SCHEMA)
    master = pa.Table.from_pylist(
        [
            {"row_id": p["row_id"], "tin": "111", "tax_year": 2020 + i, "suffix_std": None}
            | {"surname_2": None, "surname_std": "SMITH"}
            for i, p in enumerate(pairs)
        ],
        schema=pa.schema(
            [("row_id", pa.int64()), ("tin", pa.string()), ("tax_year", pa.int32())]
            + [(c, pa.string()) for c in ("suffix_std", "surname_2", "surname_std")]
        ),
    )
    requests = pa.table(
        {
            "request_row": [1],
            "suffix_std": pa.array([None], pa.string()),
            "surname_2": pa.array([None], pa.string()),
            "surname_std": ["SMITH"],
        }
    )
    scored: Scored | ScoredRows = ScoredRows(pairs=pair_table, master=master)
    if engine == "duckdb":
        con.register("pairs", pair_table)
        con.register("master", master)
        con.register(
            REQUESTS_TABLE, requests.rename_columns(["unique_id", *requests.column_names[1:]])
        )
        scored = Scored(pairs_table="pairs", master="master")
    [candidate] = roll_up(con=con, scored=scored, requests=requests, prior_weight=PRIOR).to_pylist()
    return candidate


def test_a_return_without_dob_does_not_hide_the_conflicting_dob_on_the_others(engine: str) -> None:
    candidate = _roll_up(
        [
            _pair(1, dob=(DOB_LEVELS["else"], -9.9), address=(7, 16.8)),  # 1040: another DOB
            _pair(2, address=(7, 16.8)),  # W-2: no DOB
        ],
        engine,
    )
    assert candidate["gamma_dob"] == DOB_LEVELS["else"]
    assert candidate["mw_dob"] == -9.9
    assert candidate["match_weight"] == PRIOR - 9.9 + 16.8


def test_each_field_takes_its_best_known_row(engine: str) -> None:
    candidate = _roll_up(
        [
            _pair(1, dob=(DOB_LEVELS["else"], -9.9)),
            _pair(2, dob=(DOB_LEVELS["exact"], 9.5), address=(0, -8.0)),
            _pair(3, address=(7, 16.8)),
        ],
        engine,
    )
    assert (candidate["gamma_dob"], candidate["mw_dob"]) == (DOB_LEVELS["exact"], 9.5)
    assert (candidate["gamma_address"], candidate["mw_address"]) == (7, 16.8)
    assert candidate["gamma_tin"] == NULL_LEVEL
