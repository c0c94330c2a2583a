"""The link stage of on-demand lookups: `IndexedLink.score`'s pairs, computed in Python.

A lookup of one record meets a few hundred master rows. DuckDB spends most of a lookup
binding and planning the blocking, whole-history and predict SQL for them (~60 ms of
statements that run in under 10). `RowwiseLink` evaluates the same expressions on Python
values with `link.sqlrow`: the blocking rules of the trained model, the whole-history
predicates of `link.score`, and the comparison vectors, weights and match weight of
Splink's own predict SQL, which `IndexedLink` generated for the same model. The pairs it
returns are the ones `IndexedLink` would leave, as Arrow tables (`ScoredRows`), which the
roll-up and disclosure read in Python too; the decision is the batch's own;
`tests/pipeline/test_lookup_parity.py` holds all of it to the batch's outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

import numpy as np
import pyarrow as pa
from sqlglot import exp

from crossverify.link import model
from crossverify.link.compiled import IndexedLink
from crossverify.link.index import TAXPAYER_COLUMN, rule_columns
from crossverify.link.score import (
    ScoredRows,
    at_the_address_sql,
    could_be_the_person_sql,
    in_memory_term_frequencies,
    pairs_select_sql,
    tf_columns,
)
from crossverify.link.sqlrow import (
    Resolver,
    compile_assignments,
    compile_expression,
    compile_row,
    parse,
    table_columns,
)

# An environment: (master row, request row, values computed so far), Splink's l and r.
_MASTER, _REQUEST, _COMPUTED = 0, 1, 2
_PROBED_COLUMNS = ["row_id", *model.LINK_COLUMNS]
# What the roll-up and the disclosure read of the scored taxpayers' rows
# (`candidates._roll_up_rows`, `address._disclosures_of_rows`): a third of the columns.
_SCORED_COLUMNS = [
    *("row_id", "tin", "tax_year", "suffix_std", "surname_2", "surname_std"),
    *("source", "received_date", "street", "city", "state", "zip"),
    *("addr_house_number", "addr_street_name", "addr_unit", "addr_urbanization"),
    *("addr_po_box", "addr_rural_route", "zip5", "city_std", "state_std"),
]


PAIRS_SCHEMA = pa.schema(
    [
        ("request_row", pa.int64()),
        ("row_id", pa.int64()),
        ("match_weight", pa.float64()),
        ("match_probability", pa.float64()),
        *((f"gamma_{n}", pa.int32()) for n in model.comparison_names()),
        *((f"mw_{n}", pa.float64()) for n in model.comparison_names()),
    ]
)


class _Selects:
    """A chain of SELECT lists (each reading the ones before), compiled over one pair."""

    def __init__(self, selects: list[exp.Select], where: exp.Expression | None) -> None:
        computed = {e.alias for s in selects for e in s.expressions if isinstance(e, exp.Alias)}
        self.computed = computed
        self.stages = [
            compile_assignments(
                [(e.alias, e.this) for e in s.expressions if isinstance(e, exp.Alias)],
                _pair_column(computed),
                f"env[{_COMPUTED}]",
            )
            for s in selects
        ]
        self.where = None if where is None else compile_expression(where, _pair_column(computed))

    def run(self, env: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> bool:
        """Fill env's computed values; False when the WHERE drops the pair."""
        for stage in self.stages[:-1]:
            stage(env)
        if self.where is not None and self.where(env) is not True:
            return False
        self.stages[-1](env)
        return True


def _pair_column(computed: set[str]) -> Resolver:
    """Splink's pair columns: a computed alias, else `col_l` (master) or `col_r` (request)."""

    def resolve(column: exp.Column) -> str:
        name = column.name
        if column.table:
            raise ValueError(f"a qualified column in Splink's pair SQL: {column.sql()}")
        if name in computed:
            return f"env[{_COMPUTED}][{name!r}]"
        base, side = name[:-2], {"_l": _MASTER, "_r": _REQUEST}.get(name[-2:])
        if side is None:
            raise ValueError(f"unknown column in Splink's pair SQL: {name}")
        return f"env[{side}][{base!r}]"

    return resolve


Key = Callable[[dict[str, Any]], tuple[Any, ...] | None]


def _key_of(columns: tuple[str, ...]) -> Key:
    """A row's blocking key on `columns`; None when one is NULL (SQL equality never holds)."""
    get = itemgetter(*columns)
    if len(columns) == 1:
        return lambda row: None if (value := get(row)) is None else (value,)
    return lambda row: None if None in (values := get(row)) else values


class RowwiseLink:
    """`IndexedLink` for calls of a few records: its index, model and SQL, run in Python."""

    def __init__(self, link: IndexedLink) -> None:
        self._con, self._index = link.con, link.index
        model_settings = link.model_settings
        # Splink's blocking reads the master as l and the requests as r.
        self._rules = [
            tuple(_key_of(columns) for columns in rule_columns(model.rule_sql(r)))
            for r in model_settings["blocking_rules_to_generate_predictions"]
        ]
        request_master = table_columns({"r": _REQUEST, "m": _MASTER})
        self._could_be = compile_expression(
            parse(could_be_the_person_sql("r", "m")), request_master
        )
        self._at_the_address = compile_expression(
            parse(at_the_address_sql("r", "m")), request_master
        )
        predict = parse(link.splink_predict_sql)
        assert isinstance(predict, exp.Select)
        ctes = {cte.alias: cte.this for cte in predict.ctes}
        vectors = ctes["__splink__df_comparison_vectors"]
        parts = ctes["__splink__df_match_weight_parts"]
        final = predict.copy()
        final.set("with_", None)
        pairs = parse(pairs_select_sql("predictions"))
        assert isinstance(final, exp.Select) and isinstance(pairs, exp.Select)
        where = final.args.get("where")
        self._predict = _Selects([vectors, parts, final], None if where is None else where.this)
        predicted = _pair_column(self._predict.computed)
        self._pair_names = [e.alias_or_name for e in pairs.expressions]
        self._pair_values = compile_row(
            [e.this if isinstance(e, exp.Alias) else e for e in pairs.expressions], predicted
        )
        self._term_frequencies = {
            column: dict(
                self._con.sql(
                    f"SELECT {column}, tf_{column} FROM {in_memory_term_frequencies(column)}"
                ).fetchall()
            )
            for column in tf_columns(model_settings)
        }

    def _rows(self, table: pa.Table, source: str, key: str) -> list[dict[str, Any]]:
        # One chunk first: the index slices a lookup's rows into a chunk per run, and Arrow
        # converts one chunk to Python a third faster than fifty.
        rows: list[dict[str, Any]] = table.combine_chunks().to_pylist()
        for row in rows:
            row["source_dataset"], row["unique_id"] = source, row[key]
            for column, frequencies in self._term_frequencies.items():
                row[f"tf_{column}"] = frequencies.get(row[column])
        return rows

    def score(self, requests: pa.Table) -> ScoredRows:
        """The pairs `IndexedLink.score` leaves for `requests`, and their taxpayers' rows."""
        index = self._index
        wanted = requests.select(["request_row", *model.LINK_COLUMNS])
        asked = self._rows(wanted, "requests", "request_row")
        probed = index.rows(index.taxpayers_of(self._con, asked), _PROBED_COLUMNS)
        masters = self._rows(probed, "master", "row_id")
        by_tin: dict[str, list[int]] = {}
        for n, m in enumerate(masters):
            by_tin.setdefault(m["tin"], []).append(n)
        by_key: list[dict[tuple[Any, ...], list[int]]] = []
        for master_key, _ in self._rules:
            keyed: dict[tuple[Any, ...], list[int]] = {}
            for n, m in enumerate(masters):
                if (key := master_key(m)) is not None:
                    keyed.setdefault(key, []).append(n)
            by_key.append(keyed)
        pairs: set[tuple[int, int]] = set()  # (request, master) positions
        for q, r in enumerate(asked):
            blocked: set[int] = set()
            for (_, request_key), keyed in zip(self._rules, by_key, strict=True):
                if (key := request_key(r)) is not None:
                    blocked.update(keyed.get(key, ()))
            found: set[str] = set()
            for n in blocked:
                m = masters[n]
                env: tuple[dict[str, Any], ...] = (m, r, {})
                if self._could_be(env) is True:
                    found.add(m["tin"])
                if self._at_the_address(env) is True:
                    pairs.add((q, n))
            pairs.update((q, n) for tin in found for n in by_tin[tin])
        rows = []
        scored_taxpayers = set()
        for q, n in sorted(pairs):
            env = (masters[n], asked[q], {})
            scored_taxpayers.add(masters[n][TAXPAYER_COLUMN])
            if self._predict.run(env):
                rows.append(self._pair_values(env))
        columns = dict(zip(self._pair_names, zip(*rows, strict=True), strict=True)) if rows else {}
        out = {name: list(columns.get(name, ())) for name in PAIRS_SCHEMA.names}
        scored = np.array(sorted(scored_taxpayers), dtype=np.int64)
        return ScoredRows(
            pairs=pa.table(out, schema=PAIRS_SCHEMA), master=index.rows(scored, _SCORED_COLUMNS)
        )
