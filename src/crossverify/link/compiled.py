"""Scoring on the master index: Splink's blocking and predict SQL generated once, run on the
rows of the taxpayers the index finds.

Building a Splink Linker and its pipelines costs about a quarter of a second in Python,
more than a whole lookup may take, and a batch would pay it per chunk. The SQL it would run
depends only on the model and on table names, so an `IndexedLink` asks Splink for it once,
for fixed tables, and each call refills those tables (the requests, the probed taxpayers'
link columns, then the scored taxpayers' rows) and runs it. The SQL is Splink's own (the
same functions `Linker.inference` calls, Splink pinned); `tests/pipeline/test_lookup_parity.py`
holds lookups and batches to the whole-master path's decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
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
from crossverify.link.index import TAXPAYER_COLUMN, MasterIndex, open_index
from crossverify.link.score import (
    EXPANDED_PAIRS_TABLE,
    PAIRS_TABLE,
    REQUESTS_TABLE,
    Scored,
    blocked_master_view,
    duckdb_linker,
    load_model,
    oriented_sql,
    pairs_select_sql,
    register_requests,
    whole_history_pairs_sql,
)
from crossverify.master.load import MASTER_PARQUET

PROBED_MASTER = "cv_probed_master"  # link columns of the taxpayers sharing a blocking key
SCORED_MASTER = "cv_scored_master"  # every row of each taxpayer scored
_BLOCKED_TABLE = "cv_indexed_blocked"
_PROBED_COLUMNS = ["row_id", *model.LINK_COLUMNS]


class IndexedLink:
    """The link stage of lookups and of batch chunks on DuckDB; one per connection and model."""

    def __init__(
        self,
        *,
        con: duckdb.DuckDBPyConnection,
        index: MasterIndex,
        master_parquet: Path,
        model_settings: dict[str, Any],
        min_match_weight: float = -20.0,
    ) -> None:
        self.con, self.index = con, index
        cols = ", ".join(f'"{c}"' for c in model.LINK_COLUMNS)
        con.register(PROBED_MASTER, index.rows(np.empty(0, dtype=np.int64), _PROBED_COLUMNS))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {REQUESTS_TABLE} AS "
            f"SELECT row_id AS unique_id, {cols} FROM {PROBED_MASTER} LIMIT 0"
        )
        linker, db_api = duckdb_linker(
            con=con,
            master=PROBED_MASTER,
            master_parquet=master_parquet,
            model_settings=model_settings,
            term_frequencies_in_memory=True,
        )
        self._blocking_sql = _blocking_sql(linker)
        self._expand_sql = whole_history_pairs_sql(_BLOCKED_TABLE, PROBED_MASTER)
        self._scored_sql = (
            f"SELECT DISTINCT m.{TAXPAYER_COLUMN} FROM {PROBED_MASTER} m SEMI JOIN "
            f"({oriented_sql(EXPANDED_PAIRS_TABLE)}) e ON e.row_id = m.row_id ORDER BY 1"
        )
        # The model and Splink's own predict SQL, for `link.rowwise`, which evaluates it in Python.
        self.model_settings = model_settings
        self.splink_predict_sql = _predict_sql(linker, db_api, min_match_weight)
        self._predict_sql = pairs_select_sql(f"({self.splink_predict_sql})")

    def score(self, requests: pa.Table) -> Scored:
        """PAIRS_TABLE for `requests`, as `score_pairs` on the whole master would leave it.

        Blocking reads the probed taxpayers' link columns only (a 100k chunk at 10M persons
        probes millions of rows); predict, roll-up and disclosure read every column of the
        taxpayers scored.
        """
        con, index = self.con, self.index
        register_requests(con, requests)
        con.register(
            PROBED_MASTER, index.rows(index.taxpayers_hit(con, REQUESTS_TABLE), _PROBED_COLUMNS)
        )
        blocked_master_view(con, PROBED_MASTER)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_BLOCKED_TABLE} AS {self._blocking_sql}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {EXPANDED_PAIRS_TABLE} AS {self._expand_sql}")
        scored = con.sql(self._scored_sql).fetchnumpy()[TAXPAYER_COLUMN]
        con.register(SCORED_MASTER, index.rows(np.asarray(scored, dtype=np.int64)))
        con.unregister(PROBED_MASTER)
        blocked_master_view(con, SCORED_MASTER)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {PAIRS_TABLE} AS {self._predict_sql}")
        return Scored(pairs_table=PAIRS_TABLE, master=SCORED_MASTER)


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


def open_link(con: duckdb.DuckDBPyConnection, master_dir: Path, model_path: Path) -> IndexedLink:
    """The link of the master file in `master_dir` (its index built first if missing)."""
    return IndexedLink(
        con=con,
        index=open_index(con, master_dir),
        master_parquet=master_dir / MASTER_PARQUET,
        model_settings=load_model(model_path),
    )
