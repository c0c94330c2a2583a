"""The pure hash chain: canonical JSON, entry hashes, and what verification catches."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossverify.ledger.chain import (
    ENTRY_TYPES,
    GENESIS,
    Entry,
    canonical_json,
    canonical_time,
    entry_hash,
    make_entry,
    verify_chain,
)
from crossverify.store import tables

T0 = "2026-01-15T10:00:00.000000Z"


def build_chain(length: int) -> list[Entry]:
    entries: list[Entry] = []
    prev = GENESIS
    for seq in range(1, length + 1):
        entry = make_entry(
            seq=seq,
            prev_hash=prev,
            entry_type="disclosure" if seq % 2 else "event",
            created_at=T0,
            actor="olga",
            body={"n": seq, "address": "123 N MAIN ST", "tax_year": 2024},
            batch_id="B-20260115-0001",
            request_id=f"REQ-{seq}",
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def rehash(entry: Entry) -> Entry:
    """What an attacker does after editing an entry: recompute its own hash."""
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(entry)}
    fields.pop("hash")
    body_json = fields.pop("body")
    return dataclasses.replace(entry, hash=entry_hash(body_json=body_json, **fields))


def test_canonical_json_is_sorted_compact_and_utf8() -> None:
    assert canonical_json({"b": [1, 2.5], "a": "José"}) == '{"a":"José","b":[1,2.5]}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"when": canonical_time})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=50, deadline=None)
@given(json_values)
def test_canonical_json_is_a_fixed_point(value: Any) -> None:
    text = canonical_json(value)
    assert canonical_json(json.loads(text)) == text


def test_canonical_time_is_fixed_width_utc() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert canonical_time(datetime(2026, 1, 15, 5, 0, tzinfo=eastern)) == T0


def test_every_field_is_in_the_hash() -> None:
    fields: dict[str, Any] = {
        "seq": 3,
        "prev_hash": "a" * 64,
        "entry_type": "event",
        "created_at": T0,
        "actor": "olga",
        "batch_id": "B-1",
        "request_id": "REQ-1",
        "body_json": '{"action":"approve"}',
    }
    base = entry_hash(**fields)
    assert len(base) == 64 and base == entry_hash(**fields)
    changed = {
        "seq": 4,
        "prev_hash": "b" * 64,
        "entry_type": "disclosure",
        "created_at": "2026-01-15T10:00:00.000001Z",
        "actor": "oscar",
        "batch_id": None,
        "request_id": "REQ-2",
        "body_json": '{"action":"release"}',
    }
    for name, value in changed.items():
        assert entry_hash(**{**fields, name: value}) != base, name


def test_intact_chain_verifies() -> None:
    entries = build_chain(50)
    status = verify_chain(entries)
    assert status.ok and status.entries == 50 and status.head_hash == entries[-1].hash
    assert status.first_broken_seq is None and status.reason is None


def test_empty_chain_verifies() -> None:
    status = verify_chain([])
    assert status.ok and status.entries == 0 and status.head_hash == GENESIS


def test_edited_body_is_caught_at_its_entry() -> None:
    entries = build_chain(10)
    entries[4] = dataclasses.replace(entries[4], body=entries[4].body.replace("MAIN", "ELM"))
    status = verify_chain(entries)
    assert not status.ok and status.first_broken_seq == 5 and status.entries == 10
    assert "does not match its hash" in (status.reason or "")


def test_edited_actor_is_caught() -> None:
    entries = build_chain(10)
    entries[2] = dataclasses.replace(entries[2], actor="mallory")
    assert verify_chain(entries).first_broken_seq == 3


def test_edited_hash_is_caught() -> None:
    entries = build_chain(10)
    entries[6] = dataclasses.replace(entries[6], hash="f" * 64)
    assert verify_chain(entries).first_broken_seq == 7


def test_rewritten_entry_with_recomputed_hash_is_caught_at_that_entry() -> None:
    entries = build_chain(10)
    entries[3] = rehash(dataclasses.replace(entries[3], body='{"n":4,"address":"FAKE"}'))
    status = verify_chain(entries)
    assert status.first_broken_seq == 4
    assert "entry 4 was rewritten" in (status.reason or "")


def test_deleted_entry_is_caught() -> None:
    entries = build_chain(10)
    del entries[5]
    status = verify_chain(entries)
    assert status.first_broken_seq == 6 and "missing" in (status.reason or "")


def test_deleted_entry_with_renumbered_tail_is_caught() -> None:
    entries = build_chain(10)
    del entries[5]
    entries[5:] = [rehash(dataclasses.replace(e, seq=e.seq - 1)) for e in entries[5:]]
    # Entry 5 and the renumbered entry 6 each hash correctly but do not link; the earlier
    # one is reported, so that entries 1..4 are known good.
    status = verify_chain(entries)
    assert status.first_broken_seq == 5 and "removed or replaced" in (status.reason or "")


def test_reordered_entries_are_caught() -> None:
    entries = build_chain(10)
    entries[2], entries[3] = entries[3], entries[2]
    assert verify_chain(entries).first_broken_seq == 3


def test_swapped_contents_are_caught() -> None:
    entries = build_chain(10)
    third, fourth = entries[2], entries[3]
    entries[2] = dataclasses.replace(fourth, seq=3)
    entries[3] = dataclasses.replace(third, seq=4)
    assert verify_chain(entries).first_broken_seq == 3


def test_inserted_entry_is_caught() -> None:
    entries = build_chain(10)
    forged = rehash(dataclasses.replace(entries[4], body='{"forged":true}'))
    entries.insert(5, forged)
    assert verify_chain(entries).first_broken_seq == 6


def test_chain_must_start_at_one_from_genesis() -> None:
    entries = build_chain(5)
    assert verify_chain(entries[1:]).first_broken_seq == 1
    fake_start = rehash(dataclasses.replace(entries[0], prev_hash="1" * 64))
    status = verify_chain([fake_start, *entries[1:]])
    assert status.first_broken_seq == 1 and "genesis" in (status.reason or "")


def test_make_entry_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        make_entry(
            seq=1,
            prev_hash=GENESIS,
            entry_type="gossip",
            created_at=T0,  # type: ignore[arg-type]
            actor="x",
            body={},
        )
    with pytest.raises(ValueError):
        make_entry(seq=1, prev_hash=GENESIS, entry_type="event", created_at=T0, actor="", body={})


def test_store_schema_agrees_with_the_chain() -> None:
    assert tables.GENESIS_HASH == GENESIS
    assert tables.ENTRY_TYPES == ENTRY_TYPES
