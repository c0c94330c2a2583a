"""One definition of "the same address", checked on crafted pairs in DuckDB."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from crossverify.link.address_sql import same_address, table_alias

BASE: dict[str, Any] = {
    "addr_house_number": "12",
    "addr_street_name": "MAIN",
    "addr_unit": "4",
    "addr_urbanization": None,
    "addr_po_box": None,
    "addr_rural_route": None,
    "zip5": "02113",
    "city_std": "BOSTON",
    "state_std": "MA",
}
BOX = {**BASE, "addr_house_number": None, "addr_street_name": None, "addr_unit": None}


def _same(q: dict[str, Any], m: dict[str, Any]) -> Any:
    cols = list(BASE)
    select = lambda row: ", ".join(  # noqa: E731
        f"CAST({'NULL' if row[c] is None else repr(row[c])} AS VARCHAR) AS {c}" for c in cols
    )
    sql = (
        f"SELECT {same_address(table_alias('q'), table_alias('m'))} "
        f"FROM (SELECT {select(q)}) q, (SELECT {select(m)}) m"
    )
    return duckdb.sql(sql).fetchall()[0][0]


@pytest.mark.parametrize(
    ("change_request", "change_master", "same"),
    [
        ({}, {}, True),
        ({"addr_unit": None}, {}, True),  # a unit dropped on one side (NCOA 91/92)
        ({"addr_unit": "5"}, {}, False),  # two different units
        ({"zip5": "02114"}, {}, True),  # ZIP typo, same city and state
        ({"zip5": "02114", "city_std": "CAMBRIDGE"}, {}, False),
        ({"addr_house_number": "14"}, {}, False),
        ({"addr_urbanization": "VILLA NEVAREZ"}, {}, False),  # PR: another urbanization
        ({k: None for k in BASE}, {}, False),  # never NULL: nothing to compare is not "same"
    ],
)
def test_street_addresses(
    change_request: dict[str, Any], change_master: dict[str, Any], same: bool
) -> None:
    assert _same({**BASE, **change_request}, {**BASE, **change_master}) is same


def test_po_box_needs_the_same_zip() -> None:
    box = {**BOX, "addr_po_box": "2093"}
    assert _same(box, box) is True
    assert _same(box, {**box, "zip5": "02114"}) is False
    assert _same(box, {**box, "addr_po_box": "2094"}) is False


def test_po_box_without_a_zip_needs_the_same_city() -> None:
    box = {**BOX, "addr_po_box": "2093"}
    zipless = {**box, "zip5": None}
    assert _same(zipless, box) is True
    assert _same(box, zipless) is True
    assert _same(zipless, {**box, "city_std": "CAMBRIDGE"}) is False
    assert _same(zipless, {**box, "state_std": "NH"}) is False
