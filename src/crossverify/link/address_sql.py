"""What "the same address" means, written once.

The model's address levels (Splink SQL over `col_l`/`col_r`) and the disclosure's M1/M2 test
(DuckDB SQL over two table aliases) are built from these predicates, so the address that
counts as corroborated is the address that counts as confirmed.
"""

from __future__ import annotations

from collections.abc import Callable

Ref = Callable[[str], str]
"""A standardized column's name -> its SQL reference on one side of the comparison."""


def splink_side(side: str) -> Ref:
    """Splink's pair columns: `"zip5_l"`, `"zip5_r"`."""
    return lambda column: f'"{column}_{side}"'


def table_alias(alias: str) -> Ref:
    """A column of a table alias in a join: `q.zip5`."""
    return lambda column: f"{alias}.{column}"


def same_city(a: Ref, b: Ref) -> str:
    return f"{a('city_std')} = {b('city_std')} AND {a('state_std')} = {b('state_std')}"


def same_place(a: Ref, b: Ref) -> str:
    """Same ZIP, or same city and state (a ZIP typo or a ZIP-less request still agrees)."""
    return f"({a('zip5')} = {b('zip5')} OR ({same_city(a, b)}))"


def same_urbanization(a: Ref, b: Ref) -> str:
    """Puerto Rico: the urbanization is part of the address (one ZIP has 13 CALLE 1s)."""
    u = "addr_urbanization"
    return f"coalesce({a(u)}, '') = coalesce({b(u)}, '')"


def unit_agrees(a: Ref, b: Ref) -> str:
    """A unit dropped on one side still agrees (NCOA 91/92); two different units do not."""
    u = "addr_unit"
    return f"({a(u)} IS NULL OR {b(u)} IS NULL OR {a(u)} = {b(u)})"


def same_house(a: Ref, b: Ref) -> str:
    """Same house number, urbanization and place (the street is compared by the caller)."""
    h = "addr_house_number"
    return f"{a(h)} = {b(h)} AND {same_urbanization(a, b)} AND {same_place(a, b)}"


def same_street(a: Ref, b: Ref) -> str:
    return f"{a('addr_street_name')} = {b('addr_street_name')}"


def same_box(a: Ref, b: Ref) -> str:
    """The same PO box in the same ZIP (in the same city when one side has no ZIP: a city's
    post offices number their boxes apart by ZIP), or the same rural route box and place."""
    zipless = f"({a('zip5')} IS NULL OR {b('zip5')} IS NULL)"
    po_place = f"({a('zip5')} = {b('zip5')} OR ({zipless} AND {same_city(a, b)}))"
    return (
        f"({a('addr_po_box')} = {b('addr_po_box')} AND {po_place}) OR "
        f"({a('addr_rural_route')} = {b('addr_rural_route')} AND {same_place(a, b)})"
    )


def same_address(a: Ref, b: Ref) -> str:
    """House, street and place agree with no unit contradicted, or the same box: never NULL."""
    street = f"{same_street(a, b)} AND {same_house(a, b)} AND {unit_agrees(a, b)}"
    return f"coalesce(({street}) OR {same_box(a, b)}, false)"
