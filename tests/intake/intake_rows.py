"""Shared request rows and CSV helpers for the intake tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from crossverify.intake.manifest import new_keypair, sign_manifest, write_manifest
from crossverify.policy import Policy, Signer
from crossverify.types import REQUEST_COLUMNS

AGENCY = "U.S. Immigration and Customs Enforcement"

TODAY = date(2025, 6, 1)

GOOD_ROW: dict[str, str] = {
    "request_id": "REQ-1",
    "first_name": "Maria",
    "middle_name": "",
    "last_name": "Garcia Lopez",
    "suffix": "",
    "dob": "1980-02-03",
    "tin": "",
    "street": "123 N Main St Apt 4",
    "city": "Austin",
    "state": "TX",
    "zip": "78701",
    "removal_order_date": "2020-05-01",
    "removal_order_ref": "A012345678",
    "criminal_statute": "8 U.S.C. 1253(a)(1)",
    "tax_period_start": "2021",
    "tax_period_end": "2023",
}


def csv_line(values: list[str], delimiter: str = ",") -> str:
    """One CSV line, quoting where needed."""
    out = []
    for value in values:
        needs_quotes = any(ch in value for ch in (delimiter, '"', "\n", "\r"))
        out.append('"' + value.replace('"', '""') + '"' if needs_quotes else value)
    return delimiter.join(out)


def request_csv(rows: list[dict[str, str]], delimiter: str = ",") -> str:
    """A request CSV with the full header; rows give overrides of GOOD_ROW."""
    lines = [csv_line(list(REQUEST_COLUMNS), delimiter)]
    for i, row in enumerate(rows, start=1):
        full = {**GOOD_ROW, "request_id": f"REQ-{i}", **row}
        lines.append(csv_line([full[c] for c in REQUEST_COLUMNS], delimiter))
    return "\n".join(lines) + "\n"


def signed_batch(tmp_path: Path, text: str, **policy: Any) -> tuple[Path, Path, Policy]:
    """A request file holding `text`, its signed manifest, and a policy listing the signer
    (`policy` gives further policy settings)."""
    keys = new_keypair()
    request_file = tmp_path / "batch.csv"
    request_file.write_text(text, encoding="utf-8")
    manifest = sign_manifest(
        request_file=request_file,
        agency=AGENCY,
        official_name="A. Official",
        official_title="Director",
        certification="Each person is the subject of an active criminal investigation.",
        private_pem=keys.private_pem,
    )
    manifest_file = tmp_path / "batch.manifest.json"
    write_manifest(manifest, manifest_file)
    signer = Signer(name="A. Official", title="Director", agency=AGENCY, public_key=keys.public_key)
    return request_file, manifest_file, Policy(signers=(signer,), **policy)
