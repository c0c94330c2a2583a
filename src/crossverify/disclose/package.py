"""The response package: matched.csv, rejected.csv, unmatched.csv, manifest.json and a zip."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossverify.disclose.signing import sign_package_manifest
from crossverify.errors import StateError
from crossverify.files import file_sha256, write_safe_csv
from crossverify.types import MATCHED_COLUMNS, REJECTED_COLUMNS, UNMATCHED_COLUMNS

BANNER = (
    "Federal tax information disclosed under 26 U.S.C. 6103(i)(2) solely for the use of "
    "officers personally and directly engaged in the proceeding or investigation named in "
    "the request; no further disclosure except as 6103 permits (26 U.S.C. 7213, 7431)."
)


@dataclass(frozen=True)
class Package:
    directory: Path
    zip_path: Path
    zip_sha256: str
    manifest: dict[str, Any]


def write_package(
    *,
    out_dir: Path,
    rows_read: int,
    matched: Sequence[Sequence[object]],
    rejected: Sequence[Sequence[object]],
    unmatched: Sequence[Sequence[object]],
    manifest_fields: dict[str, Any],
    signing_key: Ed25519PrivateKey,
) -> Package:
    """Write the three lists and the signed manifest; refuse if any input row is lost or doubled."""
    ids = [str(r[0]) for r in (*matched, *rejected, *unmatched)]
    if len(ids) != rows_read or len(set(ids)) != len(ids):
        raise StateError(
            f"package invariant broken: {len(matched)} matched + {len(rejected)} rejected + "
            f"{len(unmatched)} unmatched = {len(ids)} rows ({len(set(ids))} distinct ids), "
            f"but {rows_read} rows were read"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "matched.csv": (MATCHED_COLUMNS, matched),
        "rejected.csv": (REJECTED_COLUMNS, rejected),
        "unmatched.csv": (UNMATCHED_COLUMNS, unmatched),
    }
    sha: dict[str, str] = {}
    for name, (header, rows) in files.items():
        write_safe_csv(out_dir / name, header, rows)
        sha[name] = file_sha256(out_dir / name)
    manifest = {
        **manifest_fields,
        "input_rows": rows_read,
        "counts": {"matched": len(matched), "rejected": len(rejected), "unmatched": len(unmatched)},
        "files": sha,
        "notice": BANNER,
    }
    manifest = sign_package_manifest(manifest, signing_key)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    zip_path = out_dir.with_suffix(".zip")
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in (*files, "manifest.json"):
            archive.write(out_dir / name, arcname=f"{out_dir.name}/{name}")
    return Package(
        directory=out_dir, zip_path=zip_path, zip_sha256=file_sha256(zip_path), manifest=manifest
    )
