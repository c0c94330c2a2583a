"""The hash chain, pure: canonical bytes, entry hashes and verification. No database here.

Each entry's hash covers its position (`seq`), the previous entry's hash, its type, time,
actor, batch and request ids and its body. Changing, removing, inserting or reordering any
entry therefore breaks the chain at or right after that entry. Truncating the newest entries
leaves a shorter chain that still verifies: keep the `head_hash` of each verification
somewhere else (a release manifest, a report to the auditor) to detect that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol

GENESIS: Final = "0" * 64
"""`prev_hash` of the first entry."""

HASH_VERSION: Final = 1
"""Version of the canonical entry encoding; part of every hash."""

# One encoder for every call: json.dumps with options would build a new one each time.
_ENCODER: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)

EntryType = Literal["disclosure", "event"]
ENTRY_TYPES: Final[tuple[EntryType, ...]] = ("disclosure", "event")


def canonical_json(obj: Any) -> str:
    """Serialise JSON data one way only: sorted keys, no spaces, UTF-8 text kept as is.

    Args:
        obj: dicts, lists, strings, numbers, booleans and None. NaN and infinities are
            refused, and so is anything else JSON cannot represent (datetimes: pass
            `isoformat()` strings).

    Returns:
        The canonical text.

    Examples:
        >>> canonical_json({"b": 1, "a": ["é", None]})
        '{"a":["é",null],"b":1}'
    """
    return _ENCODER.encode(obj)


def canonical_time(moment: datetime) -> str:
    """The fixed-width UTC text of a time, as stored and hashed in `created_at`.

    Args:
        moment: a timezone-aware datetime (a naive one is taken as UTC).

    Returns:
        e.g. `"2026-01-15T10:00:00.000000Z"`; such strings sort in time order.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    prev_hash: str,
    entry_type: str,
    created_at: str,
    actor: str,
    batch_id: str | None,
    request_id: str | None,
    body_json: str,
) -> str:
    """SHA-256 (hex) of an entry's canonical encoding.

    The encoding is `canonical_json` of an object holding every field plus the encoding
    version, so no two different entries encode alike.

    Args:
        seq: position in the chain, from 1.
        prev_hash: hash of entry `seq - 1`, or `GENESIS` for the first.
        entry_type: `"disclosure"` or `"event"`.
        created_at: `canonical_time` text.
        actor: username, or `"system"`.
        batch_id: batch the entry is about, if any.
        request_id: request row the entry is about, if any.
        body_json: the body as stored (`canonical_json` of it).

    Returns:
        64 lowercase hex digits.
    """
    encoded = canonical_json(
        {
            "v": HASH_VERSION,
            "seq": seq,
            "prev_hash": prev_hash,
            "entry_type": entry_type,
            "created_at": created_at,
            "actor": actor,
            "batch_id": batch_id,
            "request_id": request_id,
            "body": body_json,
        }
    )
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class EntryView(Protocol):
    """What verification reads of an entry (a stored row or an `Entry`)."""

    @property
    def seq(self) -> int: ...
    @property
    def entry_type(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def batch_id(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def body(self) -> str: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry as plain data."""

    seq: int
    entry_type: str
    created_at: str
    actor: str
    batch_id: str | None
    request_id: str | None
    body: str
    prev_hash: str
    hash: str


def make_entry(
    *,
    seq: int,
    prev_hash: str,
    entry_type: EntryType,
    created_at: str,
    actor: str,
    body: dict[str, Any],
    batch_id: str | None = None,
    request_id: str | None = None,
) -> Entry:
    """Build the next entry with its canonical body and hash.

    Args:
        seq: position, `head seq + 1`.
        prev_hash: hash of the head entry (`GENESIS` on an empty chain).
        entry_type: `"disclosure"` or `"event"`.
        created_at: `canonical_time` text.
        actor: username, or `"system"`.
        body: JSON object content.
        batch_id: batch the entry is about, if any.
        request_id: request row the entry is about, if any.

    Returns:
        The entry, ready to store.
    """
    if entry_type not in ENTRY_TYPES:
        raise ValueError(f"entry_type must be one of {ENTRY_TYPES}, not {entry_type!r}")
    if not actor:
        raise ValueError("actor is required (a username, or 'system')")
    if not isinstance(body, dict):
        raise TypeError(f"body must be a dict, not {type(body).__name__}")
    body_json = canonical_json(body)
    digest = entry_hash(
        seq=seq,
        prev_hash=prev_hash,
        entry_type=entry_type,
        created_at=created_at,
        actor=actor,
        batch_id=batch_id,
        request_id=request_id,
        body_json=body_json,
    )
    return Entry(
        seq=seq,
        entry_type=entry_type,
        created_at=created_at,
        actor=actor,
        batch_id=batch_id,
        request_id=request_id,
        body=body_json,
        prev_hash=prev_hash,
        hash=digest,
    )


@dataclass(frozen=True, slots=True)
class ChainStatus:
    """Result of verifying a chain.

    Attributes:
        ok: every entry is intact and linked, numbered 1..entries without gaps.
        entries: how many entries were read.
        head_hash: the stored hash of the last entry read (`GENESIS` for an empty chain);
            record it elsewhere to detect a later truncation.
        first_broken_seq: the first position found wrong (a changed entry, or the first
            missing one), else None. When two self-consistent entries do not link, it is
            the earlier of the two, so every entry before it is intact.
        reason: what is wrong there, else None.
    """

    ok: bool
    entries: int
    head_hash: str
    first_broken_seq: int | None
    reason: str | None


def _check(
    entry: EntryView, *, expected_seq: int, prev: EntryView | None
) -> tuple[int, str] | None:
    """The first problem with `entry` given its predecessor, as (seq, reason), or None."""
    if entry.seq > expected_seq:
        missing = (
            f"entry {expected_seq} is"
            if entry.seq == expected_seq + 1
            else f"entries {expected_seq}..{entry.seq - 1} are"
        )
        return expected_seq, f"{missing} missing or out of order (found entry {entry.seq} next)"
    if entry.seq < expected_seq:
        return expected_seq, (
            f"entry {entry.seq} is out of order or repeated (expected entry {expected_seq})"
        )
    recomputed = entry_hash(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        entry_type=entry.entry_type,
        created_at=entry.created_at,
        actor=entry.actor,
        batch_id=entry.batch_id,
        request_id=entry.request_id,
        body_json=entry.body,
    )
    if recomputed != entry.hash:
        return entry.seq, f"entry {entry.seq} does not match its hash (content or hash changed)"
    expected_prev = GENESIS if prev is None else prev.hash
    if entry.prev_hash != expected_prev:
        if prev is None:
            return entry.seq, f"entry {entry.seq} does not start from the genesis hash"
        # Both entries are self-consistent but do not link: either the earlier one was
        # rewritten with a recomputed hash, or entries after it were removed or replaced.
        # Report the earlier one, so that everything before first_broken_seq is trustworthy.
        return prev.seq, (
            f"entries {prev.seq} and {entry.seq} do not link: entry {prev.seq} was rewritten, "
            f"or entries after it were removed or replaced"
        )
    return None


def verify_chain(entries: Iterable[EntryView]) -> ChainStatus:
    """Check a whole chain, read in order, from its first entry.

    Detects an edited body or field, an edited hash, a deleted entry (a gap in `seq` or a
    `prev_hash` that does not match), an inserted entry and entries out of order. It reads
    everything once, in constant memory, and reports the first break.

    Args:
        entries: every entry, in the order stored (ascending `seq`).

    Returns:
        The `ChainStatus`.

    Examples:
        >>> first = make_entry(seq=1, prev_hash=GENESIS, entry_type="event",
        ...                    created_at="2026-01-15T10:00:00.000000Z", actor="system",
        ...                    body={"action": "start"})
        >>> verify_chain([first]).ok
        True
    """
    count = 0
    prev: EntryView | None = None
    broken: tuple[int, str] | None = None
    for entry in entries:
        count += 1
        if broken is None:
            broken = _check(entry, expected_seq=count, prev=prev)
        prev = entry
    head_hash = GENESIS if prev is None else prev.hash
    if broken is None:
        return ChainStatus(
            ok=True, entries=count, head_hash=head_hash, first_broken_seq=None, reason=None
        )
    return ChainStatus(
        ok=False, entries=count, head_hash=head_hash, first_broken_seq=broken[0], reason=broken[1]
    )
