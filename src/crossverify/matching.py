"""standardize -> link -> decide -> disclose for a table of accepted request rows.

Shared by bulk batches and (later) on-demand lookups so that both give the same outcome for
the same record. Takes tables, returns a table; persistence is pipeline.py's job.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.decide.outcomes import Decision, DecisionRules, decide, expected_wrong_matches
from crossverify.disclose.address import REQUEST_ADDRESS_COLUMNS, pick_addresses
from crossverify.errors import ModelError
from crossverify.link.backend import SparkLink
from crossverify.link.candidates import roll_up
from crossverify.link.compiled import IndexedLink
from crossverify.link.model import comparison_names
from crossverify.link.rowwise import RowwiseLink
from crossverify.link.score import (
    load_model,
    prior_match_weight,
    score_pairs,
    score_pairs_on_spark,
)
from crossverify.master.load import MASTER_PARQUET, MasterInfo, read_master_info
from crossverify.policy import Policy
from crossverify.standardize.frame import standardize_records
from crossverify.types import DISCLOSED_OUTCOMES

OUTCOME_COLUMNS = (
    "request_row",
    "outcome",
    "sub_reason",
    "tin",
    "confidence",
    "street",
    "city",
    "state",
    "zip",
    "tax_year",
    "source",
    "explanation",
)


@dataclass(frozen=True)
class MatchContext:
    master_dir: Path
    model_path: Path
    # Score pairs on this Spark session (engine = "spark", `link.backend.link_engine`);
    # None: on DuckDB. Roll-up, decide and disclose run on DuckDB either way.
    spark: SparkLink | None = None
    # Score on the master index's probed rows: in DuckDB (`link.compiled`) for batches, in
    # Python (`link.rowwise`) for lookups; None (and no Spark): on the whole master file,
    # the tests' reference.
    link: IndexedLink | RowwiseLink | None = None

    @property
    def master_parquet(self) -> Path:
        return self.master_dir / MASTER_PARQUET

    # Read once per context: the lookup engine keeps one for as long as the master file
    # and the model stay the same, instead of parsing both again on every call.
    @cached_property
    def model_settings(self) -> dict[str, Any]:
        return load_model(self.model_path)

    @cached_property
    def master(self) -> MasterInfo:
        return read_master_info(self.master_dir)


@dataclass
class MatchResult:
    outcomes: pa.Table
    model_id: str
    expected_wrong_matches: float
    timings: dict[str, float] = field(default_factory=dict)


def current_model_path(models_dir: Path) -> Path:
    pointer = models_dir / "current"
    if not pointer.exists():
        raise ModelError("no trained model; run `crossverify model train` after `master load`")
    return models_dir / f"{pointer.read_text().strip()}.json"


def _year(values: pa.ChunkedArray) -> pa.Array:
    return pc.cast(pc.utf8_slice_codeunits(values, 0, 4), pa.int32())


def match_requests(
    *, con: duckdb.DuckDBPyConnection, accepted: pa.Table, ctx: MatchContext, policy: Policy
) -> MatchResult:
    """Decide every accepted row (`request_row` identifies it). One outcome row per input row."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    settings = ctx.model_settings
    prior_weight = prior_match_weight(settings)
    master = ctx.master
    trained_on = settings.get("crossverify", {}).get("master_id")
    if trained_on != master.master_id:
        raise ModelError(
            f"model {ctx.model_path.stem} was trained on {trained_on}, but the master file is "
            f"{master.master_id}; run `crossverify model train`"
        )
    if accepted.num_rows == 0:
        return MatchResult(
            outcomes=_empty_outcomes(), model_id=ctx.model_path.stem, expected_wrong_matches=0.0
        )
    std = standardize_records(accepted)
    timings["standardize"] = time.perf_counter() - started

    started = time.perf_counter()
    if ctx.link is not None:
        scored = ctx.link.score(std)
    elif ctx.spark is None:
        scored = score_pairs(
            con=con, requests=std, master_parquet=ctx.master_parquet, model_settings=settings
        )
    else:
        scored = score_pairs_on_spark(
            con=con, spark=ctx.spark, requests=std, model_settings=settings
        )
    candidates = roll_up(con=con, scored=scored, requests=std, prior_weight=prior_weight)
    timings["link"] = time.perf_counter() - started

    started = time.perf_counter()
    rules = DecisionRules(
        threshold=policy.match_threshold,
        margin_bits=policy.runner_up_margin_bits,
        prior_on_file=policy.prior_on_file,
        taxpayers_on_file=master.taxpayers,
        prior_match_weight=prior_weight,
    )
    decisions = decide(candidates, std["request_row"].combine_chunks(), rules)
    timings["decide"] = time.perf_counter() - started

    started = time.perf_counter()
    is_match = pc.equal(decisions["decision"], Decision.MATCH.value)
    matched = decisions.filter(is_match).select(["request_row", "tin"])
    keys = (
        std.select(["request_row", *REQUEST_ADDRESS_COLUMNS])
        .append_column("period_start", _year(std["tax_period_start"]))
        .append_column("period_end", _year(std["tax_period_end"]))
    )
    matches = _with_columns_of(matched, keys)
    addresses = pick_addresses(con=con, matches=matches, scored=scored, policy=policy)
    outcomes = _with_columns_of(decisions, addresses)
    matched_rows = pc.equal(outcomes["decision"], Decision.MATCH.value)
    outcome = pc.if_else(matched_rows, outcomes["outcome"], outcomes["decision"])
    explanations = _explanations(candidates, outcomes)
    result = pa.table(
        {
            "request_row": outcomes["request_row"],
            "outcome": outcome,
            "sub_reason": outcomes["sub_reason"],
            "tin": outcomes["tin"],
            "confidence": pc.round(outcomes["confidence"].cast(pa.float64()), 4),
            "street": outcomes["street"],
            "city": outcomes["city"],
            "state": outcomes["state"],
            "zip": outcomes["zip"],
            "tax_year": outcomes["tax_year"],
            "source": outcomes["source"],
            "explanation": explanations,
        }
    ).sort_by("request_row")
    disclosed = pc.is_in(result["outcome"], pa.array(DISCLOSED_OUTCOMES))
    timings["disclose"] = time.perf_counter() - started
    return MatchResult(
        outcomes=result,
        model_id=ctx.model_path.stem,
        expected_wrong_matches=expected_wrong_matches(
            result["confidence"].filter(disclosed).combine_chunks()
        ),
        timings=timings,
    )


def _with_columns_of(rows: pa.Table, per_request: pa.Table) -> pa.Table:
    """`rows` with the other columns of `per_request` (one row per request_row), null where it
    has no row: a left join by position (Acero's hash join costs ~0.5 ms on a few rows)."""
    at = pc.index_in(rows["request_row"], value_set=per_request["request_row"])
    for name in per_request.column_names:
        if name != "request_row":
            rows = rows.append_column(name, per_request[name].take(at))
    return rows


def _empty_outcomes() -> pa.Table:
    types = {"request_row": pa.int64(), "confidence": pa.float64(), "tax_year": pa.int32()}
    return pa.table({c: pa.array([], types.get(c, pa.string())) for c in OUTCOME_COLUMNS})


def _explanations(candidates: pa.Table, outcomes: pa.Table) -> pa.Array:
    """Per request: the compared fields of the chosen (or best) taxpayer and its runner-up."""
    names = comparison_names()
    by_request: dict[int, list[dict[str, Any]]] = {}
    cols = candidates.select(
        [
            "request_row",
            "tin",
            "match_weight",
            *(f"gamma_{n}" for n in names),
            *(f"mw_{n}" for n in names),
        ]
    ).to_pylist()
    for row in cols:
        entries = by_request.setdefault(int(row["request_row"]), [])
        if len(entries) < 2:
            entries.append(row)
    texts = []
    for request_row in outcomes["request_row"].to_pylist():
        texts.append(json.dumps([_explain(c, names) for c in by_request.get(request_row, [])]))
    return pa.array(texts, pa.string())


def _explain(candidate: dict[str, Any], names: list[str]) -> dict[str, Any]:
    fields = {}
    for n in names:
        weight = candidate[f"mw_{n}"]
        fields[n] = {
            "level": candidate[f"gamma_{n}"],
            "weight": None if weight is None else round(float(weight), 2),
        }
    return {"match_weight": round(float(candidate["match_weight"]), 2), "fields": fields}
