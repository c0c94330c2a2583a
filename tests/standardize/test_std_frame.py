"""standardize_records: rows kept in order, nulls, typing, one code path for master and requests."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from crossverify.errors import InputFileError
from crossverify.standardize import OUTPUT_COLUMNS, standardize_records

_PEOPLE = {
    "first_name": ["Bill", "José Luis", None, "Juan C", "María de los Ángeles"],
    "middle_name": ["A", None, "", "NMN", "del Carmen"],
    "last_name": ["Smith Jr.", "Garcia-Lopez", "de la Rosa", None, "Lopez de Garcia"],
    "suffix": [None, "", "3rd", None, None],
    "dob": ["1980-01-05", "2023-02-30", "", None, "1975-12-31"],
    "street": ["123 N Main St Apt 4", "URB LAS LOMAS A17 CALLE 1", "Unknown", None, "PO Box 9"],
    "city": ["Springfield", "San Juan", "", None, "St. Louis"],
    "state": ["IL", "PR", "Texas", None, "mo"],
    "zip": ["62701-1234", "00926", "1234", None, ""],
}


def _master_like(order: list[int]) -> pa.Table:
    columns = {name: [values[i] for i in order] for name, values in _PEOPLE.items()}
    n = len(order)
    return pa.table(
        {
            "tin": [f"90070{i:04d}" for i in range(n)],
            "tin_type": ["ITIN"] * n,
            "tax_year": [2023] * n,
            **columns,
            "source": ["form_1040"] * n,
        }
    )


def _request_like(order: list[int]) -> pa.Table:
    columns = {name: [values[i] for i in order] for name, values in _PEOPLE.items()}
    n = len(order)
    return pa.table(
        {
            "request_id": [f"R{i}" for i in range(n)],
            **columns,
            "removal_order_date": ["2024-01-01"] * n,
            "criminal_statute": ["18 USC 1326"] * n,
        }
    )


def test_row_count_order_and_passthrough() -> None:
    table = _master_like([0, 1, 2, 3, 4])
    out = standardize_records(table)
    assert out.num_rows == table.num_rows
    assert out["tin"].to_pylist() == table["tin"].to_pylist()
    for name in table.column_names:
        if name != "dob":
            assert out[name].equals(table[name]), name
    assert out.column_names == [*table.column_names, *OUTPUT_COLUMNS]
    assert out["given_std"].to_pylist() == [
        "BILL",
        "JOSE LUIS",
        None,
        "JUAN",
        "MARIA DE LOS ANGELES",
    ]
    assert out["name_control"].to_pylist() == ["SMIT", "GARC", "DELA", None, "LOPE"]
    assert out["suffix_std"].to_pylist() == ["JR", None, "III", None, None]
    assert out["middle_initial"].to_pylist() == ["A", None, None, "C", "D"]


def test_nulls_and_types() -> None:
    out = standardize_records(_master_like([0, 1, 2, 3, 4]))
    assert out.schema.field("dob").type == pa.date32()
    assert out["dob"].to_pylist() == [dt.date(1980, 1, 5), None, None, None, dt.date(1975, 12, 31)]
    assert out["dob_str"].to_pylist() == ["1980-01-05", None, None, None, "1975-12-31"]
    for name in ("given_nick_keys", "surname_keys", "name_control_variants"):
        assert out.schema.field(name).type == pa.list_(pa.string())
        assert out[name].null_count == 0  # empty list, never null
    assert out["surname_keys"][3].as_py() == []
    assert out["addr_is_placeholder"].to_pylist() == [False, False, True, True, False]
    assert out["addr_is_complete"].to_pylist() == [True, True, False, False, True]
    assert out["zip5"].to_pylist() == ["62701", "00926", None, None, None]
    assert out["state_std"].to_pylist() == ["IL", "PR", "TX", None, "MO"]
    assert out["city_std"].to_pylist() == ["SPRINGFIELD", "SAN JUAN", None, None, "SAINT LOUIS"]
    assert out["addr_po_box"].to_pylist() == [None, None, None, None, "9"]


def test_same_string_same_result_master_or_request() -> None:
    master = standardize_records(_master_like([0, 1, 2, 3, 4]))
    request = standardize_records(_request_like([4, 3, 2, 1, 0]))
    for name in OUTPUT_COLUMNS:
        assert master[name].to_pylist() == request[name].to_pylist()[::-1], name


def test_chunked_table_matches_single_chunk() -> None:
    whole = _master_like([0, 1, 2, 3, 4, 0, 1])
    chunked = pa.concat_tables([whole.slice(0, 3), whole.slice(3, 2), whole.slice(5)])
    assert chunked["street"].num_chunks == 3
    a, b = standardize_records(whole), standardize_records(chunked)
    for name in OUTPUT_COLUMNS:
        assert a[name].to_pylist() == b[name].to_pylist(), name


def test_typed_columns() -> None:
    table = pa.table(
        {
            "first_name": ["Ana", "Ana"],
            "middle_name": pa.array([None, None], pa.null()),
            "last_name": pa.array(["Cruz", "Cruz"]).dictionary_encode(),
            "suffix": pa.array([None, None], pa.string()),
            "dob": pa.array([dt.date(1990, 5, 1), None], pa.date32()),
            "street": ["12 Calle Sol NO", "12 Calle Sol NO"],
            "city": ["Ponce", "Ponce"],
            "state": [None, "TX"],
            "zip": pa.array([731, 78701], pa.int64()),
        }
    )
    out = standardize_records(table)
    assert out["zip5"].to_pylist() == ["00731", "78701"]
    assert out["dob_str"].to_pylist() == ["1990-05-01", None]
    assert out["surname_std"].to_pylist() == ["CRUZ", "CRUZ"]
    assert out["middle_std"].to_pylist() == [None, None]
    # the row in Puerto Rico (by ZIP) reads NO as a directional; so does CALLE elsewhere
    assert out["addr_predir"].to_pylist() == [None, None]
    assert out["addr_postdir"].to_pylist() == ["NW", "NW"]


def test_puerto_rico_flag_from_state_or_zip() -> None:
    rows = {
        "first_name": ["A"] * 3,
        "middle_name": [None] * 3,
        "last_name": ["B"] * 3,
        "suffix": [None] * 3,
        "dob": [None] * 3,
        "street": ["123 Sol NO"] * 3,
        "city": ["X"] * 3,
        "state": ["PR", "TX", None],
        "zip": [None, "78701", "00926"],
    }
    out = standardize_records(pa.table(rows))
    assert out["addr_postdir"].to_pylist() == ["NW", None, "NW"]
    assert out["addr_street_name"].to_pylist() == ["SOL", "SOL NO", "SOL"]


def test_empty_table() -> None:
    schema = pa.schema([(name, pa.string()) for name in _PEOPLE])
    out = standardize_records(schema.empty_table())
    assert out.num_rows == 0
    assert out.column_names[-len(OUTPUT_COLUMNS) :] == list(OUTPUT_COLUMNS)


def test_missing_column_is_an_input_error() -> None:
    table = _master_like([0]).drop_columns(["zip", "dob"])
    with pytest.raises(InputFileError, match="dob, zip"):
        standardize_records(table)


def _address_rows(streets: list[str], state: str = "TX", zip_code: str = "78701") -> pa.Table:
    n = len(streets)
    return pa.table(
        {
            "first_name": ["Ana"] * n,
            "middle_name": [None] * n,
            "last_name": ["Cruz"] * n,
            "suffix": [None] * n,
            "dob": [None] * n,
            "street": streets,
            "city": ["Austin"] * n,
            "state": [state] * n,
            "zip": [zip_code] * n,
        }
    )


def test_route_and_box_forms_are_complete_addresses() -> None:
    streets = [
        "RT 1 BOX 6998",
        "RTE 1 BOX 5",
        "RURAL ROUTE 1 BOX 5",
        "R R 1 BOX 5",
        "HC 1 BOX 5",
        "HIGHWAY CONTRACT 1 BOX 5",
        "POB 123",
        "P O B 123",
        "PO BX 123",
        "BOX 123",
        "Post Office Box 123",
        "P.O.B. 123",
    ]
    out = standardize_records(_address_rows(streets))
    assert out["addr_rural_route"].to_pylist()[:6] == [
        "RR 1 BOX 6998",
        "RR 1 BOX 5",
        "RR 1 BOX 5",
        "RR 1 BOX 5",
        "HC 1 BOX 5",
        "HC 1 BOX 5",
    ]
    assert out["addr_po_box"].to_pylist()[6:] == ["123"] * 6
    assert out["addr_street_name"].to_pylist() == [None] * len(streets)
    assert out["addr_is_complete"].to_pylist() == [True] * len(streets)
    assert out["addr_is_placeholder"].to_pylist() == [False] * len(streets)


def test_puerto_rico_forms_agree_in_columns() -> None:
    pairs = [
        ("Calle 12 Bloque L Casa 47", "L47 CALLE 12"),
        ("Calle 16 Bloque 8 Casa 30, Urb Levittown", "8-30 CALLE 16 URB LEVITTOWN"),
        ("Urbanizacion Levittown Calle 16 Bloque 8 Casa 30", "8-30 CALLE 16 URB LEVITTOWN"),
        ("Calle 7 9-41 Urb. Baldrich", "9-41 CALLE 7 URB BALDRICH"),
        ("Urb. Santa Juanita M34 Calle 33", "M34 CALLE 33 URB SANTA JUANITA"),
    ]
    written = standardize_records(_address_rows([a for a, _ in pairs], "PR", "00949"))
    standard = standardize_records(_address_rows([b for _, b in pairs], "PR", "00949"))
    for name in (
        "addr_house_number",
        "addr_street_name",
        "addr_street_type",
        "addr_urbanization",
        "addr_line_std",
        "addr_is_complete",
    ):
        assert written[name].to_pylist() == standard[name].to_pylist(), name
    assert standard["addr_house_number"].to_pylist() == ["L47", "8-30", "8-30", "9-41", "M34"]
    assert standard["addr_urbanization"].to_pylist() == [
        None,
        "URB LEVITTOWN",
        "URB LEVITTOWN",
        "URB BALDRICH",
        "URB SANTA JUANITA",
    ]
    assert written["addr_is_complete"].to_pylist() == [True] * len(pairs)
