"""The vectorised apply: one code path that standardizes master rows and request rows alike.

Each input column is reduced to its distinct values (``pc.unique``), the pure parsers of
``names`` and ``addresses`` run once per distinct value, and the results are joined back to
the rows with ``pc.index_in`` + ``take``. Master files repeat names, cities and street lines
heavily, so the Python work grows with the number of distinct values, not of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from crossverify.errors import InputFileError
from crossverify.standardize.addresses import ParsedAddress, parse_address_uncached
from crossverify.standardize.names import (
    normalize_suffix,
    parse_given,
    parse_middle,
    parse_surname,
)
from crossverify.standardize.places import standardize_city, standardize_state, standardize_zip
from crossverify.standardize.vocab import PUERTO_RICO_ZIP_PREFIXES
from crossverify.types import PERSON_COLUMNS

T = TypeVar("T")

INPUT_COLUMNS = PERSON_COLUMNS

NAME_COLUMNS = (
    "given_std",
    "given_first",
    "given_nick_keys",
    "middle_std",
    "middle_initial",
    "surname_std",
    "surname_keys",
    "surname_1",
    "surname_2",
    "surname_joined",
    "name_control",
    "name_control_variants",
    "surname_phonetic",
    "given_phonetic",
    "suffix_std",
    "dob_str",
)

ADDRESS_COLUMNS = (
    "addr_house_number",
    "addr_predir",
    "addr_street_name",
    "addr_street_type",
    "addr_postdir",
    "addr_unit_type",
    "addr_unit",
    "addr_po_box",
    "addr_rural_route",
    "addr_urbanization",
    "addr_line_std",
    "city_std",
    "state_std",
    "zip5",
    "addr_is_placeholder",
    "addr_is_complete",
)

OUTPUT_COLUMNS = NAME_COLUMNS + ADDRESS_COLUMNS
"""Columns added by :func:`standardize_records`, in order (``dob`` is retyped in place)."""

_STRING = pa.string()
_STRING_LIST = pa.list_(pa.string())
_PR_KEY = "\x1fPR\x1f"  # prefix of a street key whose row is in Puerto Rico
_FEW_ROWS = 100  # a lookup's records: distinct values found in Python, without 3 kernel calls


def standardize_records(table: pa.Table) -> pa.Table:
    """Standardize names, date of birth and address of every row; rows keep count and order.

    Args:
        table: at least the columns first_name, middle_name, last_name, suffix, dob, street,
            city, state, zip (strings; any may be null or empty; dob a 'YYYY-MM-DD' string or a
            date). Other columns pass through.

    Returns:
        The input table with ``dob`` as a DATE (null when empty or not a real date) and the
        columns of ``OUTPUT_COLUMNS`` appended.

    Raises:
        InputFileError: a required column is missing.
    """
    missing = [name for name in INPUT_COLUMNS if name not in table.column_names]
    if missing:
        raise InputFileError(
            f"standardize needs the columns {', '.join(missing)}; the master file and request"
            " files must carry every column of DESIGN.md (empty values are fine)"
        )
    columns: dict[str, pa.Array] = {}
    dob = _standardize_dob(table["dob"])
    columns.update(_name_columns(table))
    columns["dob_str"] = pc.strftime(dob, format="%Y-%m-%d")
    columns.update(_address_columns(table))
    out = table.set_column(table.column_names.index("dob"), "dob", dob)
    return pa.Table.from_arrays(
        [*out.columns, *(columns[name] for name in OUTPUT_COLUMNS)],
        names=[*out.column_names, *OUTPUT_COLUMNS],
        metadata=out.schema.metadata,
    )


def _name_columns(table: pa.Table) -> dict[str, pa.Array]:
    given_values, given_idx = _distinct(table["first_name"])
    given = [parse_given(v) for v in given_values]
    middle_values, middle_idx = _distinct(table["middle_name"])
    middle = [parse_middle(v) for v in middle_values]
    surname_values, surname_idx = _distinct(table["last_name"])
    surname = [parse_surname(v) for v in surname_values]
    suffix_values, suffix_idx = _distinct(table["suffix"])

    def g(get: Callable[[Any], object], kind: pa.DataType = _STRING) -> pa.Array:
        return _spread(given, get, given_idx, kind)

    def s(get: Callable[[Any], object], kind: pa.DataType = _STRING) -> pa.Array:
        return _spread(surname, get, surname_idx, kind)

    def m(get: Callable[[Any], object]) -> pa.Array:
        return _spread(middle, get, middle_idx, pa.string())

    suffix_field = _spread(suffix_values, normalize_suffix, suffix_idx, pa.string())
    return {
        "given_std": g(lambda p: p.given_std),
        "given_first": g(lambda p: p.given_first),
        "given_nick_keys": g(lambda p: list(p.nick_keys), _STRING_LIST),
        "middle_std": m(lambda p: p.middle_std),
        "middle_initial": pc.coalesce(
            m(lambda p: p.middle_initial), g(lambda p: p.trailing_initial)
        ),
        "surname_std": s(lambda p: p.surname_std),
        "surname_keys": s(lambda p: list(p.keys), _STRING_LIST),
        "surname_1": s(lambda p: p.surname_1),
        "surname_2": s(lambda p: p.surname_2),
        "surname_joined": s(lambda p: p.surname_joined),
        "name_control": s(lambda p: p.name_control),
        "name_control_variants": s(lambda p: list(p.name_control_variants), _STRING_LIST),
        "surname_phonetic": s(lambda p: p.phonetic),
        "given_phonetic": g(lambda p: p.phonetic),
        "suffix_std": pc.coalesce(
            suffix_field, s(lambda p: p.suffix), g(lambda p: p.suffix), m(lambda p: p.suffix)
        ),
    }


def _address_columns(table: pa.Table) -> dict[str, pa.Array]:
    state_values, state_idx = _distinct(table["state"])
    state_std = _spread(state_values, standardize_state, state_idx, pa.string())
    zip_values, zip_idx = _distinct(_zip_strings(table["zip"]))
    zip5 = _spread(zip_values, standardize_zip, zip_idx, pa.string())
    city_values, city_idx = _distinct(table["city"])
    city_std = _spread(city_values, standardize_city, city_idx, pa.string())

    in_pr = pc.fill_null(
        pc.or_kleene(
            pc.equal(state_std, "PR"),
            pc.is_in(pc.utf8_slice_codeunits(zip5, 0, 3), pa.array(PUERTO_RICO_ZIP_PREFIXES)),
        ),
        False,
    )
    street = pc.fill_null(_as_string(table["street"]), "")
    street_key = street
    if pc.any(in_pr).as_py():
        street_key = pc.if_else(in_pr, pc.binary_join_element_wise(_PR_KEY, street, ""), street)
    key_values, key_idx = _distinct(street_key)
    parsed = [_parse_street_key(v) for v in key_values]

    def a(get: Callable[[ParsedAddress], object], kind: pa.DataType = _STRING) -> pa.Array:
        return _spread(parsed, get, key_idx, kind)

    placeholder = a(lambda p: p.is_placeholder, pa.bool_())
    delivery_point = a(lambda p: p.has_delivery_point, pa.bool_())
    has_place = pc.or_(pc.and_(pc.is_valid(city_std), pc.is_valid(state_std)), pc.is_valid(zip5))
    return {
        "addr_house_number": a(lambda p: p.house_number),
        "addr_predir": a(lambda p: p.predir),
        "addr_street_name": a(lambda p: p.street_name),
        "addr_street_type": a(lambda p: p.street_type),
        "addr_postdir": a(lambda p: p.postdir),
        "addr_unit_type": a(lambda p: p.unit_type),
        "addr_unit": a(lambda p: p.unit),
        "addr_po_box": a(lambda p: p.po_box),
        "addr_rural_route": a(lambda p: p.rural_route),
        "addr_urbanization": a(lambda p: p.urbanization),
        "addr_line_std": a(lambda p: p.line_std),
        "city_std": city_std,
        "state_std": state_std,
        "zip5": zip5,
        "addr_is_placeholder": placeholder,
        "addr_is_complete": pc.and_(pc.and_(pc.invert(placeholder), delivery_point), has_place),
    }


def _parse_street_key(key: str) -> ParsedAddress:
    # Lines are distinct here already; an LRU cache would only add misses.
    if key.startswith(_PR_KEY):
        return parse_address_uncached(key[len(_PR_KEY) :], True)
    return parse_address_uncached(key, False)


def _as_string(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """The column as strings (dictionary, null-typed and other columns are cast)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    return pc.cast(column, pa.string())


def _zip_strings(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """ZIPs as strings; an integer column lost its leading zeros ("601" -> "00601")."""
    if pa.types.is_integer(column.type):
        text = pc.cast(column, pa.string())
        width = pc.if_else(pc.greater(pc.utf8_length(text), 5), 9, 5)
        padded_5 = pc.utf8_lpad(text, width=5, padding="0")
        padded_9 = pc.utf8_lpad(text, width=9, padding="0")
        return pc.if_else(pc.equal(width, 5), padded_5, padded_9)
    return _as_string(column)


def _distinct(column: pa.ChunkedArray | pa.Array) -> tuple[list[Any], pa.Array]:
    """Distinct values of a column (null read as "") and each row's index into them."""
    if len(column) <= _FEW_ROWS:
        first_at: dict[Any, int] = {}
        rows = ["" if v is None else v for v in _as_string(column).to_pylist()]
        indices = [first_at.setdefault(v, len(first_at)) for v in rows]
        return list(first_at), pa.array(indices, pa.int32())
    filled = pc.fill_null(_as_string(column), "")
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    encoded = filled.dictionary_encode()
    return encoded.dictionary.to_pylist(), encoded.indices


def _spread(
    values: Sequence[T],
    get: Callable[[T], object],
    indices: pa.Array,
    kind: pa.DataType,
) -> pa.Array:
    """Apply ``get`` to each distinct value and give every row its value's result."""
    results = pa.array(list(map(get, values)), type=kind)
    if len(results) == len(indices):
        # Every row distinct: the dictionary is in row order, so the take would copy it.
        return results
    return results.take(indices)


def _standardize_dob(column: pa.ChunkedArray) -> pa.Array:
    """Date of birth as DATE: dates and timestamps cast; strings must be real ISO dates."""
    kind = column.type
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return pc.cast(column, pa.date32()).combine_chunks()
    values, indices = _distinct(column)
    return _spread(values, parse_dob, indices, pa.date32())


def parse_dob(value: str | None) -> dt.date | None:
    """'YYYY-MM-DD' (a time part after it is ignored) or 'YYYYMMDD' -> date; else None.

    "2023-02-30" is None, not 2023-03-02: a date of birth that does not exist is no evidence.
    """
    text = (value or "").strip()
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        text = text[:10]
    elif not (len(text) == 8 and text.isdigit()):
        return None
    try:
        if len(text) == 8:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
