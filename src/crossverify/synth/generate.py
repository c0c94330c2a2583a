"""`generate`: one call writes a master file, a signed request batch, its policy and truth.

The output is a function of the arguments only: every random draw comes from PCG64 streams
seeded by `seed`, the signing key is derived from the seed, and the manifest's submission
time is fixed, so two runs with the same arguments write byte-identical files.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from crossverify.intake.manifest import public_key_b64, sign_manifest, write_manifest
from crossverify.policy import Policy, Signer, policy_toml
from crossverify.synth.filing import FIRST_YEAR, LAST_YEAR
from crossverify.synth.master import write_master
from crossverify.synth.plan import make_plan
from crossverify.synth.population import make_population
from crossverify.synth.requests import build_batch
from crossverify.synth.truth import KeptRows
from crossverify.synth.vocab import load_vocab
from crossverify.types import REQUEST_COLUMNS, TRUTH_COLUMNS

AGENCY = "U.S. Immigration and Customs Enforcement"
OFFICIAL_NAME, OFFICIAL_TITLE = "Demo Director", "Director"
CERTIFICATION = (
    "I certify that the taxpayer identity information requested will be used solely by "
    "officers and employees of U.S. Immigration and Customs Enforcement who are personally "
    "and directly engaged in preparing for a judicial or administrative proceeding, or in an "
    "investigation which may result in such a proceeding, pertaining to the enforcement of a "
    "specifically designated Federal criminal statute not involving tax administration, and "
    "solely for their use in that proceeding or investigation (26 U.S.C. 6103(i)(2))."
)
# After the last tax-2025 return in the master file was received (late filers, October).
SUBMITTED_AT = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SynthResult:
    """What `generate` wrote, with the counts a caller reports."""

    master_path: Path
    requests_path: Path
    manifest_path: Path
    truth_path: Path
    policy_path: Path
    key_path: Path
    master_rows: int
    persons: int  # taxpayers on file
    relatives_not_on_file: int
    requests: int
    kinds: Mapping[str, int]  # kind of request -> count (see synth.plan)
    scenarios: Mapping[str, int]  # hard trait -> number of requests carrying it
    outcomes: Mapping[str, int]  # expected outcome -> count


def demo_private_key(seed: int) -> Ed25519PrivateKey:
    """The demo signer's key, derived from the seed so the manifest is reproducible."""
    material = hashlib.sha256(b"crossverify-demo" + seed.to_bytes(8, "big")).digest()
    return Ed25519PrivateKey.from_private_bytes(material)


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate(
    *,
    out_dir: Path,
    persons: int,
    requests: int,
    seed: int = 7,
    master_format: Literal["parquet", "csv"] = "parquet",
    progress: Progress | None = None,
) -> SynthResult:
    """Write a realistic, deterministic demo data set into `out_dir`.

    Args:
        out_dir: directory to write into (created if missing; files are overwritten).
        persons: taxpayers on file (the master file holds ~4.8 rows per taxpayer).
        requests: rows of the request batch.
        seed: the only source of randomness; same arguments, same bytes.
        master_format: `parquet` (streamed row groups) or `csv`.
        progress: called as progress(stage, done, total) while working.

    Returns:
        The paths written and the counts of rows, request kinds, traits and outcomes.

    Examples:
        >>> generate(out_dir=Path("demo"), persons=2_000, requests=500)  # doctest: +SKIP
    """
    if persons < 1 or requests < 0 or not 0 <= seed < 2**63:
        raise ValueError("persons must be >= 1, requests >= 0 and seed in [0, 2**63)")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "keys").mkdir(exist_ok=True)

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    vocab = load_vocab()
    rng = np.random.Generator(np.random.PCG64(seed))
    pop = make_population(rng, persons, vocab)
    report("population", 1, 1)
    plan = make_plan(rng, pop, vocab, requests)
    policy = Policy(oldest_tax_year=FIRST_YEAR, newest_tax_year=LAST_YEAR)

    master_path = out_dir / f"master.{master_format}"
    master_rows, kept_frame = write_master(
        master_path,
        fmt=master_format,
        seed=seed,
        vocab=vocab,
        pop=pop,
        keep=plan.keep_mask(pop.size),
        progress=report,
    )
    kept = KeptRows(kept_frame, policy.disclosable_sources)
    batch = build_batch(rng, vocab, pop, plan, kept)
    requests_path, truth_path = out_dir / "requests.csv", out_dir / "truth.csv"
    _write_csv(requests_path, REQUEST_COLUMNS, batch.requests)
    _write_csv(truth_path, TRUTH_COLUMNS, batch.truth)
    report("requests", requests, requests)

    key = demo_private_key(seed)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path = out_dir / "keys" / "demo_signer.pem"
    key_path.write_bytes(pem)
    signer = Signer(
        name=OFFICIAL_NAME, title=OFFICIAL_TITLE, agency=AGENCY, public_key=public_key_b64(key)
    )
    policy_path = out_dir / "policy.toml"
    signed_policy = Policy(signers=(signer,), oldest_tax_year=FIRST_YEAR, newest_tax_year=LAST_YEAR)
    policy_path.write_text(policy_toml(signed_policy), encoding="utf-8")
    manifest = sign_manifest(
        request_file=requests_path,
        agency=AGENCY,
        official_name=OFFICIAL_NAME,
        official_title=OFFICIAL_TITLE,
        certification=CERTIFICATION,
        private_pem=pem,
        submitted_at=SUBMITTED_AT,
    )
    manifest_path = out_dir / "requests.manifest.json"
    write_manifest(manifest, manifest_path)
    return SynthResult(
        master_path=master_path,
        requests_path=requests_path,
        manifest_path=manifest_path,
        truth_path=truth_path,
        policy_path=policy_path,
        key_path=key_path,
        master_rows=master_rows,
        persons=persons,
        relatives_not_on_file=int((~pop.sk.filer).sum()),
        requests=requests,
        kinds=dict(sorted(batch.kinds.items())),
        scenarios=dict(sorted(batch.traits.items())),
        outcomes=dict(sorted(batch.outcomes.items())),
    )
