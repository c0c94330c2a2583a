from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossverify.disclose.package import write_package
from crossverify.errors import StateError
from crossverify.files import safe_cell
from crossverify.types import MATCHED_COLUMNS, REJECTED_COLUMNS, UNMATCHED_COLUMNS

KEY = Ed25519PrivateKey.generate()


def test_package_files_have_exact_columns_and_hashes(tmp_path: Path) -> None:
    package = write_package(
        out_dir=tmp_path / "B-1",
        rows_read=3,
        matched=[("r1", "M2", "1 MAIN ST", "AUSTIN", "TX", "78701", 2024, 0.9995)],
        rejected=[("row:2", "R01;R02", "name and address missing")],
        unmatched=[("r3", "N3")],
        manifest_fields={"batch_id": "B-1"},
        signing_key=KEY,
    )
    headers = {}
    for name in ("matched.csv", "rejected.csv", "unmatched.csv"):
        with (package.directory / name).open() as handle:
            headers[name] = tuple(next(csv.reader(handle)))
    assert headers == {
        "matched.csv": MATCHED_COLUMNS,
        "rejected.csv": REJECTED_COLUMNS,
        "unmatched.csv": UNMATCHED_COLUMNS,
    }
    manifest = json.loads((package.directory / "manifest.json").read_text())
    assert manifest["counts"] == {"matched": 1, "rejected": 1, "unmatched": 1}
    assert set(manifest["files"]) == {"matched.csv", "rejected.csv", "unmatched.csv"}
    with zipfile.ZipFile(package.zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"B-1/{n}" for n in ("matched.csv", "rejected.csv", "unmatched.csv", "manifest.json")
        )


def test_lost_or_doubled_rows_refuse_the_package(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="invariant"):
        write_package(
            out_dir=tmp_path / "B-2",
            rows_read=3,
            matched=[],
            rejected=[],
            unmatched=[("r1", "N1"), ("r2", "N1")],
            manifest_fields={},
            signing_key=KEY,
        )
    with pytest.raises(StateError, match="invariant"):
        write_package(
            out_dir=tmp_path / "B-3",
            rows_read=2,
            matched=[],
            rejected=[],
            unmatched=[("r1", "N1"), ("r1", "N2")],
            manifest_fields={},
            signing_key=KEY,
        )


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("1 MAIN ST", "1 MAIN ST"),
        (None, ""),
        (2024, "2024"),
    ],
)
def test_cells_cannot_run_as_formulas(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
