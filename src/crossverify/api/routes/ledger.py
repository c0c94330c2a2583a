"""The ledger and audit events, for auditors: read-only."""

from __future__ import annotations

import json
from itertools import islice
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from crossverify.api.deps import SessionDep, allow
from crossverify.api.schemas import ERROR_RESPONSES, ChainStatusPublic, LedgerEntryPublic
from crossverify.ledger import record as ledger
from crossverify.store.tables import LedgerEntry, Role

router = APIRouter(prefix="/v1", tags=["ledger"], responses=ERROR_RESPONSES)
# Bounded: a sequence number beyond 64 bits is no entry, and SQLite cannot even bind it.
Since = Annotated[int, Query(ge=1, le=2**63 - 1, description="First sequence number.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Entries to return.")]


def _public(entry: LedgerEntry) -> LedgerEntryPublic:
    return LedgerEntryPublic(
        seq=entry.seq,
        entry_type=entry.entry_type,
        batch_id=entry.batch_id,
        request_id=entry.request_id,
        actor=entry.actor,
        body=json.loads(entry.body),
        hash=entry.hash,
        created_at=entry.created_at,
    )


@router.get("/ledger", dependencies=[allow(Role.AUDITOR)], summary="Ledger entries in order.")
def entries(
    session: SessionDep,
    since: Since = 1,
    limit: Limit = 100,
    batch_id: str | None = None,
    entry_type: Literal["disclosure", "event"] | None = None,
) -> list[LedgerEntryPublic]:
    found = ledger.iter_entries(
        session=session, since=since, batch_id=batch_id, entry_type=entry_type
    )
    return [_public(e) for e in islice(found, limit)]


@router.get("/audit", dependencies=[allow(Role.AUDITOR)], summary="Audit events in order.")
def audit_events(
    session: SessionDep, since: Since = 1, limit: Limit = 100, batch_id: str | None = None
) -> list[LedgerEntryPublic]:
    return entries(session, since=since, limit=limit, batch_id=batch_id, entry_type="event")


@router.get("/ledger/verify", dependencies=[allow(Role.AUDITOR)], summary="Verify the hash chain.")
def verify(session: SessionDep) -> ChainStatusPublic:
    status = ledger.verify(session=session)
    return ChainStatusPublic(
        ok=status.ok,
        entries=status.entries,
        head_hash=status.head_hash,
        first_broken_seq=status.first_broken_seq,
        reason=status.reason,
    )
