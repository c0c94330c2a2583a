"""Lookups: Splink's blocking and scoring SQL generated once, run on the probed rows alone.

Building a Splink Linker and its pipelines costs about a quarter of a second in Python,
more than a whole lookup may take. The SQL it would run depends only on the model and on
table names, so a `LookupLink` asks Splink for it once, for fixed tables, and each lookup
refills those tables (the requests, and the rows of the taxpayers the index found) and runs
it. The SQL is Splink's own (the same functions `Linker.inference` calls, Splink pinned);
`tests/pipeline/test_lookup_parity.py` holds it to the batch path's decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from splink import Linker
from splink.internals.blocking import _columns_needed_for_blocking, block_using_rules_sqls
from splink.internals.comparison_vector_values import (
    compute_comparison_vector_values_from_id_pairs_sqls,
)
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.vertically_concatenate import (
    enqueue_df_concat_with_tf,
    select_two_dataset_link_only_input_tables_sqls,
)

from crossverify.link import model
from crossverify.link.index import MasterIndex
from crossverify.link.score import (
    EXPANDED_PAIRS_TABLE,
    PAIRS_TABLE,
    REQUESTS_TABLE,
    Scored,
    duckdb_linker,
    pairs_select_sql,
    register_requests,
    whole_history_pairs_sql,
)

LOOKUP_MASTER = "cv_lookup_master"  # every row of the taxpayers a lookup's probe found
_BLOCKED_TABLE = "cv_lookup_blocked"


class LookupLink:
    """The link stage for a few records: probe the index, then Splink's SQL on those rows."""

    def __init__(
        self,
        *,
        con: duckdb.DuckDBPyConnection,
        index: MasterIndex,
        master_parquet: Path,
        model_settings: dict[str, Any],
        min_match_weight: float = -20.0,
    ) -> None:
        self._con, self._index = con, index
        cols = ", ".join(f'"{c}"' for c in model.LINK_COLUMNS)
        con.register(LOOKUP_MASTER, index.schema.empty_table())
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {REQUESTS_TABLE} AS "
            f"SELECT row_id AS unique_id, {cols} FROM {LOOKUP_MASTER} LIMIT 0"
        )
        linker, db_api = duckdb_linker(
            con=con,
            master=LOOKUP_MASTER,
            master_parquet=master_parquet,
            model_settings=model_settings,
            term_frequencies_in_memory=True,
        )
        self._blocking_sql = _blocking_sql(linker)
        self._expand_sql = whole_history_pairs_sql(_BLOCKED_TABLE, LOOKUP_MASTER)
        self._predict_sql = pairs_select_sql(f"({_predict_sql(linker, db_api, min_match_weight)})")

    def score(self, requests: pa.Table) -> Scored:
        """PAIRS_TABLE for `requests`, as `score_pairs` on the whole master would leave it."""
        con = self._con
        register_requests(con, requests)
        rows = self._index.taxpayer_rows(con, REQUESTS_TABLE)
        con.register(LOOKUP_MASTER, rows)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_BLOCKED_TABLE} AS {self._blocking_sql}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {EXPANDED_PAIRS_TABLE} AS {self._expand_sql}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS {self._predict_sql}")
        return Scored(pairs_table=PAIRS_TABLE, master=LOOKUP_MASTER)


def _blocking_sql(linker: Linker) -> str:
    """What `compute_blocked_pairs_for_predict` runs for two link-only inputs."""
    settings = linker._settings_obj
    column_info = settings.column_info_settings
    left_sql, right_sql = select_two_dataset_link_only_input_tables_sqls(
        linker._input_tables_dict,
        input_columns=_columns_needed_for_blocking(
            blocking_rules=settings._blocking_rules_to_generate_predictions,
            source_dataset_input_column=column_info.source_dataset_input_column,
            unique_id_input_column=column_info.unique_id_input_column,
        ),
        source_dataset_input_column=column_info.source_dataset_input_column,
    )
    pipeline = CTEPipeline()
    pipeline.enqueue_sql(left_sql, "__splink__df_concat_left")
    pipeline.enqueue_sql(right_sql, "__splink__df_concat_right")
    pipeline.enqueue_list_of_sqls(
        block_using_rules_sqls(
            input_tablename_l="__splink__df_concat_left",
            input_tablename_r="__splink__df_concat_right",
            blocking_rules=settings._blocking_rules_to_generate_predictions,
            link_type="two_dataset_link_only",
            source_dataset_input_column=column_info.source_dataset_input_column,
            unique_id_input_column=column_info.unique_id_input_column,
        )
    )
    return pipeline.generate_cte_pipeline_sql()


def _predict_sql(linker: Linker, db_api: Any, min_match_weight: float) -> str:
    """What `predict` runs on registered blocked pairs (EXPANDED_PAIRS_TABLE)."""
    settings = linker._settings_obj
    column_info = settings.column_info_settings
    blocked = db_api.table_to_splink_dataframe("__splink__blocked_id_pairs", EXPANDED_PAIRS_TABLE)
    pipeline = CTEPipeline([blocked])
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(
        compute_comparison_vector_values_from_id_pairs_sqls(
            settings._columns_to_select_for_blocking,
            settings._columns_to_select_for_comparison_vector_values,
            input_tablename_l="__splink__df_concat_with_tf",
            input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=column_info.source_dataset_input_column,
            unique_id_input_column=column_info.unique_id_input_column,
            link_type=settings._link_type,
            sql_dialect_str=linker._sql_dialect_str,
        )
    )
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls_using_settings(settings, None, min_match_weight)
    )
    sql: str = pipeline.generate_cte_pipeline_sql()
    return sql
