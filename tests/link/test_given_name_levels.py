"""The given-name comparison on labelled pairs: each pair's level, evaluated in DuckDB on the
standardized names, read by name (decide never reads levels by number)."""

from __future__ import annotations

import duckdb
import pytest

from crossverify.link import model
from crossverify.standardize.names import parse_given

LEVEL_NAMES = {number: name for name, number in model.GIVEN_LEVELS.items()}


def _comparison_levels() -> list[dict[str, object]]:
    comparison = model._given_name().get_comparison(model.SQL_DIALECT).as_dict()
    levels: list[dict[str, object]] = comparison["comparison_levels"]
    return levels


def _level(a: str, b: str) -> str:
    cases = [lvl for lvl in _comparison_levels() if lvl["sql_condition"] != "ELSE"]
    numbers = [-1, *range(len(cases) - 1, 0, -1)]  # null first, then highest level down
    when = " ".join(
        f"WHEN {lvl['sql_condition']} THEN {n}" for lvl, n in zip(cases, numbers, strict=True)
    )
    left, right = parse_given(a), parse_given(b)
    row = {
        "given_std_l": left.given_std,
        "given_std_r": right.given_std,
        "given_first_l": left.given_first,
        "given_first_r": right.given_first,
        "given_nick_keys_l": list(left.nick_keys),
        "given_nick_keys_r": list(right.nick_keys),
    }
    select = ", ".join(f"${name} AS {name}" for name in row)
    sql = f"SELECT CASE {when} ELSE 0 END FROM (SELECT {select})"
    [(number,)] = duckdb.execute(sql, row).fetchall()
    return "null" if number == -1 else LEVEL_NAMES[number]


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Juan", "JUAN", "exact"),
        ("Maria Elena", "Maria Luisa", "first_token_conflict"),
        ("Maria Elena", "Maria", "first_token"),
        ("Bill", "William", "nickname"),
        ("Juana", "Juan", "other_sex"),
        ("Daniel", "Daniela", "other_sex"),
        ("Mario", "María", "other_sex"),
        ("Francisco", "Francisca", "other_sex"),
        ("Ann", "Anna", "nickname"),  # the nickname table links them first
        ("Ines", "Inez", "close"),
        ("Eva", "Evaa", "close"),  # too short for a sex's form: a keying error
        ("Jonh", "John", "close"),
        ("J", "John", "initial"),
        ("Mary", "Robert", "else"),
        ("", "John", "null"),
    ],
)
def test_given_name_level(a: str, b: str, level: str) -> None:
    assert _level(a, b) == level
    assert _level(b, a) == level


def test_every_level_is_named() -> None:
    assert len(_comparison_levels()) == len(model.GIVEN_LEVELS) + 1  # + the null level
