"""Row evaluation gives what DuckDB gives for the same expression, NULLs included."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from sqlglot import exp

from crossverify.link.sqlrow import compile_expression, damerau_levenshtein, parse

ROWS: list[dict[str, Any]] = [
    {"a": "GARCIA", "b": "GARCIA", "n": 1, "x": ["A", "B"], "y": ["B"]},
    {"a": "GARCIA", "b": "GRACIA", "n": 2, "x": ["A"], "y": ["C"]},
    {"a": "LOPEZ DE GARCIA", "b": "GARCIA", "n": None, "x": [], "y": ["C"]},
    {"a": None, "b": "MARY", "n": 0, "x": None, "y": ["C"]},
    {"a": None, "b": None, "n": None, "x": None, "y": None},
    {"a": "JO", "b": "J", "n": 5, "x": ["J", None], "y": ["J"]},
]

EXPRESSIONS = [
    "a = b",
    "a <> b OR n > 1",
    "a = b AND n > 1",
    "NOT (a = b)",
    "a IS NULL OR b IS NULL",
    "a = b OR n > 1 OR a IS NULL",
    "NOT (a = b) AND n > 0 AND b IS NOT NULL",
    "coalesce(a, '') = coalesce(b, '')",
    "a NOT LIKE '% DE ' || b",
    "a LIKE 'G_RC%'",
    "substr(a, 1, 1) = substr(b, 1, 1)",
    "substr(a, length(b) + 2, 1)",
    "a || 'A' = b OR (a LIKE '%A' AND b LIKE '%O')",
    "substr(a, 1, length(a) - 1) = substr(b, 1, length(b) - 1)",
    "damerau_levenshtein(a, b) <= 1",
    "damerau_levenshtein(a, b) > 1",
    "array_length(list_intersect(x, y)) >= 1",
    "len(list_intersect(x, y)) > 0",
    "CASE WHEN a = b THEN 2 WHEN n > 1 THEN 1 ELSE 0 END",
    "CASE WHEN a = b THEN 1 END",
    "greatest(n, 1.5, NULL)",
    "CAST(-3.5 AS DOUBLE) + n * 2 - n / 4",
    "log(2, greatest(n, 0.5))",
    "power(CAST(2 AS DOUBLE), -(n))",
]


def _columns(column: exp.Column) -> str:
    return f"env[{column.name!r}]"


@pytest.mark.parametrize("sql", EXPRESSIONS)
def test_an_expression_has_duckdbs_value_on_every_row(sql: str) -> None:
    con = duckdb.connect()
    fn = compile_expression(parse(sql), _columns)
    for row in ROWS:
        expected = con.execute(
            f"SELECT {sql} FROM (SELECT $a::VARCHAR AS a, $b::VARCHAR AS b, $n::INTEGER AS n, "
            "$x::VARCHAR[] AS x, $y::VARCHAR[] AS y)",
            row,
        ).fetchone()
        assert expected is not None
        assert fn(row) == pytest.approx(expected[0], rel=1e-15), (sql, row)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("", "", 0), ("MARY", "MARY", 0), ("MARY", "MAYR", 1), ("MARY", "GARY", 1),
     ("MARY", "MAR", 1), ("MARY", "AMRY", 1), ("JON", "JOHN", 1), ("ANN", "NNA", 2),
     ("CA", "ABC", 2), ("1980-04-02", "1980-02-04", 2), ("", "ABC", 3), ("NUÑEZ", "NUNEZ", 2)],
)  # fmt: skip
def test_damerau_levenshtein_is_duckdbs(a: str, b: str, distance: int) -> None:
    """CA -> ABC is 2 only for the true distance (3 for optimal string alignment); an
    accented letter is two bytes to DuckDB."""
    [(in_duckdb,)] = duckdb.execute("SELECT damerau_levenshtein($1, $2)", [a, b]).fetchall()
    assert damerau_levenshtein(a, b) == in_duckdb == distance


def test_sql_it_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported"):
        compile_expression(parse("regexp_matches(a, 'G.*')"), _columns)
