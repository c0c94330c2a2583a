"""Shared vocabulary: the contract columns, reason codes and outcomes of DESIGN.md."""

from __future__ import annotations

from enum import StrEnum
from typing import NewType

RequestId = NewType("RequestId", str)
Tin = NewType("Tin", str)
TaxYear = NewType("TaxYear", int)


class RejectCode(StrEnum):
    """Why a request row was rejected (DESIGN.md); a row may carry several."""

    R01 = "R01"  # name missing or without substance
    R02 = "R02"  # address missing, placeholder or incomplete
    R03 = "R03"  # removal order date or reference missing
    R04 = "R04"  # criminal statute missing
    R05 = "R05"  # statute not on the policy's allow-list
    R06 = "R06"  # tax period missing, inverted or outside the policy
    R07 = "R07"  # request_id used by an earlier row of the batch
    R08 = "R08"  # malformed row (column count, encoding, field size)
    R09 = "R09"  # removal order date unparseable or in the future


REJECT_DESCRIPTIONS: dict[RejectCode, str] = {
    RejectCode.R01: "given name and surname are required (letters; not UNKNOWN/FNU/LNU)",
    RejectCode.R02: "a street address with a number and street (or PO Box/RR/HC/URB) and city+state"
    " or ZIP is required; placeholders such as 'unknown' are not addresses",
    RejectCode.R03: "removal_order_date and removal_order_ref are required",
    RejectCode.R04: "criminal_statute is required",
    RejectCode.R05: "criminal_statute is not a permitted criminal statute under the policy",
    RejectCode.R06: "tax_period_start and tax_period_end must be years, start <= end, within"
    " the policy's years and span",
    RejectCode.R07: "request_id was already used by an earlier row of this batch",
    RejectCode.R08: "the row is malformed (wrong column count, bad encoding or oversized field)",
    RejectCode.R09: "removal_order_date must be a real date (YYYY-MM-DD) not in the future",
}


class Outcome(StrEnum):
    """Outcome of an accepted request (DESIGN.md response package)."""

    M1 = "M1"  # submitted address confirmed as the most recent in the period
    M2 = "M2"  # updated address from the most recent tax year in the period
    M3 = "M3"  # verify-only mode: matched, submitted address not the most recent
    N1 = "N1"  # no candidate
    N2 = "N2"  # insufficient evidence
    N3 = "N3"  # ambiguous: more than one taxpayer plausible
    N4 = "N4"  # no address in the tax period
    N5 = "N5"  # address withheld by policy

    @property
    def is_match(self) -> bool:
        return self.value.startswith("M")


# The name and address fields that standardize reads, in master and request rows alike.
PERSON_COLUMNS: tuple[str, ...] = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "street",
    "city",
    "state",
    "zip",
)
DISCLOSED_OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome if o.is_match)

MASTER_COLUMNS: tuple[str, ...] = (
    "tin",
    "tin_type",
    "tax_year",
    *PERSON_COLUMNS,
    "source",
    "received_date",
)
MASTER_OPTIONAL_COLUMNS: tuple[str, ...] = ("phone",)

REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "tin",
    "street",
    "city",
    "state",
    "zip",
    "removal_order_date",
    "removal_order_ref",
    "criminal_statute",
    "tax_period_start",
    "tax_period_end",
)

MATCHED_COLUMNS: tuple[str, ...] = (
    "request_id",
    "outcome",
    "street",
    "city",
    "state",
    "zip",
    "tax_year",
    "confidence",
)
REJECTED_COLUMNS: tuple[str, ...] = ("request_id", "reasons", "detail")
UNMATCHED_COLUMNS: tuple[str, ...] = ("request_id", "outcome")

TRUTH_COLUMNS: tuple[str, ...] = (
    "request_id",
    "true_tin",
    "expected_outcome",
    "expected_street",
    "expected_city",
    "expected_state",
    "expected_zip",
    "expected_tax_year",
    "scenario",
)

ADDRESS_SOURCES: tuple[str, ...] = (
    "form_1040",
    "form_w7",
    "form_w2",
    "form_1099",
    "usps_coa",
    "claimant",
)
