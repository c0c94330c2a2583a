"""Pydantic shapes that leave the API (only `*Public` models go out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class BatchPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    batch_id: str
    agency: str
    status: str
    rows_read: int
    counts: dict[str, int]
    expected_wrong_matches: float | None
    model_id: str | None = None
    policy_id: str | None = None
    created_at: datetime | None = None
    progress: float = Field(description="Share of input rows with a stored outcome (0 to 1).")


class LookupRecord(BaseModel):
    """One request row, as in a request file (DESIGN.md, Request batch)."""

    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(max_length=100)
    first_name: str | None = Field(default=None, max_length=200)
    middle_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    suffix: str | None = Field(default=None, max_length=20)
    dob: str | None = Field(default=None, max_length=20)
    tin: str | None = Field(default=None, max_length=20)
    street: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=20)
    zip: str | None = Field(default=None, max_length=20)
    removal_order_date: str | None = Field(default=None, max_length=20)
    removal_order_ref: str | None = Field(default=None, max_length=100)
    criminal_statute: str | None = Field(default=None, max_length=100)
    tax_period_start: str | None = Field(default=None, max_length=20)
    tax_period_end: str | None = Field(default=None, max_length=20)


class LookupIn(BaseModel):
    records: list[LookupRecord] = Field(min_length=1)


class LookupOutcomePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    request_id: str
    outcome: str
    reasons: str | None
    street: str | None
    city: str | None
    state: str | None
    zip: str | None
    tax_year: int | None
    confidence: float | None


class LookupPublic(BaseModel):
    outcomes: list[LookupOutcomePublic]


class LedgerEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    entry_type: str
    batch_id: str | None
    request_id: str | None
    actor: str
    body: dict[str, Any]
    hash: str
    created_at: str


class ChainStatusPublic(BaseModel):
    ok: bool
    entries: int
    head_hash: str | None
    first_broken_seq: int | None
    reason: str | None


class Health(BaseModel):
    status: str


class Problem(BaseModel):
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The request is invalid (message says why)."},
    401: {"model": Problem, "description": "No live API token."},
    403: {"model": Problem, "description": "The role or agency may not do this."},
    404: {"model": Problem, "description": "No such batch or package."},
    409: {"model": Problem, "description": "The batch is not in a state that allows this."},
    423: {"model": Problem, "description": "A legal hold covers the batch."},
}


class HoldIn(BaseModel):
    court: str = Field(min_length=1, max_length=200)
    case_number: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=2000)
    agency: str | None = Field(default=None, max_length=200, description="None: every batch.")


class HoldPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    court: str
    case_number: str
    agency: str | None
    reason: str
    placed_at: datetime
    lifted_at: datetime | None
