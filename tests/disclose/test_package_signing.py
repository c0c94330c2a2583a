"""Signed response packages: `package verify` passes an intact one and names what was tampered."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from crossverify.cli import app
from crossverify.disclose.package import Package, write_package
from crossverify.disclose.signing import system_signing_key, verify_package
from crossverify.errors import PackageTampered
from crossverify.intake.manifest import public_key_b64

runner = CliRunner()


def _package(tmp_path: Path, key: Ed25519PrivateKey) -> Package:
    return write_package(
        out_dir=tmp_path / "B-1",
        rows_read=2,
        matched=[("r1", "M1", "1 MAIN ST", "AUSTIN", "TX", "78701", 2024, 0.99)],
        rejected=[],
        unmatched=[("r2", "N1")],
        manifest_fields={"batch_id": "B-1"},
        signing_key=key,
    )


def test_intact_package_verifies_as_directory_and_zip(tmp_path: Path) -> None:
    key = system_signing_key(tmp_path / "keys" / "k.pem")
    assert (tmp_path / "keys" / "k.pem").stat().st_mode & 0o777 == 0o600
    assert public_key_b64(system_signing_key(tmp_path / "keys" / "k.pem")) == public_key_b64(key)
    package = _package(tmp_path, key)
    for path in (package.directory, package.zip_path):
        manifest = verify_package(path, public_key=public_key_b64(key))
        assert set(manifest["files"]) == {"matched.csv", "rejected.csv", "unmatched.csv"}
    result = runner.invoke(
        app, ["package", "verify", str(package.zip_path), "--public-key", public_key_b64(key)]
    )
    assert result.exit_code == 0, result.output
    assert "package B-1 intact: 3 files, signed by the given key" in result.output


def test_changed_file_fails_verify_with_its_name(tmp_path: Path) -> None:
    package = _package(tmp_path, Ed25519PrivateKey.generate())
    matched = package.directory / "matched.csv"
    matched.write_text(matched.read_text().replace("1 MAIN ST", "9 ELM ST"))
    result = runner.invoke(app, ["package", "verify", str(package.directory)])
    assert result.exit_code == 1
    assert "matched.csv was changed" in result.output


def test_edited_manifest_or_foreign_key_fails_signature(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    package = _package(tmp_path, key)
    manifest = package.directory / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"B-1"', '"B-2"'))
    with pytest.raises(PackageTampered, match="signature does not verify"):
        verify_package(package.directory)
    other = public_key_b64(Ed25519PrivateKey.generate())
    with pytest.raises(PackageTampered, match="different key"):
        verify_package(package.zip_path, public_key=other)


def test_extra_file_in_zip_fails(tmp_path: Path) -> None:
    package = _package(tmp_path, Ed25519PrivateKey.generate())
    with zipfile.ZipFile(package.zip_path, "a") as archive:
        archive.writestr("B-1/extra.csv", "x\n")
    with pytest.raises(PackageTampered, match=r"not in the manifest: extra\.csv"):
        verify_package(package.zip_path)
