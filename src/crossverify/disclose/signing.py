"""The system's Ed25519 key, and signing and verifying response packages with it.

The package manifest lists each file's SHA-256 and is signed over the same canonical bytes
as request manifests (`intake.manifest.canonical_bytes`), so one rule covers both directions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crossverify.errors import PackageTampered
from crossverify.intake.manifest import (
    canonical_bytes,
    load_private_key,
    new_keypair,
    public_key_b64,
)


def system_signing_key(key_file: Path) -> Ed25519PrivateKey:
    """Load the system's package-signing key, creating it (mode 600) on first use."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new_keypair().private_pem)
    return load_private_key(key_file.read_bytes())


def sign_package_manifest(manifest: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The manifest with a `signature` over its canonical bytes."""
    signed = {k: v for k, v in manifest.items() if k != "signature"}
    signed["signature"] = {
        "public_key": public_key_b64(key),
        "value": base64.b64encode(key.sign(canonical_bytes(signed))).decode("ascii"),
    }
    return signed


def _package_files(path: Path) -> dict[str, bytes]:
    """File name -> bytes, from a package directory or its zip."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir() if p.is_file()}
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                Path(info.filename).name: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir()
            }
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageTampered(f"{path} is neither a package directory nor a readable zip") from exc


def verify_package(path: Path, *, public_key: str | None = None) -> dict[str, Any]:
    """Check every listed file's SHA-256 and the manifest's signature; return the manifest.

    Args:
        path: the package directory or its zip.
        public_key: the system's public key (base64), obtained out of band. Without it the
            key embedded in the manifest is used, which proves integrity but not origin.

    Raises:
        PackageTampered: a file is missing, extra, changed, or the signature does not verify.
    """
    files = _package_files(path)
    if "manifest.json" not in files:
        raise PackageTampered(f"{path} has no manifest.json")
    try:
        manifest = json.loads(files["manifest.json"])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageTampered("manifest.json is not valid JSON") from exc
    listed: dict[str, str] = manifest.get("files") or {}
    unlisted = sorted(set(files) - set(listed) - {"manifest.json"})
    if unlisted:
        raise PackageTampered(f"files not in the manifest: {', '.join(unlisted)}")
    for name, expected in sorted(listed.items()):
        if name not in files:
            raise PackageTampered(f"{name} is listed in the manifest but missing")
        if hashlib.sha256(files[name]).hexdigest() != expected:
            raise PackageTampered(f"{name} was changed: its SHA-256 differs from the manifest's")
    signature = manifest.get("signature") or {}
    key = public_key or str(signature.get("public_key", ""))
    if public_key is not None and signature.get("public_key") != public_key:
        raise PackageTampered("the manifest is signed by a different key than the one given")
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
            base64.b64decode(str(signature.get("value", ""))), canonical_bytes(manifest)
        )
    except (InvalidSignature, ValueError) as exc:
        raise PackageTampered("the manifest's signature does not verify") from exc
    return dict(manifest)
