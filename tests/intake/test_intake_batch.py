"""A batch end to end: manifest first, then every row accepted or rejected exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from intake_rows import TODAY, request_csv

from crossverify.errors import InputFileError, ManifestError
from crossverify.intake.batch import intake_batch
from crossverify.intake.manifest import KeyPair, new_keypair, sign_manifest, write_manifest
from crossverify.policy import Policy, Signer

AGENCY = "U.S. Immigration and Customs Enforcement"


@pytest.fixture(scope="module")
def keys() -> KeyPair:
    return new_keypair()


@pytest.fixture
def signed_policy(keys: KeyPair) -> Policy:
    signer = Signer(name="A. Official", title="Director", agency=AGENCY, public_key=keys.public_key)
    return Policy(signers=(signer,))


def sign(request_file: Path, keys: KeyPair) -> Path:
    manifest = sign_manifest(
        request_file=request_file,
        agency=AGENCY,
        official_name="A. Official",
        official_title="Director",
        certification="Each person is the subject of an active criminal investigation.",
        private_pem=keys.private_pem,
    )
    path = request_file.with_suffix(".manifest.json")
    write_manifest(manifest, path)
    return path


def batch_csv() -> str:
    text = request_csv(
        [
            {},  # 1 accepted
            {"street": "Failed to Provide", "first_name": "FNU"},  # 2 R01;R02
            {"request_id": "REQ-1"},  # 3 R07
        ]
    )
    return (
        text
        + "REQ-1,ragged\n"  # 4 R07;R08 (its id was used by row 1)
        + ",also,ragged\n"  # 5 R08, no id
        + request_csv([{"request_id": "REQ-6"}]).split("\n", 1)[1]  # 6 accepted
    )


def test_a_batch_accounts_for_every_row(
    tmp_path: Path, keys: KeyPair, signed_policy: Policy
) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text(batch_csv(), encoding="utf-8")
    result = intake_batch(
        request_file=request_file,
        manifest_file=sign(request_file, keys),
        policy=signed_policy,
        today=TODAY,
    )
    assert result.signer.name == "A. Official"
    assert result.manifest["agency"] == AGENCY
    assert result.read.rows_read == 6
    assert result.accepted.column("request_id").to_pylist() == ["REQ-1", "REQ-6"]
    rejected = result.rejected.select(["row_number", "request_id", "reasons"]).to_pylist()
    assert rejected == [
        {"row_number": 2, "request_id": "REQ-2", "reasons": "R01;R02"},
        {"row_number": 3, "request_id": "REQ-1", "reasons": "R07"},
        {"row_number": 4, "request_id": "REQ-1", "reasons": "R07;R08"},
        {"row_number": 5, "request_id": None, "reasons": "R08"},
    ]
    detail = result.rejected.column("detail")[3].as_py()
    assert detail.startswith("R08: the row cannot be read: the row has 3 fields")
    assert result.accepted.num_rows + result.rejected.num_rows == result.read.rows_read


def test_a_tampered_request_file_is_refused(
    tmp_path: Path, keys: KeyPair, signed_policy: Policy
) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text(batch_csv(), encoding="utf-8")
    manifest_file = sign(request_file, keys)
    data = bytearray(request_file.read_bytes())
    data[-5] = ord("9") if data[-5] != ord("9") else ord("8")  # one byte, after signing
    request_file.write_bytes(bytes(data))
    with pytest.raises(ManifestError, match="changed after signing"):
        intake_batch(
            request_file=request_file,
            manifest_file=manifest_file,
            policy=signed_policy,
            today=TODAY,
        )


def test_an_unknown_signer_is_refused(tmp_path: Path, keys: KeyPair) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text(batch_csv(), encoding="utf-8")
    with pytest.raises(ManifestError, match="does not list"):
        intake_batch(
            request_file=request_file,
            manifest_file=sign(request_file, keys),
            policy=Policy(),
            today=TODAY,
        )


def test_the_manifest_is_checked_before_the_file_is_read(
    tmp_path: Path, keys: KeyPair, signed_policy: Policy
) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text("not,a,request,file\n", encoding="utf-8")
    manifest_file = sign(request_file, keys)
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text('{"agency": "x"}', encoding="utf-8")
    with pytest.raises(ManifestError, match="not signed"):
        intake_batch(
            request_file=request_file, manifest_file=unsigned, policy=signed_policy, today=TODAY
        )
    # A well-signed but unreadable file passes the manifest and fails as a file.
    with pytest.raises(InputFileError, match="lacks required column"):
        intake_batch(
            request_file=request_file,
            manifest_file=manifest_file,
            policy=signed_policy,
            today=TODAY,
        )


def test_the_policy_row_cap_applies(tmp_path: Path, keys: KeyPair, signed_policy: Policy) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text(batch_csv(), encoding="utf-8")
    small = signed_policy.model_copy(update={"max_rows_per_batch": 5})
    with pytest.raises(InputFileError, match="more than 5 data rows"):
        intake_batch(
            request_file=request_file,
            manifest_file=sign(request_file, keys),
            policy=small,
            today=TODAY,
        )


def test_a_missing_request_file(tmp_path: Path, keys: KeyPair, signed_policy: Policy) -> None:
    request_file = tmp_path / "batch.csv"
    request_file.write_text(batch_csv(), encoding="utf-8")
    manifest_file = sign(request_file, keys)
    request_file.unlink()
    with pytest.raises(InputFileError, match="cannot read request file"):
        intake_batch(
            request_file=request_file,
            manifest_file=manifest_file,
            policy=signed_policy,
            today=TODAY,
        )
