"""Score request rows against master address-year rows with a trained model."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from splink import Linker

from crossverify.errors import ModelError
from crossverify.link import model
from crossverify.link.backend import SparkLink, make_db_api
from crossverify.master.load import TERM_FREQUENCIES_DIR

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


@dataclass(frozen=True)
class Scored:
    """PAIRS_TABLE in DuckDB, and a relation holding every master row of each taxpayer in it
    (all that roll-up and disclosure read)."""

    pairs_table: str
    master: str


@dataclass(frozen=True)
class ScoredRows:
    """A lookup's pairs (as `Scored.pairs_table` holds them) and every row of each taxpayer
    in them, as Arrow tables: rolled up and disclosed in Python, not planned by DuckDB."""

    pairs: pa.Table
    master: pa.Table


def scoring_settings(model_settings: dict[str, Any]) -> dict[str, Any]:
    """The trained model as Splink takes it for scoring."""
    settings = dict(model_settings)
    settings.pop("crossverify", None)
    # Both are needed for the gamma levels and per-field weights that explain a decision.
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = True
    return settings


def score_pairs(
    *,
    con: duckdb.DuckDBPyConnection,
    requests: pa.Table,
    master_parquet: Path,
    model_settings: dict[str, Any],
    min_match_weight: float = -20.0,
) -> Scored:
    """Create PAIRS_TABLE: every blocked (request row, master row) pair with its gammas and weight.

    `requests` must carry `request_row` (int) and the standardized LINK_COLUMNS. This reads
    the whole master file; `link.compiled.IndexedLink` scores on the master index instead,
    and the tests hold it to this.
    """
    register_requests(con, requests)
    master = f"read_parquet('{master_parquet.as_posix()}')"
    linker, db_api = duckdb_linker(
        con=con, master=master, master_parquet=master_parquet, model_settings=model_settings
    )
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {EXPANDED_PAIRS_TABLE} AS "
        + whole_history_pairs_sql(blocked.physical_name, master)
    )
    linker.table_management.register_blocked_pairs_for_predict(
        db_api.register(EXPANDED_PAIRS_TABLE, dataset_display_name=EXPANDED_PAIRS_TABLE)
    )
    predictions = linker.inference.predict(threshold_match_weight=min_match_weight)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS "
        + pairs_select_sql(predictions.physical_name)
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    return Scored(pairs_table=PAIRS_TABLE, master=master)


def blocked_master_view(con: duckdb.DuckDBPyConnection, master: str) -> None:
    """MASTER_VIEW, the Linker's master input, over `master`."""
    cols = ", ".join(f'"{c}"' for c in model.LINK_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {MASTER_VIEW} AS SELECT row_id AS unique_id, {cols} "
        f"FROM {master}"
    )


def duckdb_linker(
    *,
    con: duckdb.DuckDBPyConnection,
    master: str,
    master_parquet: Path,
    model_settings: dict[str, Any],
    term_frequencies_in_memory: bool = False,
) -> tuple[Linker, Any]:
    """A Linker of REQUESTS_TABLE with MASTER_VIEW (a view over `master`), and the whole
    master's term frequencies; `term_frequencies_in_memory` copies them into temp tables,
    for a link that lives long and reads them on every call."""
    blocked_master_view(con, master)
    settings = scoring_settings(model_settings)
    db_api = make_db_api(con)
    linker = Linker(
        [
            db_api.register(REQUESTS_TABLE, dataset_display_name="requests"),
            db_api.register(MASTER_VIEW, dataset_display_name="master"),
        ],
        settings,
    )
    for column in tf_columns(settings):
        table = master_term_frequencies(con, master_parquet, column)
        if term_frequencies_in_memory:
            memory = in_memory_term_frequencies(column)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {memory} AS SELECT * FROM {table}")
            table = memory
        linker.table_management.register_term_frequency_lookup(
            db_api.register(table, dataset_display_name=table), column
        )
    return linker, db_api


def in_memory_term_frequencies(column: str) -> str:
    """The temp table of `column`'s master term frequencies that a long-lived link reads."""
    return f"cv_tf_{column}_memory"


def register_requests(con: duckdb.DuckDBPyConnection, requests: pa.Table) -> None:
    """REQUESTS_TABLE in `con`: the link columns keyed by `unique_id` = `request_row`."""
    cols = ", ".join(f'"{c}"' for c in model.LINK_COLUMNS)
    con.register("cv_requests_arrow", requests)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {REQUESTS_TABLE} AS "
        f"SELECT request_row AS unique_id, {cols} FROM cv_requests_arrow"
    )
    con.unregister("cv_requests_arrow")


def pairs_select_sql(predictions_table: str) -> str:
    """One row per scored pair, oriented (request_row, row_id); the same SQL on both engines."""
    gammas = ", ".join(f"gamma_{name}" for name in model.comparison_names())
    weights = ", ".join(
        f"mw_{name}"
        + (f" + coalesce(mw_tf_adj_{name}, 0)" if name in _TF_COMPARISONS else "")
        + f" AS mw_{name}"
        for name in model.comparison_names()
    )
    return f"""
        SELECT
            CASE WHEN source_dataset_l = 'requests' THEN unique_id_l ELSE unique_id_r END
                AS request_row,
            CASE WHEN source_dataset_l = 'requests' THEN unique_id_r ELSE unique_id_l END
                AS row_id,
            match_weight, match_probability, {gammas}, {weights}
        FROM {predictions_table}
    """


def score_pairs_on_spark(
    *,
    con: duckdb.DuckDBPyConnection,
    spark: SparkLink,
    requests: pa.Table,
    model_settings: dict[str, Any],
    min_match_weight: float = -20.0,
) -> Scored:
    """`score_pairs` on Spark: the same blocking, whole-history expansion and model (trained on
    DuckDB, its SQL converted to Spark's dialect), with the master read from
    `spark.master_parquet`. REQUESTS_TABLE and PAIRS_TABLE end up in `con` as `score_pairs`
    leaves them, so the roll-up and decide do not know which engine scored; the master
    relation returned is a local file of the scored taxpayers' rows, fetched from Spark.
    """
    try:
        settings = model.spark_settings_dict(model_settings)
    except ValueError as exc:
        raise ModelError(f"{exc}; retrain with `crossverify model train`") from exc
    settings = scoring_settings(settings)
    register_requests(con, requests)
    master_all, arrow_view = "cv_spark_master", "cv_spark_requests_arrow"
    spark.view_of_parquet(master_all, spark.master_parquet)
    types = spark.column_types(master_all)
    cols = ", ".join(f"`{c}`" for c in model.LINK_COLUMNS)
    spark.view_of_sql(MASTER_VIEW, f"SELECT row_id AS unique_id, {cols} FROM {master_all}")
    # A column all NULL in a batch arrives untyped: give each the master's type.
    spark.view_of_arrow(arrow_view, requests.select(["request_row", *model.LINK_COLUMNS]))
    casts = ", ".join(f"CAST(`{c}` AS {types[c]}) AS `{c}`" for c in model.LINK_COLUMNS)
    spark.view_of_sql(REQUESTS_TABLE, f"SELECT request_row AS unique_id, {casts} FROM {arrow_view}")
    db_api = spark.db_api()
    linker = Linker(
        [
            db_api.register(REQUESTS_TABLE, dataset_display_name="requests"),
            db_api.register(MASTER_VIEW, dataset_display_name="master"),
        ],
        settings,
    )
    tf_views = []
    for column in tf_columns(settings):
        view = f"cv_tf_{column}"
        spark.view_of_sql(view, _term_frequencies_sql(master_all, column), persist=True)
        tf_views.append(view)
        linker.table_management.register_term_frequency_lookup(
            db_api.register(view, dataset_display_name=view), column
        )
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    expanded = spark.view_of_sql(
        EXPANDED_PAIRS_TABLE,
        whole_history_pairs_sql(blocked.physical_name, master_all, spark=True),
        persist=True,
    )
    linker.table_management.register_blocked_pairs_for_predict(
        db_api.register(EXPANDED_PAIRS_TABLE, dataset_display_name=EXPANDED_PAIRS_TABLE)
    )
    predictions = linker.inference.predict(threshold_match_weight=min_match_weight)
    pairs_view = "cv_spark_pairs"
    scored = spark.view_of_sql(
        pairs_view, pairs_select_sql(predictions.physical_name), persist=True
    )
    pairs = spark.to_arrow(f"SELECT * FROM {pairs_view} ORDER BY request_row, row_id")
    found = spark.to_arrow(
        f"""SELECT * FROM {master_all} WHERE tin IN (
                SELECT m.tin FROM {pairs_view} p JOIN {master_all} m ON m.row_id = p.row_id)"""
    )
    scored.unpersist()
    expanded.unpersist()
    predictions.drop_table_from_database_and_remove_from_cache()
    spark.drop_views(
        pairs_view,
        EXPANDED_PAIRS_TABLE,
        MASTER_VIEW,
        REQUESTS_TABLE,
        arrow_view,
        master_all,
        *tf_views,
    )
    con.register("cv_spark_pairs_arrow", pairs)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS SELECT * FROM cv_spark_pairs_arrow")
    con.unregister("cv_spark_pairs_arrow")
    # One file, replaced by each call: a session scores one batch (or chunk) at a time.
    found_path = spark.handoff_dir / "master-rows.parquet"
    pq.write_table(found, found_path)
    return Scored(pairs_table=PAIRS_TABLE, master=f"read_parquet('{found_path.as_posix()}')")


def tf_columns(settings: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in settings["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def master_term_frequencies(
    con: duckdb.DuckDBPyConnection, master_parquet: Path, column: str
) -> str:
    """Term frequencies of the master file, computed once per master and kept beside it.

    Splink would otherwise recount every value of the whole master file for each batch.
    """
    path = master_parquet.parent / TERM_FREQUENCIES_DIR / f"{column}.parquet"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        master = f"read_parquet('{master_parquet.as_posix()}')"
        con.execute(
            f"COPY ({_term_frequencies_sql(master, column)}) "
            f"TO '{partial.as_posix()}' (FORMAT parquet)"
        )
        partial.replace(path)
    table = f"cv_tf_{column}"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM read_parquet('{path.as_posix()}')"
    )
    return table


def _term_frequencies_sql(master: str, column: str) -> str:
    """Share of the master's non-null values that are each value (DuckDB and Spark SQL)."""
    return f"""
        SELECT {column}, CAST(count(*) AS DOUBLE)
            / (SELECT count({column}) FROM {master}) AS tf_{column}
        FROM {master}
        WHERE {column} IS NOT NULL GROUP BY {column}
    """


def whole_history_pairs_sql(
    blocked_table: str, master: str, *, requests_table: str = REQUESTS_TABLE, spark: bool = False
) -> str:
    """Every row of every taxpayer that blocking found, paired with the request (a SELECT
    that DuckDB and Spark run alike; `master` is a table or a read_parquet(...)).

    Blocking finds taxpayers through one row (an address, a surname in a ZIP); the decision
    needs the taxpayer's whole history (a name written in full on another year's return, the
    address the requester gave on an older one), so each found taxpayer brings all its rows,
    unless no blocked row of it could be the person (`could_be_the_person_sql`): a neighbour
    with another given name is not the person, and scoring their histories was most of the
    link stage's time. Their blocked rows at the requester's address are still scored, so a
    household member still counts against the chosen taxpayer's posterior.
    """
    return f"""
        WITH oriented AS ({oriented_sql(blocked_table)}),
        judged AS (
            SELECT o.*, m.tin,
                   {could_be_the_person_sql("r", "m", spark=spark)} AS could_be,
                   {at_the_address_sql("r", "m")} AS same_address
            FROM oriented o
            JOIN {master} m ON m.row_id = o.row_id
            JOIN {requests_table} r
              ON r.unique_id = CAST(split_part(o.request_key, '-__-', 2) AS BIGINT)
        ),
        found AS (SELECT DISTINCT request_key, master_left, tin FROM judged WHERE could_be)
        SELECT '0' AS match_key,
               CASE WHEN f.master_left THEN '{_MASTER_KEY}' || m.row_id ELSE f.request_key END
                   AS join_key_l,
               CASE WHEN f.master_left THEN f.request_key ELSE '{_MASTER_KEY}' || m.row_id END
                   AS join_key_r
        FROM found f JOIN {master} m ON m.tin = f.tin
        UNION
        SELECT '0' AS match_key, join_key_l, join_key_r FROM judged WHERE same_address
    """


def oriented_sql(blocked_table: str) -> str:
    """Splink's blocked pairs with the master side told apart: its row_id and the request's key."""
    master_left = f"left(join_key_l, {len(_MASTER_KEY)}) = '{_MASTER_KEY}'"
    return f"""
        SELECT {master_left} AS master_left,
               CASE WHEN {master_left} THEN join_key_r ELSE join_key_l END AS request_key,
               CAST(split_part(CASE WHEN {master_left}
                    THEN join_key_l ELSE join_key_r END, '-__-', 2) AS BIGINT) AS row_id,
               join_key_l, join_key_r
        FROM {blocked_table}
    """


def at_the_address_sql(r: str, m: str) -> str:
    """The blocked master row `m` is at request `r`'s house and street, or its PO box."""
    return (
        f"coalesce({r}.addr_house_number = {m}.addr_house_number "
        f"AND {r}.addr_street_name = {m}.addr_street_name, false) "
        f"OR coalesce({r}.addr_po_box = {m}.addr_po_box, false)"
    )


def could_be_the_person_sql(r: str, m: str, *, spark: bool = False) -> str:
    """The blocked master row `m` could be the person of request `r`: the given name could be
    theirs (same initial, a shared nickname key, one typo, or missing) or the TIN or the date
    of birth agrees. Deliberately looser than the decision's own name test."""
    if spark:
        nickname = f"arrays_overlap({r}.given_nick_keys, {m}.given_nick_keys)"
    else:
        nickname = f"len(list_intersect({r}.given_nick_keys, {m}.given_nick_keys)) > 0"
    return f"""(
        {r}.given_first IS NULL OR {m}.given_first IS NULL
        OR substr({r}.given_first, 1, 1) = substr({m}.given_first, 1, 1)
        OR {nickname}
        OR damerau_levenshtein({r}.given_first, {m}.given_first) <= 1
        OR {r}.tin = {m}.tin OR {r}.dob_str = {m}.dob_str
    )"""


EXPANDED_PAIRS_TABLE = "cv_link_history_pairs"
_MASTER_KEY = "master-__-"  # Splink's join key: source dataset name, "-__-", unique_id
_TF_COMPARISONS = frozenset({"given_name", "surname"})
