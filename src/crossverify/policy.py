"""The disclosure policy: who may sign, which statutes and years, and how strict release is.

One TOML file, read by intake, decide and disclose; its SHA-256 is the policy id recorded
with every batch, so a decision can always be traced to the exact rules in force.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crossverify.errors import PolicyError


class Signer(BaseModel):
    """An official allowed to sign request manifests."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    agency: str
    public_key: str = Field(description="Ed25519 public key, raw 32 bytes, base64")
    revoked: bool = False


class Policy(BaseModel):
    """Rules in force for a batch; `policy_id` is the SHA-256 of the file's bytes."""

    model_config = ConfigDict(frozen=True)

    policy_id: str = ""
    signers: tuple[Signer, ...] = ()
    permitted_statutes: tuple[str, ...] = ("8 U.S.C. 1253", "8 U.S.C. 1326")
    oldest_tax_year: int = 2015
    newest_tax_year: int = 2025
    max_period_span_years: int = 6
    max_rows_per_batch: int = 2_000_000
    max_rows_per_lookup: int = 25
    mode: Literal["verify_only", "updated_address"] = "updated_address"
    disclosable_sources: tuple[str, ...] = ("form_1040", "form_w7", "form_w2", "form_1099")
    match_threshold: float = 0.95
    runner_up_margin_bits: float = 8.0
    prior_on_file: float = 0.5
    max_expected_wrong_per_10k: float = 10.0

    def signer_for(self, public_key: str) -> Signer | None:
        return next((s for s in self.signers if s.public_key == public_key), None)

    def statute_permitted(self, citation: str) -> bool:
        """True when the citation names a permitted statute (any subsection of it)."""
        key = normalize_statute(citation)
        return any(
            key == (p := normalize_statute(allowed)) or key.startswith(p + "(")
            for allowed in self.permitted_statutes
        )


_STATUTE_NOISE = re.compile(r"[\s.§]+")


def normalize_statute(citation: str) -> str:
    """'8 U.S.C. § 1253(a)(1)' and '8 USC 1253(a)(1)' compare equal."""
    return _STATUTE_NOISE.sub("", citation.upper()).replace("SECTION", "")


def load_policy(path: Path) -> Policy:
    """Read and validate a policy TOML file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        return Policy(policy_id=hashlib.sha256(raw).hexdigest(), **data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValidationError) as exc:
        raise PolicyError(f"policy file {path} is invalid: {exc}") from exc


def policy_toml(policy: Policy) -> str:
    """Render a policy as TOML (used to write the demo policy)."""
    lines: list[str] = []
    for key, value in policy.model_dump(exclude={"policy_id", "signers"}).items():
        lines.append(f"{key} = {_toml_value(value)}")
    for signer in policy.signers:
        lines.append("")
        lines.append("[[signers]]")
        for key, value in signer.model_dump().items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
