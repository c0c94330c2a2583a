"""Row-level SQL expressions (the model's comparison levels, Splink's weights, the blocking
rules) evaluated on Python values, for the few pairs of an on-demand lookup.

DuckDB needs tens of milliseconds to bind and plan Splink's expression-heavy SQL before it
runs a single row; a lookup of one record has a few hundred pairs to score. The expressions
stay the ones Splink and `link.model` wrote: `compile_expression` turns a parsed expression
into a Python function with SQL's semantics (NULL propagates, a NULL condition is not
true, `greatest` skips NULLs). Only the forms that SQL uses are known; any other raises, so
a model that needs more fails loudly instead of scoring differently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import jellyfish
import sqlglot
from sqlglot import exp

Env = Any  # whatever the column resolver's functions read
Compiled = Callable[[Env], Any]
Resolver = Callable[[exp.Column], Compiled]


def damerau_levenshtein(a: str, b: str) -> int:
    """DuckDB's `damerau_levenshtein`: the true Damerau-Levenshtein distance between the UTF-8
    bytes of a and b (an accented letter is two bytes), from jellyfish's native code on the
    bytes read as Latin-1, one character per byte."""
    if a == b:
        return 0
    distance: int = jellyfish.damerau_levenshtein_distance(
        a.encode().decode("latin-1"), b.encode().decode("latin-1")
    )
    return distance


def _strict(fn: Callable[..., Any], args: Sequence[Compiled]) -> Compiled:
    """A function that is NULL when any argument is NULL. Unary and binary forms (almost
    every node) are written out: a lookup evaluates them some thousand times."""
    if len(args) == 1:
        [only] = args

        def run_unary(env: Env) -> Any:
            value = only(env)
            return None if value is None else fn(value)

        return run_unary
    if len(args) == 2:
        first, second = args

        def run_binary(env: Env) -> Any:
            if (left := first(env)) is None or (right := second(env)) is None:
                return None
            return fn(left, right)

        return run_binary

    def run(env: Env) -> Any:
        values = [a(env) for a in args]
        return None if any(v is None for v in values) else fn(*values)

    return run


def _connective(parts: Sequence[Compiled], decisive: bool) -> Compiled:
    """AND (decisive False) or OR (decisive True) in three-valued logic."""

    def run(env: Env) -> bool | None:
        unknown = False
        for part in parts:
            value: bool | None = part(env)
            if value is decisive:
                return decisive
            unknown = unknown or value is None
        return None if unknown else not decisive

    return run


def _flatten(node: exp.Expression, kind: type[exp.Expression]) -> list[exp.Expression]:
    if isinstance(node, kind):
        return [*_flatten(node.this, kind), *_flatten(node.expression, kind)]
    return [node]


@cache
def _like_pattern(pattern: str) -> re.Pattern[str]:
    parts = ("." if c == "_" else ".*" if c == "%" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL)


def _substring(text: str, start: int, length: int) -> str:
    if start < 1:
        raise ValueError("substring from a position before 1 is not supported")
    return text[start - 1 : start - 1 + length]


def _list_intersect(a: list[Any], b: list[Any]) -> list[Any]:
    right = set(b)
    return list({v for v in a if v is not None and v in right})


def _log(base: float, value: float) -> float:
    return math.log10(value) / math.log10(base)


def _cast(node: exp.Cast, inner: Compiled) -> Compiled:
    to = node.to
    if to.is_type(*exp.DataType.REAL_TYPES):
        return _strict(float, [inner])
    if to.is_type(*exp.DataType.INTEGER_TYPES):
        return _strict(int, [inner])
    if to.is_type(*exp.DataType.TEXT_TYPES):
        return _strict(str, [inner])
    raise ValueError(f"cast to {to.sql()} is not supported")


def _literal(node: exp.Literal) -> Compiled:
    text = node.this
    value: Any = text if node.is_string else (int(text) if text.isdigit() else float(text))
    return lambda _env: value


_BINARY: dict[type[exp.Expression], Callable[[Any, Any], Any]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
    exp.Add: lambda a, b: a + b,
    exp.Sub: lambda a, b: a - b,
    exp.Mul: lambda a, b: a * b,
    exp.Div: lambda a, b: a / b,
    exp.DPipe: lambda a, b: f"{a}{b}",
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "damerau_levenshtein": damerau_levenshtein,
    "list_intersect": _list_intersect,
}


def parse(sql: str) -> exp.Expression:
    """One DuckDB SQL expression or statement, parsed."""
    node = sqlglot.parse_one(sql, read="duckdb")
    if not isinstance(node, exp.Expression):
        raise ValueError(f"not an SQL expression: {sql}")
    return node


def table_columns(aliases: dict[str, int]) -> Resolver:
    """`alias.col` read from a tuple of rows (dicts), the alias naming the row's position."""

    def resolve(column: exp.Column) -> Compiled:
        position, name = aliases[column.table], column.name
        return lambda env: env[position][name]

    return resolve


def compile_expression(node: exp.Expression, column: Resolver) -> Compiled:
    """A function of one environment (a pair, say) with the value SQL gives `node`."""

    def sub(n: exp.Expression) -> Compiled:
        return compile_expression(n, column)

    if isinstance(node, exp.Paren):
        return sub(node.this)
    if isinstance(node, exp.Column):
        return column(node)
    if isinstance(node, exp.Literal):
        return _literal(node)
    if isinstance(node, exp.Null):
        return lambda _env: None
    if isinstance(node, exp.Boolean):
        truth = bool(node.this)
        return lambda _env: truth
    if isinstance(node, exp.And):
        return _connective([sub(n) for n in _flatten(node, exp.And)], decisive=False)
    if isinstance(node, exp.Or):
        return _connective([sub(n) for n in _flatten(node, exp.Or)], decisive=True)
    if isinstance(node, exp.Not):
        inner = sub(node.this)
        return lambda env: None if (v := inner(env)) is None else not v
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        inner = sub(node.this)
        return lambda env: inner(env) is None
    if isinstance(node, exp.Like):
        text, pattern = sub(node.this), sub(node.expression)
        negate = bool(node.args.get("negate"))
        return _strict(
            lambda t, p: (_like_pattern(p).fullmatch(t) is None) == negate, [text, pattern]
        )
    if type(node) in _BINARY:
        return _strict(_BINARY[type(node)], [sub(node.this), sub(node.expression)])
    if isinstance(node, exp.Neg):
        return _strict(lambda v: -v, [sub(node.this)])
    if isinstance(node, exp.Pow):
        return _strict(math.pow, [sub(node.this), sub(node.expression)])
    if isinstance(node, exp.Log) and node.expression is not None:
        return _strict(_log, [sub(node.this), sub(node.expression)])
    if isinstance(node, exp.Cast):
        return _cast(node, sub(node.this))
    if isinstance(node, exp.Substring):
        return _strict(
            _substring, [sub(node.this), sub(node.args["start"]), sub(node.args["length"])]
        )
    if isinstance(node, exp.Length | exp.ArraySize):
        return _strict(len, [sub(node.this)])
    if isinstance(node, exp.Coalesce | exp.Greatest):
        args = [sub(node.this), *(sub(n) for n in node.expressions)]
        return _coalesce(args) if isinstance(node, exp.Coalesce) else _greatest(args)
    if isinstance(node, exp.Case):
        return _case(
            [(sub(i.this), sub(i.args["true"])) for i in node.args["ifs"]],
            sub(node.args["default"]) if node.args.get("default") else None,
        )
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        return _strict(_FUNCTIONS[node.name.lower()], [sub(n) for n in node.expressions])
    raise ValueError(f"SQL not supported in row evaluation: {node.sql(dialect='duckdb')}")


def _coalesce(args: Sequence[Compiled]) -> Compiled:
    def run(env: Env) -> Any:
        for a in args:
            if (value := a(env)) is not None:
                return value
        return None

    return run


def _greatest(args: Sequence[Compiled]) -> Compiled:
    def run(env: Env) -> Any:
        values = [v for a in args if (v := a(env)) is not None]
        return max(values) if values else None

    return run


def _case(whens: Sequence[tuple[Compiled, Compiled]], default: Compiled | None) -> Compiled:
    def run(env: Env) -> Any:
        for condition, value in whens:
            if condition(env) is True:
                return value(env)
        return None if default is None else default(env)

    return run
