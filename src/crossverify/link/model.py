"""The Splink model: comparisons that know the domain, and blocking rules. Nothing else.

Each comparison is computed on columns produced by `crossverify.standardize`, the same
for master rows and request rows. Levels go from strongest to weakest agreement; the
decide stage reads the gamma levels back, so their order is part of the contract
(see `GIVEN_LEVELS`, `ADDRESS_LEVELS` below).
"""

from __future__ import annotations

import copy
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
import sqlglot
from splink import SettingsCreator
from splink.blocking_rule_library import CustomRule
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from sqlglot import exp

from crossverify.link import address_sql
from crossverify.link.address_sql import splink_side

# Columns each side of a pair carries into Splink (unique_id added by the link stage).
LINK_COLUMNS: tuple[str, ...] = (
    "given_std",
    "given_first",
    "given_nick_keys",
    "middle_initial",
    "surname_std",
    "surname_joined",
    "surname_1",
    "surname_2",
    "surname_keys",
    "suffix_std",
    "dob_str",
    "tin",
    "addr_line_std",
    "addr_house_number",
    "addr_street_name",
    "addr_unit",
    "addr_po_box",
    "addr_rural_route",
    "addr_urbanization",
    "zip5",
    "city_std",
    "state_std",
)

# gamma values (Splink numbers levels from the top, highest = strongest, null = -1).
NULL_LEVEL = -1  # either side missing
# A "conflict" level sits high in its comparison so that it is tested before the weaker
# agreements it would otherwise fall into; decide reads levels by name, never by order.
GIVEN_LEVELS = {
    "exact": 7,
    "first_token_conflict": 6,
    "first_token": 5,
    "nickname": 4,
    "other_sex": 3,
    "close": 2,
    "initial": 1,
    "else": 0,
}
SURNAME_LEVELS = {
    "exact": 5,
    "second_conflict": 4,
    "first": 3,
    "either_part": 2,
    "close": 1,
    "else": 0,
}
ADDRESS_LEVELS = {
    "exact": 7,
    "house_street": 6,
    "house_street_close": 5,
    "box_or_route": 4,
    "house_street_unit_conflict": 3,
    "street_only": 2,
    "zip": 1,
    "else": 0,
}
SUFFIX_LEVELS = {"same": 2, "one_missing": 1, "conflict": 0}
DOB_LEVELS = {"exact": 4, "transposed": 3, "one_edit": 2, "year": 1, "else": 0}
TIN_LEVELS = {"exact": 1, "else": 0}

# Agreement that lets a taxpayer qualify (decide stage); everything else is not enough.
GIVEN_AGREES = frozenset(GIVEN_LEVELS[k] for k in ("exact", "first_token", "nickname", "close"))
GIVEN_DIFFERS = frozenset(GIVEN_LEVELS[k] for k in ("first_token_conflict", "other_sex", "else"))
SURNAME_AGREES = frozenset(SURNAME_LEVELS[k] for k in ("exact", "first", "either_part", "close"))
ADDRESS_CORROBORATES = frozenset(
    ADDRESS_LEVELS[k] for k in ("exact", "house_street", "house_street_close", "box_or_route")
)


# The custom SQL in this module is DuckDB SQL. Splink translates it (sqlglot) when the
# settings are built for another engine; for DuckDB it is used as written.
SQL_DIALECT = "duckdb"


def _custom(sql_condition: str, label: str | None = None) -> cll.CustomLevel:
    return cll.CustomLevel(sql_condition, label, base_dialect_str=SQL_DIALECT)


def _null(col: str) -> ComparisonLevelCreator:
    return _custom(f'"{col}_l" IS NULL OR "{col}_r" IS NULL', "null").configure(is_null_level=True)


def _given_name() -> cl.CustomComparison:
    # "MARIA ELENA" vs "MARIA LUISA": same first token, different second name: two sisters.
    both_compound_differ = (
        '"given_first_l" = "given_first_r" AND "given_std_l" <> "given_first_l" AND '
        '"given_std_r" <> "given_first_r" AND '
        'substr("given_std_l", length("given_first_l") + 2, 1) <> '
        'substr("given_std_r", length("given_first_r") + 2, 1)'
    )
    # "JUAN" vs "JUANA", "MARIO" vs "MARIA": one letter apart, but a brother and a sister.
    a, b = '"given_first_l"', '"given_first_r"'
    stem = f"substr({a}, 1, length({a}) - 1) = substr({b}, 1, length({b}) - 1)"
    other_sex = (
        f"(length({a}) >= 4 AND {a} || 'A' = {b}) OR (length({b}) >= 4 AND {b} || 'A' = {a}) OR "
        f"(length({a}) >= 4 AND length({a}) = length({b}) AND {stem} AND "
        f"(({a} LIKE '%A' AND {b} LIKE '%O') OR ({a} LIKE '%O' AND {b} LIKE '%A')))"
    )
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=[
            _null("given_first"),
            cll.ExactMatchLevel("given_std").configure(tf_adjustment_column="given_std"),
            _custom(both_compound_differ, "first token, other given names differ"),
            cll.ExactMatchLevel("given_first").configure(tf_adjustment_column="given_first"),
            cll.ArrayIntersectLevel("given_nick_keys", 1),
            _custom(other_sex, "the same name in the other sex's form"),
            cll.DamerauLevenshteinLevel("given_first", 1),
            _custom(
                'substr("given_first_l", 1, 1) = substr("given_first_r", 1, 1) AND '
                '(length("given_first_l") = 1 OR length("given_first_r") = 1)',
                "initial only",
            ),
            cll.ElseLevel(),
        ],
    )


def _surname() -> cl.CustomComparison:
    # "GARCIA LOPEZ" vs "GARCIA MARTINEZ": one shared surname, the other differs: another mother.
    # A married "de" surname (GUZMAN DE CARRASCO) is the husband's, not a second surname.
    second_differs = (
        '"surname_2_l" IS NOT NULL AND "surname_2_r" IS NOT NULL AND '
        '"surname_2_l" <> "surname_2_r" AND '
        'damerau_levenshtein("surname_2_l", "surname_2_r") > 1 AND '
        'damerau_levenshtein("surname_joined_l", "surname_joined_r") > 1 AND '
        '"surname_std_l" NOT LIKE \'% DE \' || "surname_2_l" AND '
        '"surname_std_r" NOT LIKE \'% DE \' || "surname_2_r"'
    )
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            _null("surname_1"),
            cll.ExactMatchLevel("surname_joined").configure(tf_adjustment_column="surname_joined"),
            cll.And(
                cll.ArrayIntersectLevel("surname_keys", 1),
                _custom(second_differs),
            ).configure(label_for_charts="one surname shared, the other differs"),
            cll.ExactMatchLevel("surname_1").configure(tf_adjustment_column="surname_1"),
            cll.ArrayIntersectLevel("surname_keys", 1),
            cll.Or(
                cll.DamerauLevenshteinLevel("surname_joined", 1),
                cll.DamerauLevenshteinLevel("surname_1", 1),
            ).configure(label_for_charts="one typo in the surname"),
            cll.ElseLevel(),
        ],
    )


def _address() -> cl.CustomComparison:
    left, right = splink_side("l"), splink_side("r")
    same_place = address_sql.same_place(left, right)
    same_urb = address_sql.same_urbanization(left, right)
    unit_agrees = address_sql.unit_agrees(left, right)
    same_house = address_sql.same_house(left, right)
    same_street = address_sql.same_street(left, right)
    near_urb = (
        f'({same_urb} OR damerau_levenshtein("addr_urbanization_l", "addr_urbanization_r") <= 1)'
    )
    one_typo = (
        '"addr_house_number_l" = "addr_house_number_r" AND '
        f"{near_urb} AND {same_place} AND {unit_agrees} AND "
        'damerau_levenshtein("addr_street_name_l", "addr_street_name_r") <= 1'
    )
    no_line = (
        '("addr_street_name_{s}" IS NULL AND "addr_po_box_{s}" IS NULL'
        ' AND "addr_rural_route_{s}" IS NULL)'
    )
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            _custom(f"{no_line.format(s='l')} OR {no_line.format(s='r')}", "null").configure(
                is_null_level=True
            ),
            _custom(
                f'"addr_line_std_l" = "addr_line_std_r" AND {same_urb} AND {same_place}',
                "exact line",
            ),
            _custom(
                f"{same_street} AND {same_house} AND {unit_agrees}",
                "house + street",
            ),
            _custom(one_typo, "house + street (or urbanization) with one typo"),
            _custom(
                address_sql.same_box(left, right),
                "PO box + ZIP (city if no ZIP), or rural route + place",
            ),
            _custom(f"{same_street} AND {same_house}", "house + street, another unit"),
            _custom(f"{same_street} AND {same_place}", "street only"),
            _custom('"zip5_l" = "zip5_r"', "zip only"),
            cll.ElseLevel(),
        ],
    )


def _suffix() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="suffix",
        comparison_levels=[
            _custom("coalesce(\"suffix_std_l\", '') = coalesce(\"suffix_std_r\", '')", "same"),
            _custom('"suffix_std_l" IS NULL OR "suffix_std_r" IS NULL', "one missing"),
            cll.ElseLevel(),
        ],
    )


def _dob() -> cl.CustomComparison:
    transposed = (
        'substr("dob_str_l", 1, 4) = substr("dob_str_r", 1, 4) AND '
        'substr("dob_str_l", 6, 2) = substr("dob_str_r", 9, 2) AND '
        'substr("dob_str_l", 9, 2) = substr("dob_str_r", 6, 2)'
    )
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            _null("dob_str"),
            cll.ExactMatchLevel("dob_str"),
            _custom(transposed, "month/day transposed"),
            cll.DamerauLevenshteinLevel("dob_str", 1),
            _custom('substr("dob_str_l", 1, 4) = substr("dob_str_r", 1, 4)', "same year"),
            cll.ElseLevel(),
        ],
    )


def _middle_initial() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="middle_initial",
        comparison_levels=[
            _null("middle_initial"),
            cll.ExactMatchLevel("middle_initial"),
            cll.ElseLevel(),
        ],
    )


def _tin() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="tin",
        comparison_levels=[_null("tin"), cll.ExactMatchLevel("tin"), cll.ElseLevel()],
    )


BLOCKING_RULES_SQL: tuple[str, ...] = (
    'l."surname_1" = r."surname_1" AND l."zip5" = r."zip5"'
    ' AND l."addr_house_number" = r."addr_house_number"',
    'l."addr_house_number" = r."addr_house_number" AND l."addr_street_name" = r."addr_street_name"'
    ' AND l."zip5" = r."zip5"',
    'l."tin" = r."tin"',
    'l."surname_1" = r."surname_2" AND l."zip5" = r."zip5"'
    ' AND l."addr_house_number" = r."addr_house_number"',
    'l."surname_2" = r."surname_1" AND l."zip5" = r."zip5"'
    ' AND l."addr_house_number" = r."addr_house_number"',
    'l."addr_po_box" = r."addr_po_box" AND l."zip5" = r."zip5"',
    'l."addr_rural_route" = r."addr_rural_route" AND l."zip5" = r."zip5"',
    # A ZIP typo or a ZIP-less request: the address still corroborates on city + state.
    'l."addr_house_number" = r."addr_house_number" AND l."addr_street_name" = r."addr_street_name"'
    ' AND l."city_std" = r."city_std"',
    'l."addr_po_box" = r."addr_po_box" AND l."city_std" = r."city_std"',
    'l."addr_rural_route" = r."addr_rural_route" AND l."city_std" = r."city_std"',
    # A typo in the street and one in the surname (or a ZIP-less request with either): the
    # given name still finds the house.
    'l."given_first" = r."given_first" AND l."addr_house_number" = r."addr_house_number"'
    ' AND l."city_std" = r."city_std"',
    # Namesakes in the ZIP (another house) stay in as runner-ups. Not the whole city: at 10M
    # persons given name + surname + city brought 230 pairs per request, 95% of all pairs.
    'l."given_first" = r."given_first" AND l."surname_1" = r."surname_1" AND l."zip5" = r."zip5"',
    'l."surname_1" = r."surname_1" AND l."dob_str" = r."dob_str"',
)

# EM is trained on the master file alone (latest year per taxpayer against its other years).
# Every block includes the date of birth, so household members who share a surname and an
# address (the pairs EM would otherwise mistake for one person) rarely enter training;
# each session estimates the comparisons its rule does not fix.
TRAINING_BLOCKS_SQL: tuple[str, ...] = (
    'l."dob_str" = r."dob_str" AND l."surname_1" = r."surname_1"',
    'l."dob_str" = r."dob_str" AND l."given_first" = r."given_first"',
    'l."dob_str" = r."dob_str" AND l."zip5" = r."zip5"',
    'l."given_std" = r."given_std" AND l."surname_joined" = r."surname_joined"'
    ' AND l."addr_line_std" = r."addr_line_std"',
)


def settings(*, probability_two_random_records_match: float = 1e-6) -> SettingsCreator:
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _given_name(),
            _surname(),
            _middle_initial(),
            _suffix(),
            _dob(),
            _address(),
            _tin(),
        ],
        blocking_rules_to_generate_predictions=[
            CustomRule(rule, sql_dialect=SQL_DIALECT) for rule in BLOCKING_RULES_SQL
        ],
        probability_two_random_records_match=probability_two_random_records_match,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


def comparison_names() -> list[str]:
    return ["given_name", "surname", "middle_initial", "suffix", "dob", "address", "tin"]


def settings_dict() -> dict[str, Any]:
    return settings().create_settings_dict("duckdb")


def spark_settings_dict(trained: dict[str, Any]) -> dict[str, Any]:
    """A model trained on DuckDB, with its SQL in Spark's dialect; every trained number kept.

    Splink translates this module's SQL (see `SQL_DIALECT`); the trained JSON must hold the
    SQL this module builds today, else the levels could be paired with the wrong weights.
    Raises ValueError when they differ (the model predates a change to this module).
    """
    duckdb_now = settings().create_settings_dict(SQL_DIALECT)
    spark_now = settings().create_settings_dict("spark")
    converted = copy.deepcopy(trained)
    if len(converted["comparisons"]) != len(duckdb_now["comparisons"]):
        raise ValueError("the model's comparisons differ from model.py's")
    for comparison, duck, spark in zip(
        converted["comparisons"], duckdb_now["comparisons"], spark_now["comparisons"], strict=True
    ):
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        duck_sql = [level["sql_condition"] for level in duck["comparison_levels"]]
        if name != duck["output_column_name"] or [lv["sql_condition"] for lv in levels] != duck_sql:
            raise ValueError(f"the model's comparison {name} differs from model.py's")
        for level, spark_level in zip(levels, spark["comparison_levels"], strict=True):
            level["sql_condition"] = _null_safe_spark_sql(spark_level["sql_condition"])
    rules = "blocking_rules_to_generate_predictions"
    if [rule_sql(r) for r in converted[rules]] != [rule_sql(r) for r in duckdb_now[rules]]:
        raise ValueError("the model's blocking rules differ from model.py's")
    converted[rules] = spark_now[rules]
    converted["sql_dialect"] = "spark"
    return converted


def rule_sql(rule: str | dict[str, Any]) -> str:
    """A blocking rule's SQL, as the trained JSON holds it (a string or Splink's dict)."""
    return rule if isinstance(rule, str) else str(rule["blocking_rule"])


def _null_safe_spark_sql(sql_condition: str) -> str:
    """Splink's Spark `damerau_levenshtein` returns 100 for a NULL side where DuckDB returns
    NULL, so `damerau_levenshtein(a, b) > 1` would hold on Spark only. Make it NULL there too.

    (Both compute the true Damerau-Levenshtein distance on the ASCII the standardizer emits.)
    """

    def null_safe(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "damerau_levenshtein":
            left, right = node.expressions
            return exp.If(
                this=exp.or_(
                    exp.Is(this=left.copy(), expression=exp.Null()),
                    exp.Is(this=right.copy(), expression=exp.Null()),
                ),
                true=exp.Null(),
                false=node.copy(),
            )
        return node

    if "damerau_levenshtein" not in sql_condition.lower():
        return sql_condition  # ELSE is no expression
    return sqlglot.parse_one(sql_condition, read="spark").transform(null_safe).sql(dialect="spark")
