"""Row-level SQL expressions (the model's comparison levels, Splink's weights, the blocking
rules) evaluated on Python values, for the few pairs of an on-demand lookup.

DuckDB needs tens of milliseconds to bind and plan Splink's expression-heavy SQL before it
runs a single row; a lookup of one record has a few hundred pairs to score. The expressions
stay the ones Splink and `link.model` wrote: `compile_expression` turns a parsed expression
into the source of a Python function, compiled once, with SQL's semantics (NULL
propagates, a NULL condition is not true, `greatest` skips NULLs). Only the forms that SQL
uses are known; any other raises, so a model that needs more fails loudly instead of
scoring differently.
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

Env = Any  # what the generated functions read columns from (a row, a tuple of rows)
Compiled = Callable[[Env], Any]
Resolver = Callable[[exp.Column], str]
"""A column -> Python source that reads its value from `env`."""


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


_OPERATORS: dict[type[exp.Expression], str] = {
    exp.EQ: "==",
    exp.NEQ: "!=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "damerau_levenshtein": damerau_levenshtein,
    "list_intersect": _list_intersect,
}


def _greatest(*values: Any) -> Any:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _concat(a: Any, b: Any) -> str:
    return f"{a}{b}"


def _like(negate: bool) -> Callable[[str, str], bool]:
    return lambda text, pattern: (_like_pattern(pattern).fullmatch(text) is None) == negate


def parse(sql: str) -> exp.Expression:
    """One DuckDB SQL expression or statement, parsed."""
    node = sqlglot.parse_one(sql, read="duckdb")
    if not isinstance(node, exp.Expression):
        raise ValueError(f"not an SQL expression: {sql}")
    return node


def table_columns(aliases: dict[str, int]) -> Resolver:
    """`alias.col` read from a tuple of rows (dicts), the alias naming the row's position."""

    def resolve(column: exp.Column) -> str:
        return f"env[{aliases[column.table]}][{column.name!r}]"

    return resolve


def compile_expression(node: exp.Expression, column: Resolver) -> Compiled:
    """A function of one environment (a pair, say) with the value SQL gives `node`.

    The expression becomes the source of one Python function (compiled once), not a tree
    of closures: a lookup evaluates Splink's expressions some ten thousand times, and a
    closure call per node was most of its scoring time."""
    source = _Source(column)
    return _define(source, [f"return {source.of(node)}"])


def compile_row(nodes: Sequence[exp.Expression], column: Resolver) -> Compiled:
    """One function returning the tuple of the expressions' values (a SELECT list)."""
    source = _Source(column)
    values = "".join(f"{source.of(n)}, " for n in nodes)
    return _define(source, [f"return ({values})"])


def compile_assignments(
    named: Sequence[tuple[str, exp.Expression]], column: Resolver, target: str
) -> Compiled:
    """One function setting `target[name]` (`target` is source, e.g. `env[2]`) to each
    expression's value in order; a later expression may read an earlier one through
    `column`, as DuckDB's SELECT lists allow."""
    source = _Source(column)
    lines = [f"_into = {target}"]
    lines += [f"_into[{name!r}] = {source.of(node)}" for name, node in named]
    return _define(source, lines)


def _define(source: _Source, lines: list[str]) -> Compiled:
    code = "def _compiled(env):\n" + "".join(f"    {line}\n" for line in lines)
    namespace: dict[str, Any] = dict(source.bound)
    exec(compile(code, "<sqlrow>", "exec"), namespace)
    compiled: Compiled = namespace["_compiled"]
    return compiled


class _Source:
    """Python source for SQL expressions; what it calls (column readers, functions, values
    that are not plain literals) is bound by name."""

    def __init__(self, column: Resolver) -> None:
        self.column = column
        self.bound: dict[str, Any] = {}
        self._temps = 0

    def bind(self, value: Any) -> str:
        name = f"_b{len(self.bound)}"
        self.bound[name] = value
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def strict(self, call: Callable[[list[str]], str], args: Sequence[exp.Expression]) -> str:
        """NULL when any argument is NULL, else `call` on the arguments' values."""
        temps = [self.temp() for _ in args]
        guard = " or ".join(
            f"({t} := {self.of(a)}) is None" for t, a in zip(temps, args, strict=True)
        )
        return f"(None if {guard} else {call(temps)})"

    def function(self, fn: Callable[..., Any], args: Sequence[exp.Expression]) -> str:
        name = self.bind(fn)
        return self.strict(lambda t: f"{name}({', '.join(t)})", args)

    def connective(self, parts: Sequence[exp.Expression], *, decisive: bool) -> str:
        """AND (decisive False) or OR (decisive True) in three-valued logic: the first
        decisive part decides, else NULL if any part is NULL."""
        temps = [self.temp() for _ in parts]
        nulls = " or ".join(f"{t} is None" for t in temps)
        text = f"(None if {nulls} else {not decisive})"
        for t, part in reversed(list(zip(temps, parts, strict=True))):
            text = f"({decisive} if ({t} := {self.of(part)}) is {decisive} else {text})"
        return text

    def of(self, node: exp.Expression) -> str:
        if isinstance(node, exp.Paren):
            return self.of(node.this)
        if isinstance(node, exp.Column):
            return f"({self.column(node)})"
        if isinstance(node, exp.Literal):
            text = node.this
            value: Any = text if node.is_string else (int(text) if text.isdigit() else float(text))
            return self.bind(value)
        if isinstance(node, exp.Null):
            return "None"
        if isinstance(node, exp.Boolean):
            return repr(bool(node.this))
        if isinstance(node, exp.And | exp.Or):
            return self.connective(_flatten(node, type(node)), decisive=isinstance(node, exp.Or))
        if isinstance(node, exp.Not):
            return self.strict(lambda t: f"(not {t[0]})", [node.this])
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            return f"({self.of(node.this)} is None)"
        if isinstance(node, exp.Like):
            return self.function(_like(bool(node.args.get("negate"))), [node.this, node.expression])
        if type(node) in _OPERATORS:
            operator = _OPERATORS[type(node)]
            return self.strict(
                lambda t: f"({t[0]} {operator} {t[1]})", [node.this, node.expression]
            )
        if isinstance(node, exp.DPipe):
            return self.function(_concat, [node.this, node.expression])
        if isinstance(node, exp.Neg):
            return self.strict(lambda t: f"(-{t[0]})", [node.this])
        if isinstance(node, exp.Pow):
            return self.function(math.pow, [node.this, node.expression])
        if isinstance(node, exp.Log) and node.expression is not None:
            return self.function(_log, [node.this, node.expression])
        if isinstance(node, exp.Cast):
            return self.function(_cast_to(node.to), [node.this])
        if isinstance(node, exp.Substring):
            return self.function(_substring, [node.this, node.args["start"], node.args["length"]])
        if isinstance(node, exp.Length | exp.ArraySize):
            return self.function(len, [node.this])
        if isinstance(node, exp.Coalesce):
            *first, last = [node.this, *node.expressions]
            text = self.of(last)
            for n in reversed(first):
                t = self.temp()
                text = f"({t} if ({t} := {self.of(n)}) is not None else {text})"
            return text
        if isinstance(node, exp.Greatest):
            values = ", ".join(self.of(n) for n in [node.this, *node.expressions])
            return f"{self.bind(_greatest)}({values})"
        if isinstance(node, exp.Case):
            default = node.args.get("default")
            text = self.of(default) if default is not None else "None"
            for when in reversed(node.args["ifs"]):
                condition, value = self.of(when.this), self.of(when.args["true"])
                text = f"({value} if {condition} is True else {text})"
            return text
        if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
            return self.function(_FUNCTIONS[node.name.lower()], node.expressions)
        raise ValueError(f"SQL not supported in row evaluation: {node.sql(dialect='duckdb')}")


def _cast_to(to: exp.DataType) -> Callable[[Any], Any]:
    if to.is_type(*exp.DataType.REAL_TYPES):
        return float
    if to.is_type(*exp.DataType.INTEGER_TYPES):
        return int
    if to.is_type(*exp.DataType.TEXT_TYPES):
        return str
    raise ValueError(f"cast to {to.sql()} is not supported")
