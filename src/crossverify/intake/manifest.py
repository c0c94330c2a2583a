"""Manifests: the signed cover of a request file (who asks, under what authority, which bytes)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from crossverify.errors import ManifestError
from crossverify.files import file_sha256
from crossverify.policy import Policy, Signer


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_key: str  # raw 32 bytes, base64


def new_keypair() -> KeyPair:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return KeyPair(private_pem=pem, public_key=public_key_b64(key))


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ManifestError("the signing key is not an Ed25519 private key")
    return key


def canonical_bytes(manifest: dict[str, Any]) -> bytes:
    """The bytes that are signed: the manifest without its signature, keys sorted, compact."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign_manifest(
    *,
    request_file: Path,
    agency: str,
    official_name: str,
    official_title: str,
    certification: str,
    private_pem: bytes,
    submitted_at: datetime | None = None,
) -> dict[str, Any]:
    """Build and sign the manifest of a request file."""
    key = load_private_key(private_pem)
    manifest: dict[str, Any] = {
        "agency": agency,
        "official": {"name": official_name, "title": official_title},
        "certification": certification,
        "submitted_at": (submitted_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "request_file": request_file.name,
        "request_sha256": file_sha256(request_file),
    }
    signature = key.sign(canonical_bytes(manifest))
    manifest["signature"] = {
        "public_key": public_key_b64(key),
        "value": base64.b64encode(signature).decode("ascii"),
    }
    return manifest


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ManifestError(f"manifest {path} is not a JSON object")
    return data


def verify_agency_signature(
    document: dict[str, Any], *, policy: Policy, what: str, how_to_sign: str = ""
) -> Signer:
    """The document's Ed25519 signature is by a key the policy lists and has not revoked.

    `what` names the document in errors ("the manifest", "the certification").
    """
    signature = document.get("signature")
    if not isinstance(signature, dict) or not signature.get("value"):
        raise ManifestError(f"{what} is not signed{how_to_sign}")
    signer = policy.signer_for(str(signature.get("public_key", "")))
    if signer is None:
        raise ManifestError(f"{what} is signed by a key the policy does not list")
    if signer.revoked:
        raise ManifestError(f"the signing key of {signer.name} has been revoked")
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signer.public_key))
        public.verify(base64.b64decode(str(signature["value"])), canonical_bytes(document))
    except (InvalidSignature, ValueError) as exc:
        raise ManifestError(f"{what}'s signature does not verify") from exc
    return signer


def verify_manifest(manifest: dict[str, Any], *, request_file: Path, policy: Policy) -> Signer:
    """Check signature, signer authority and file hash; return the signer or raise.

    A batch that fails here is refused whole: nothing in it is looked at.
    """
    signer = verify_agency_signature(
        manifest,
        policy=policy,
        what="the manifest",
        how_to_sign="; sign it with `crossverify batch sign`",
    )
    for field in ("agency", "official", "certification", "request_sha256"):
        if not manifest.get(field):
            raise ManifestError(f"the manifest lacks '{field}'")
    if manifest.get("agency") != signer.agency:
        raise ManifestError(
            f"the signer {signer.name} signs for {signer.agency}, not {manifest.get('agency')}"
        )
    actual = file_sha256(request_file)
    if actual != manifest["request_sha256"]:
        raise ManifestError(
            f"the request file's SHA-256 {actual[:12]}... differs from the manifest's "
            f"{str(manifest['request_sha256'])[:12]}...: the file changed after signing"
        )
    return signer
