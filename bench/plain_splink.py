"""The plain Splink recipe, side by side with crossverify on the same data.

What the Splink documentation suggests for a person-linkage job, with no domain rules:

- input: the raw request rows (the batch's accepted rows) and the raw master rows, cleaned
  only by uppercasing and trimming (empty -> NULL); one master row per taxpayer per year per
  source, as filed;
- comparisons: `NameComparison` on first_name and last_name, `DateOfBirthComparison` on
  dob, `ExactMatch` on zip, `JaroWinklerAtThresholds` on street, `ExactMatch` on city with
  term-frequency adjustments;
- blocking: (last_name, zip), (first_name, last_name), (street, zip);
- training: the prior from deterministic rules (recall 0.7), u by random sampling
  (max_pairs=1e7), m by EM on two blocking rules (first_name+last_name, then dob);
- prediction at match probability 0.999; each request takes its single highest-probability
  master row, and the taxpayer disclosed is that row's TIN. The address disclosed is that
  TIN's most recent row inside the requested tax period from a disclosable source; when
  there is none the TIN still counts as disclosed (outcome M3, no address).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from bench._eval import UntrainedLog, score

LINK_COLUMNS = ("first_name", "last_name", "dob", "street", "city", "zip")
THRESHOLD = 0.999


def _clean(column: str) -> str:
    return f"nullif(upper(trim(CAST({column} AS VARCHAR))), '') AS {column}"


def task(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from crossverify.evaluate import read_truth
    from crossverify.policy import load_policy

    data_dir = Path(args["data_dir"])
    spill = data_dir / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    policy = load_policy(Path(args["policy"]))
    sources = ", ".join(f"'{s}'" for s in policy.disclosable_sources)
    collect = UntrainedLog()
    logging.getLogger().addHandler(collect)
    timings: dict[str, float] = {}

    con = duckdb.connect()
    con.execute("SET memory_limit = '8GB'")
    con.execute("SET threads = 2")
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    started = time.perf_counter()
    cleaned = ", ".join(_clean(c) for c in LINK_COLUMNS)
    con.execute(
        f"""
        CREATE TABLE plain_master AS
        SELECT row_number() OVER () AS unique_id, {cleaned},
               CAST(tin AS VARCHAR) AS tin, CAST(tax_year AS INTEGER) AS tax_year,
               CAST(source AS VARCHAR) AS source,
               CAST(received_date AS VARCHAR) AS received_date,
               CAST(street AS VARCHAR) AS street_raw, CAST(zip AS VARCHAR) AS zip_raw
        FROM read_parquet('{Path(args["master"]).as_posix()}')
        """
    )
    con.execute(
        f"""
        CREATE TABLE plain_request_rows AS
        SELECT request_row AS unique_id, CAST(request_id AS VARCHAR) AS request_id, {cleaned},
               CAST(substr(CAST(tax_period_start AS VARCHAR), 1, 4) AS INTEGER) AS period_start,
               CAST(substr(CAST(tax_period_end AS VARCHAR), 1, 4) AS INTEGER) AS period_end
        FROM read_parquet('{Path(args["accepted"]).as_posix()}')
        """
    )
    cols = ", ".join(LINK_COLUMNS)
    con.execute(f"CREATE TABLE plain_link_master AS SELECT unique_id, {cols} FROM plain_master")
    con.execute(
        f"CREATE TABLE plain_link_requests AS SELECT unique_id, {cols} FROM plain_request_rows"
    )
    n_master = con.execute("SELECT count(*) FROM plain_master").fetchall()[0][0]
    n_requests = con.execute("SELECT count(*) FROM plain_request_rows").fetchall()[0][0]
    timings["prepare"] = time.perf_counter() - started

    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("zip"),
            cl.JaroWinklerAtThresholds("street"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("last_name", "zip"),
            block_on("first_name", "last_name"),
            block_on("street", "zip"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker(
        [
            db_api.register("plain_link_requests", dataset_display_name="requests"),
            db_api.register("plain_link_master", dataset_display_name="master"),
        ],
        settings,
    )
    started = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "dob"), block_on("first_name", "last_name", "zip")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    timings["train"] = time.perf_counter() - started

    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    con.execute(
        f"""
        CREATE TABLE plain_pairs AS
        SELECT CASE WHEN source_dataset_l = 'requests' THEN unique_id_l ELSE unique_id_r END
                   AS request_row,
               CASE WHEN source_dataset_l = 'requests' THEN unique_id_r ELSE unique_id_l END
                   AS master_row,
               match_probability
        FROM {predictions.physical_name}
        """
    )
    timings["predict"] = time.perf_counter() - started

    started = time.perf_counter()
    outcomes = con.sql(
        f"""
        WITH best AS (
            SELECT request_row, arg_max(master_row, match_probability) AS master_row,
                   max(match_probability) AS p
            FROM plain_pairs GROUP BY request_row
        ),
        chosen AS (
            SELECT b.request_row, m.tin, b.p FROM best b
            JOIN plain_master m ON m.unique_id = b.master_row
        ),
        in_period AS (
            SELECT c.request_row, m.street_raw, m.zip_raw, m.tax_year,
                   row_number() OVER (
                       PARTITION BY c.request_row
                       ORDER BY m.tax_year DESC, m.received_date DESC, m.unique_id
                   ) AS recency
            FROM chosen c
            JOIN plain_request_rows r ON r.unique_id = c.request_row
            JOIN plain_master m ON m.tin = c.tin
                 AND m.tax_year BETWEEN r.period_start AND r.period_end
                 AND m.source IN ({sources})
        )
        SELECT r.request_id,
               CASE WHEN c.tin IS NULL THEN 'N1'
                    WHEN a.request_row IS NULL THEN 'M3' ELSE 'M2' END AS outcome,
               c.tin, a.street_raw AS street, a.zip_raw AS zip,
               CAST(a.tax_year AS VARCHAR) AS tax_year, c.p AS match_probability
        FROM plain_request_rows r
        LEFT JOIN chosen c ON c.request_row = r.unique_id
        LEFT JOIN in_period a ON a.request_row = r.unique_id AND a.recency = 1
        ORDER BY r.unique_id
        """
    ).df()
    timings["decide"] = time.perf_counter() - started
    n_pairs = con.execute("SELECT count(*) FROM plain_pairs").fetchall()[0][0]
    prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    con.close()

    disclosed = outcomes["outcome"].isin(["M2", "M3"])
    expected_wrong = float((1.0 - outcomes.loc[disclosed, "match_probability"]).sum())
    quality = score(
        outcomes,
        read_truth(Path(args["truth"])),
        expected_wrong_matches=expected_wrong,
    )
    return {
        "master_rows": int(n_master),
        "accepted": int(n_requests),
        "pairs_above_threshold": int(n_pairs),
        "disclosed_without_address": int((outcomes["outcome"] == "M3").sum()),
        "prepare_s": round(timings["prepare"], 2),
        "train_s": round(timings["train"], 2),
        "predict_s": round(timings["predict"], 2),
        "decide_s": round(timings["decide"], 2),
        "seconds": round(timings["train"] + timings["predict"], 2),
        "rows_per_s": round(n_requests / (timings["predict"] + timings["decide"])),
        "untrained_warnings": collect.messages,
        "prior": prior,
        **quality,
    }
