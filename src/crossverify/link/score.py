"""Score request rows against master address-year rows with a trained model."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker

from crossverify.errors import ModelError
from crossverify.link import model
from crossverify.link.backend import make_db_api

REQUESTS_TABLE = "cv_link_requests"
MASTER_VIEW = "cv_link_master"
PAIRS_TABLE = "cv_link_pairs"


def load_model(path: Path) -> dict[str, Any]:
    try:
        settings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(
            f"cannot read model {path}: {exc}; train one with `crossverify model train`"
        ) from exc
    return settings


def prior_match_weight(settings: dict[str, Any]) -> float:
    """The model's prior in bits; match_weight minus this is the evidence (log2 Bayes factor)."""
    lam = float(settings["probability_two_random_records_match"])
    return math.log2(lam / (1 - lam))


def score_pairs(
    *,
    con: duckdb.DuckDBPyConnection,
    requests: pa.Table,
    master_parquet: Path,
    model_settings: dict[str, Any],
    min_match_weight: float = -20.0,
) -> str:
    """Create PAIRS_TABLE: every blocked (request row, master row) pair with its gammas and weight.

    `requests` must carry `request_row` (int) and the standardized LINK_COLUMNS.
    Returns the name of the table in `con`.
    """
    cols = ", ".join(f'"{c}"' for c in model.LINK_COLUMNS)
    con.register("cv_requests_arrow", requests)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {REQUESTS_TABLE} AS "
        f"SELECT request_row AS unique_id, {cols} FROM cv_requests_arrow"
    )
    con.unregister("cv_requests_arrow")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {MASTER_VIEW} AS SELECT row_id AS unique_id, {cols} "
        f"FROM read_parquet('{master_parquet.as_posix()}')"
    )
    settings = dict(model_settings)
    settings.pop("crossverify", None)
    # Both are needed for the gamma levels and per-field weights that explain a decision.
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    db_api = make_db_api(con)
    linker = Linker(
        [
            db_api.register(REQUESTS_TABLE, dataset_display_name="requests"),
            db_api.register(MASTER_VIEW, dataset_display_name="master"),
        ],
        settings,
    )
    for column in _tf_columns(settings):
        table = _master_term_frequencies(con, master_parquet, column)
        linker.table_management.register_term_frequency_lookup(
            db_api.register(table, dataset_display_name=table), column
        )
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    con.execute(_whole_history_pairs_sql(blocked.physical_name, master_parquet))
    linker.table_management.register_blocked_pairs_for_predict(
        db_api.register(EXPANDED_PAIRS_TABLE, dataset_display_name=EXPANDED_PAIRS_TABLE)
    )
    predictions = linker.inference.predict(threshold_match_weight=min_match_weight)
    gammas = ", ".join(f"gamma_{name}" for name in model.comparison_names())
    weights = ", ".join(
        f"mw_{name}"
        + (f" + coalesce(mw_tf_adj_{name}, 0)" if name in _TF_COMPARISONS else "")
        + f" AS mw_{name}"
        for name in model.comparison_names()
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS
        SELECT
            CASE WHEN source_dataset_l = 'requests' THEN unique_id_l ELSE unique_id_r END
                AS request_row,
            CASE WHEN source_dataset_l = 'requests' THEN unique_id_r ELSE unique_id_l END
                AS row_id,
            match_weight, match_probability, {gammas}, {weights}
        FROM {predictions.physical_name}
        """
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return PAIRS_TABLE


def _tf_columns(settings: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in settings["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def _master_term_frequencies(
    con: duckdb.DuckDBPyConnection, master_parquet: Path, column: str
) -> str:
    """Term frequencies of the master file, computed once per master and kept beside it.

    Splink would otherwise recount every value of the whole master file for each batch.
    """
    path = master_parquet.parent / "tf" / f"{column}.parquet"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        con.execute(
            f"""COPY (
                SELECT "{column}", CAST(count(*) AS DOUBLE)
                    / (SELECT count("{column}") FROM read_parquet('{master_parquet.as_posix()}'))
                    AS "tf_{column}"
                FROM read_parquet('{master_parquet.as_posix()}')
                WHERE "{column}" IS NOT NULL GROUP BY "{column}"
            ) TO '{partial.as_posix()}' (FORMAT parquet)"""
        )
        partial.replace(path)
    table = f"cv_tf_{column}"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM read_parquet('{path.as_posix()}')"
    )
    return table


def _whole_history_pairs_sql(blocked_table: str, master_parquet: Path) -> str:
    """Every row of every taxpayer that blocking found, paired with the request.

    Blocking finds taxpayers through one row (an address, a surname in a ZIP); the decision
    needs the taxpayer's whole history (a name written in full on another year's return, the
    address the requester gave on an older one), so each found taxpayer brings all its rows.
    """
    master = f"read_parquet('{master_parquet.as_posix()}')"
    return f"""
        CREATE OR REPLACE TEMP TABLE {EXPANDED_PAIRS_TABLE} AS
        WITH oriented AS (
            SELECT starts_with(join_key_l, '{_MASTER_KEY}') AS master_left,
                   CASE WHEN starts_with(join_key_l, '{_MASTER_KEY}') THEN join_key_r
                        ELSE join_key_l END AS request_key,
                   CAST(split_part(CASE WHEN starts_with(join_key_l, '{_MASTER_KEY}')
                        THEN join_key_l ELSE join_key_r END, '-__-', 2) AS BIGINT) AS row_id
            FROM {blocked_table}
        ),
        found AS (
            SELECT DISTINCT o.request_key, o.master_left, m.tin
            FROM oriented o JOIN {master} m USING (row_id)
        )
        SELECT DISTINCT '0' AS match_key,
               CASE WHEN f.master_left THEN '{_MASTER_KEY}' || m.row_id ELSE f.request_key END
                   AS join_key_l,
               CASE WHEN f.master_left THEN f.request_key ELSE '{_MASTER_KEY}' || m.row_id END
                   AS join_key_r
        FROM found f JOIN {master} m USING (tin)
    """


EXPANDED_PAIRS_TABLE = "cv_link_history_pairs"
_MASTER_KEY = "master-__-"  # Splink's join key: source dataset name, "-__-", unique_id
_TF_COMPARISONS = frozenset({"given_name", "surname"})
