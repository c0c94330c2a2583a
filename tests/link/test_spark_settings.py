"""A model trained on DuckDB, converted for Spark: same weights, Spark SQL, no silent mismatch."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import sqlglot

from crossverify.link import model


def _trained() -> dict[str, Any]:
    """The DuckDB settings with distinct numbers on every level, as training leaves them."""
    trained = model.settings_dict()
    for i, comparison in enumerate(trained["comparisons"]):
        for j, level in enumerate(comparison["comparison_levels"]):
            if not level.get("is_null_level"):
                level["m_probability"] = 0.01 * (i + 1) + 0.001 * j
                level["u_probability"] = 0.002 * (i + 1) + 0.0001 * j
    trained["probability_two_random_records_match"] = 1 / 2500
    trained["crossverify"] = {"master_id": "x"}
    return trained


def test_spark_settings_keep_every_trained_number() -> None:
    trained = _trained()
    spark = model.spark_settings_dict(trained)
    assert spark["sql_dialect"] == "spark"
    assert spark["probability_two_random_records_match"] == 1 / 2500
    assert spark["crossverify"] == {"master_id": "x"}
    for before, after in zip(trained["comparisons"], spark["comparisons"], strict=True):
        for lv_before, lv_after in zip(
            before["comparison_levels"], after["comparison_levels"], strict=True
        ):
            assert {k: v for k, v in lv_before.items() if k != "sql_condition"} == {
                k: v for k, v in lv_after.items() if k != "sql_condition"
            }
    assert trained == _trained()  # the DuckDB model is not changed in place


def test_spark_sql_quotes_identifiers_and_parses() -> None:
    spark = model.spark_settings_dict(_trained())
    conditions = [
        level["sql_condition"]
        for comparison in spark["comparisons"]
        for level in comparison["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    ]
    rules = [r["blocking_rule"] for r in spark["blocking_rules_to_generate_predictions"]]
    for sql in conditions + rules:
        # In Spark SQL "x" is a string literal: a column left double-quoted compares a constant.
        assert '"' not in sql, sql
        sqlglot.parse_one(sql, read="spark")
    assert "l.`addr_po_box` = r.`addr_po_box` AND l.`zip5` = r.`zip5`" in rules


def test_damerau_levenshtein_is_null_on_a_null_side_as_in_duckdb() -> None:
    """Splink's Spark function returns 100 for NULL, so `> 1` would hold on Spark only."""
    spark = model.spark_settings_dict(_trained())
    surname = next(c for c in spark["comparisons"] if c["output_column_name"] == "surname")
    second_differs = surname["comparison_levels"][2]["sql_condition"]
    assert (
        "IF(`surname_joined_l` IS NULL OR `surname_joined_r` IS NULL, NULL, "
        "DAMERAU_LEVENSHTEIN(`surname_joined_l`, `surname_joined_r`)) > 1"
    ) in second_differs
    all_sql = " ".join(
        level["sql_condition"] for c in spark["comparisons"] for level in c["comparison_levels"]
    )
    calls = all_sql.upper().count("DAMERAU_LEVENSHTEIN(")
    assert calls > 0
    assert all_sql.count("IS NULL, NULL, DAMERAU_LEVENSHTEIN(") == calls


@pytest.mark.parametrize("part", ["comparison", "blocking"])
def test_a_model_from_another_model_py_is_refused(part: str) -> None:
    trained = copy.deepcopy(_trained())
    if part == "comparison":
        trained["comparisons"][0]["comparison_levels"][1]["sql_condition"] = "1 = 1"
    else:
        trained["blocking_rules_to_generate_predictions"][0]["blocking_rule"] = "l.x = r.x"
    with pytest.raises(ValueError, match="differ"):
        model.spark_settings_dict(trained)
