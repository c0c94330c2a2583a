"""Master load: CSV and Parquet give the same standardized rows; unusable rows are counted."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crossverify.errors import InputFileError
from crossverify.master.load import MASTER_PARQUET, load_master
from crossverify.types import MASTER_COLUMNS

ROWS = [
    [
        "123456789",
        "SSN",
        "2023",
        "José",
        "",
        "García-López",
        "",
        "1980-02-01",
        "12 N Main St Apt 4",
        "Austin",
        "TX",
        "78701",
        "form_1040",
        "2024-03-01",
    ],
    [
        "912701234",
        "ITIN",
        "2024",
        "Ana",
        "M",
        "Diaz",
        "",
        "",
        "PO Box 77",
        "El Paso",
        "TX",
        "79901-1234",
        "form_w7",
        "2025-02-10",
    ],
    [
        "12345",
        "SSN",
        "2024",
        "Bad",
        "",
        "Tin",
        "",
        "",
        "1 A St",
        "Austin",
        "TX",
        "78701",
        "form_1040",
        "2025-02-10",
    ],
]


def _write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(MASTER_COLUMNS)
        writer.writerows(ROWS)


def test_csv_and_parquet_load_alike_and_count_skipped_rows(tmp_path: Path) -> None:
    _write_csv(tmp_path / "master.csv")
    table = pa.Table.from_pylist([dict(zip(MASTER_COLUMNS, r, strict=True)) for r in ROWS])
    pq.write_table(table, tmp_path / "master.parquet")

    from_csv = load_master(source=tmp_path / "master.csv", out_dir=tmp_path / "a")
    load_master(source=tmp_path / "master.parquet", out_dir=tmp_path / "b")

    assert from_csv.rows_read == 3 and from_csv.rows_loaded == 2
    assert from_csv.rows_skipped == {"tin_not_9_digits": 1, "tax_year_invalid": 0}
    assert from_csv.taxpayers == 2 and from_csv.tax_years == (2023, 2024)
    a = pq.read_table(tmp_path / "a" / MASTER_PARQUET)
    b = pq.read_table(tmp_path / "b" / MASTER_PARQUET)
    assert a.drop(["dob"]).to_pylist() == b.drop(["dob"]).to_pylist()
    first = a.to_pylist()[0]
    assert (first["surname_1"], first["surname_2"], first["name_control"]) == (
        "GARCIA",
        "LOPEZ",
        "GARC",
    )
    assert (first["addr_house_number"], first["addr_street_name"], first["addr_unit"]) == (
        "12",
        "MAIN",
        "4",
    )


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("tin,tax_year\n123456789,2023\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="lacks required columns: tin_type, first_name"):
        load_master(source=path, out_dir=tmp_path / "out")


def test_workers_do_not_change_the_output(tmp_path: Path) -> None:
    """Chunks standardized in two processes are written in file order, row ids and all."""
    rows = [[*r[:2], str(2020 + i % 5), *r[3:]] for i in range(40) for r in ROWS[:2]]
    rows = [[f"{100000000 + i:09d}", *r[1:]] for i, r in enumerate(rows)]
    table = pa.Table.from_pylist([dict(zip(MASTER_COLUMNS, r, strict=True)) for r in rows])
    pq.write_table(table, tmp_path / "master.parquet")

    one = load_master(
        source=tmp_path / "master.parquet", out_dir=tmp_path / "one", chunk_rows=7, workers=1
    )
    two = load_master(
        source=tmp_path / "master.parquet", out_dir=tmp_path / "two", chunk_rows=7, workers=2
    )

    assert (one.rows_read, one.rows_loaded, one.taxpayers) == (80, 80, 80)
    assert two.rows_loaded == one.rows_loaded and two.rows_skipped == one.rows_skipped
    a = pq.read_table(tmp_path / "one" / MASTER_PARQUET)
    b = pq.read_table(tmp_path / "two" / MASTER_PARQUET)
    assert a.to_pylist() == b.to_pylist()
    assert a["row_id"].to_pylist() == list(range(80))
