"""Writing and reading the ledger in the store. Appending is the only way to change it.

Every function takes the caller's session and leaves the commit to the caller. An append
takes the ledger's write lock for the rest of the caller's transaction (PostgreSQL: a
transaction-level advisory lock; SQLite: the database write lock through BEGIN IMMEDIATE),
so concurrent appenders queue up instead of forking the chain: commit soon after appending.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from crossverify.errors import LedgerBroken
from crossverify.ledger.chain import (
    GENESIS,
    ChainStatus,
    Entry,
    EntryType,
    canonical_time,
    make_entry,
    verify_chain,
)
from crossverify.store.bulk import insert_rows
from crossverify.store.engine import write_connection
from crossverify.store.tables import LedgerEntry, ledger_table

LEDGER_LOCK_KEY: Final = 0x63765F6C65646765
"""PostgreSQL advisory lock key that serialises ledger appenders ("cv_ledge")."""

LEDGER_COLUMNS: Final[tuple[str, ...]] = (
    "seq",
    "entry_type",
    "batch_id",
    "request_id",
    "actor",
    "body",
    "prev_hash",
    "hash",
    "created_at",
)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The newest entry's position and hash (`seq == 0`, `GENESIS` for an empty ledger)."""

    seq: int
    hash: str
    created_at: str | None = None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """One entry for `append_many`: its body, the request row it is about, and its type when
    not the call's (e.g. the audit event after a lookup's disclosures, see `event_entry`)."""

    body: dict[str, Any]
    request_id: str | None = None
    entry_type: EntryType | None = None


@dataclass(frozen=True, slots=True)
class LedgerSpan:
    """Entries written by one `append_many` call: `first_seq..last_seq` (empty if first > last)."""

    first_seq: int
    last_seq: int
    head_hash: str

    @property
    def count(self) -> int:
        return self.last_seq - self.first_seq + 1


def _lock(session: Session) -> None:
    """Hold the ledger write lock until the session's transaction ends."""
    connection = write_connection(session=session)
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(LEDGER_LOCK_KEY)))


_HEAD = (
    select(LedgerEntry.seq, LedgerEntry.hash, LedgerEntry.created_at)
    .order_by(LedgerEntry.seq.desc())
    .limit(1)
)


def head(*, session: Session) -> ChainHead:
    """The newest entry of the ledger.

    Args:
        session: an open session.

    Returns:
        Its `ChainHead`; `ChainHead(0, GENESIS)` when the ledger is empty.
    """
    # On the connection (Core), not through the ORM: a third of the time, and an on-demand
    # lookup reads the head on every call. Entries are flushed as they are added, so there
    # is nothing for an autoflush to write first.
    row = session.connection().execute(_HEAD).first()
    if row is None:
        return ChainHead(seq=0, hash=GENESIS)
    return ChainHead(seq=row.seq, hash=row.hash, created_at=row.created_at)


def _next_time(current: ChainHead) -> str:
    # Never earlier than the head, so that created_at order is seq order even if the clock
    # steps back.
    now = canonical_time(datetime.now(UTC))
    if current.created_at is not None and current.created_at > now:
        return current.created_at
    return now


def append(
    *,
    session: Session,
    entry_type: EntryType,
    body: dict[str, Any],
    actor: str,
    batch_id: str | None = None,
    request_id: str | None = None,
) -> LedgerEntry:
    """Add one entry at the head of the ledger.

    Args:
        session: the caller's session; the caller commits (the ledger lock is held until then).
        entry_type: `"disclosure"` (what was disclosed about one record) or `"event"`.
        body: JSON object content; stored as `canonical_json(body)`.
        actor: username, or `"system"`.
        batch_id: batch the entry is about, if any.
        request_id: request row the entry is about, if any.

    Returns:
        The stored entry.

    Examples:
        >>> append(session=session, entry_type="event", body={"action": "submit"},
        ...        actor="alice", batch_id="B-20260115-1a2b3c4d5e6f")  # doctest: +SKIP
    """
    _lock(session)
    current = head(session=session)
    entry = make_entry(
        seq=current.seq + 1,
        prev_hash=current.hash,
        entry_type=entry_type,
        created_at=_next_time(current),
        actor=actor,
        body=body,
        batch_id=batch_id,
        request_id=request_id,
    )
    row = LedgerEntry(**asdict(entry))
    session.add(row)
    session.flush()
    return row


def append_many(
    *,
    session: Session,
    entry_type: EntryType,
    actor: str,
    entries: Iterable[NewEntry],
    batch_id: str | None = None,
) -> LedgerSpan:
    """Add many entries of one batch at once (e.g. one disclosure entry per released record).

    All entries share one `created_at`; they go in through `store.bulk.insert_rows`
    (executemany on SQLite, COPY on PostgreSQL).

    Args:
        session: the caller's session; the caller commits (the ledger lock is held until then).
        entry_type: type of every entry.
        actor: username, or `"system"`.
        entries: bodies and request ids, in the order to record them.
        batch_id: batch every entry is about.

    Returns:
        The `LedgerSpan` written.
    """
    _lock(session)
    current = head(session=session)
    created_at = _next_time(current)
    last_seq, last_hash = current.seq, current.hash

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal last_seq, last_hash
        for item in entries:
            entry = make_entry(
                seq=last_seq + 1,
                prev_hash=last_hash,
                entry_type=item.entry_type or entry_type,
                created_at=created_at,
                actor=actor,
                body=item.body,
                batch_id=batch_id,
                request_id=item.request_id,
            )
            last_seq, last_hash = entry.seq, entry.hash
            yield (
                entry.seq,
                entry.entry_type,
                entry.batch_id,
                entry.request_id,
                entry.actor,
                entry.body,
                entry.prev_hash,
                entry.hash,
                entry.created_at,
            )

    insert_rows(session=session, table=ledger_table, columns=LEDGER_COLUMNS, rows=rows())
    return LedgerSpan(first_seq=current.seq + 1, last_seq=last_seq, head_hash=last_hash)


def record_event(
    *,
    session: Session,
    action: str,
    actor: str,
    batch_id: str | None = None,
    success: bool = True,
    detail: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> LedgerEntry:
    """Record an audit event (submit, run, approve, release, download, refusal, login...).

    Args:
        session: the caller's session; the caller commits.
        action: what happened, a short verb such as `"approve"`.
        actor: username, or `"system"`.
        batch_id: batch acted on, if any.
        success: False for an attempt that failed or was refused.
        detail: JSON object with the rest (origin, versions, reason); no return information.
        request_id: record acted on, if any.

    Returns:
        The stored entry; its body is `{"action", "success", "detail"}`.
    """
    event = event_entry(action=action, success=success, detail=detail, request_id=request_id)
    return append(
        session=session,
        entry_type="event",
        body=event.body,
        actor=actor,
        batch_id=batch_id,
        request_id=request_id,
    )


def event_entry(
    *,
    action: str,
    success: bool = True,
    detail: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> NewEntry:
    """`record_event`'s entry, to write with others in one `append_many`."""
    if not action:
        raise ValueError("action is required")
    body = {"action": action, "success": success, "detail": dict(detail or {})}
    return NewEntry(body=body, request_id=request_id, entry_type="event")


def _bounds(
    since: int | datetime | None, until: int | datetime | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if isinstance(since, datetime):
        conditions.append(LedgerEntry.created_at >= canonical_time(since))
    elif since is not None:
        conditions.append(LedgerEntry.seq >= since)
    if isinstance(until, datetime):
        conditions.append(LedgerEntry.created_at < canonical_time(until))
    elif until is not None:
        conditions.append(LedgerEntry.seq < until)
    return conditions


def iter_entries(
    *,
    session: Session,
    since: int | datetime | None = None,
    until: int | datetime | None = None,
    batch_id: str | None = None,
    entry_type: EntryType | None = None,
    chunk_size: int = 1_000,
) -> Iterator[LedgerEntry]:
    """Stream entries in `seq` order.

    Args:
        session: an open session.
        since: first seq (int) or earliest time (datetime) to include.
        until: seq (int) or time (datetime) to stop before (exclusive).
        batch_id: only entries about this batch.
        entry_type: only this type.
        chunk_size: rows fetched per round trip.

    Yields:
        `LedgerEntry` rows.
    """
    stmt = select(LedgerEntry).where(*_bounds(since, until))
    if batch_id is not None:
        stmt = stmt.where(LedgerEntry.batch_id == batch_id)
    if entry_type is not None:
        stmt = stmt.where(LedgerEntry.entry_type == entry_type)
    stmt = stmt.order_by(LedgerEntry.seq).execution_options(yield_per=chunk_size)
    yield from session.scalars(stmt)


def _stream(session: Session, chunk_size: int) -> Iterator[Entry]:
    stmt = (
        select(
            LedgerEntry.seq,
            LedgerEntry.entry_type,
            LedgerEntry.created_at,
            LedgerEntry.actor,
            LedgerEntry.batch_id,
            LedgerEntry.request_id,
            LedgerEntry.body,
            LedgerEntry.prev_hash,
            LedgerEntry.hash,
        )
        .order_by(LedgerEntry.seq)
        .execution_options(yield_per=chunk_size)
    )
    for (
        seq,
        entry_type,
        created_at,
        actor,
        batch_id,
        request_id,
        body,
        prev,
        digest,
    ) in session.execute(stmt):
        yield Entry(
            seq=seq,
            entry_type=entry_type,
            created_at=created_at,
            actor=actor,
            batch_id=batch_id,
            request_id=request_id,
            body=body,
            prev_hash=prev,
            hash=digest,
        )


def verify(*, session: Session, chunk_size: int = 5_000) -> ChainStatus:
    """Verify the whole ledger, streaming it in `seq` order.

    Args:
        session: an open session (read-only use).
        chunk_size: rows fetched per round trip.

    Returns:
        The `ChainStatus`; keep its `head_hash` elsewhere to detect later truncation.
    """
    return verify_chain(_stream(session, chunk_size))


def ensure_intact(*, session: Session) -> ChainStatus:
    """Verify the ledger and raise if it is broken (before a release, for instance).

    Args:
        session: an open session.

    Returns:
        The `ChainStatus` of an intact ledger.

    Raises:
        LedgerBroken: the chain does not verify; the message names the first broken entry.
    """
    status = verify(session=session)
    if not status.ok:
        raise LedgerBroken(
            f"ledger broken at entry {status.first_broken_seq}: {status.reason}; "
            "stop releases and report a possible incident"
        )
    return status
