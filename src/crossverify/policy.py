"""The disclosure policy: who may sign, which statutes and years, and how strict release is.

One TOML file, read by intake, decide and disclose; its SHA-256 is the policy id recorded
with every batch, so a decision can always be traced to the exact rules in force.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crossverify.errors import PolicyError
from crossverify.types import REQUEST_COLUMNS

DEFAULT_REQUIRED_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "last_name",
    "street",
    "zip|city+state",
    "removal_order_date",
    "removal_order_ref",
    "criminal_statute",
    "tax_period_start",
    "tax_period_end",
)
"""DESIGN.md's required elements. An entry is a column, or alternatives joined by `|`,
each one column or several joined by `+` (all of them): `zip|city+state` is a ZIP, or
else both city and state, as the R02 rule reads an address."""


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
    required_columns: tuple[str, ...] = Field(
        default=DEFAULT_REQUIRED_COLUMNS,
        description="header columns a request file must have, else it is refused whole",
    )
    mode: Literal["verify_only", "updated_address"] = "updated_address"
    disclosable_sources: tuple[str, ...] = ("form_1040", "form_w7", "form_w2", "form_1099")
    match_threshold: float = 0.95
    runner_up_margin_bits: float = 8.0
    prior_on_file: float = 0.5
    max_expected_wrong_per_10k: float = 10.0
    recall_certify_within_days: int = Field(
        default=30,
        ge=1,
        description="days a receiving agency has to certify a recall's destruction; later: overdue",
    )
    disclose_phone: bool = Field(
        default=False,
        description="phone is never disclosed: the master keeps it, linkage does not carry it",
    )

    @field_validator("disclose_phone")
    @classmethod
    def _phone_not_carried(cls, value: bool) -> bool:
        # Refuse rather than silently ignore: a policy must not promise a disclosure we never make.
        if value:
            raise ValueError(
                "disclose_phone = true is not supported: phone numbers are not carried from the "
                "master file to the decisions, so none can be disclosed; set it to false"
            )
        return value

    @field_validator("required_columns")
    @classmethod
    def _known_columns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            alternatives = column_alternatives(entry)
            names = [c for group in alternatives for c in group]
            unknown = [c for c in names if c not in REQUEST_COLUMNS]
            if not names or any(not group or "" in group for group in alternatives) or unknown:
                raise ValueError(
                    f"required_columns entry {entry!r} is not a column, or columns joined by "
                    f"'|' (any one) and '+' (all); the columns are: {', '.join(REQUEST_COLUMNS)}"
                )
        return value

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


def column_alternatives(entry: str) -> list[tuple[str, ...]]:
    """`'zip|city+state'` -> `[('zip',), ('city', 'state')]`: any one group, all of a group."""
    return [tuple(name.strip() for name in group.split("+")) for group in entry.split("|")]


def missing_columns(present: Collection[str], required: Iterable[str]) -> list[str]:
    """The `required` entries no group of which is wholly in `present`, as readable text.

    Examples:
        `missing_columns({"city"}, ["zip|city+state"])` is `["zip (or city and state)"]`.
    """
    missing = []
    for entry in required:
        groups = column_alternatives(entry)
        if not any(all(c in present for c in group) for group in groups):
            texts = [" and ".join(group) for group in groups]
            rest = f" (or {' or '.join(texts[1:])})" if len(texts) > 1 else ""
            missing.append(texts[0] + rest)
    return missing


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
