"""The ledger in the store: appends, verification, tampering and concurrency, on both DBs."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crossverify.errors import LedgerBroken, StateError
from crossverify.ledger import record
from crossverify.ledger.chain import GENESIS
from crossverify.ledger.record import NewEntry

BATCH = "B-20260115-0001"


def fill(session: Session, events: int = 20, disclosures: int = 30) -> None:
    for i in range(events):
        record.record_event(
            session=session,
            action="download",
            actor=f"user{i % 3}",
            batch_id=BATCH,
            detail={"origin": "10.0.0.1", "i": i},
        )
    record.append_many(
        session=session,
        entry_type="disclosure",
        actor="olga",
        batch_id=BATCH,
        entries=[
            NewEntry(request_id=f"REQ-{i}", body={"tin": "900701234", "address": "1 MAIN ST"})
            for i in range(disclosures)
        ],
    )
    session.commit()


def attack(engine: Engine, *statements: str) -> None:
    """Change ledger rows as someone with database access would: bypass the triggers first."""
    with engine.begin() as connection:
        _disable_triggers(connection)
        for statement in statements:
            connection.execute(text(statement))


def _disable_triggers(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER ledger_no_update"))
        connection.execute(text("DROP TRIGGER ledger_no_delete"))
    else:
        connection.execute(text("SET LOCAL session_replication_role = replica"))


def test_empty_ledger_verifies(store_session: Session) -> None:
    status = record.verify(session=store_session)
    assert status.ok and status.entries == 0 and status.head_hash == GENESIS
    assert record.head(session=store_session).seq == 0


def test_appends_chain_and_verify(store_session: Session) -> None:
    first = record.append(
        session=store_session,
        entry_type="event",
        body={"action": "submit"},
        actor="rita",
        batch_id=BATCH,
    )
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    event = record.record_event(
        session=store_session,
        action="approve",
        actor="olga",
        batch_id=BATCH,
        success=False,
        detail={"reason": "own batch"},
    )
    assert event.seq == 2 and event.prev_hash == first.hash
    assert event.body == '{"action":"approve","detail":{"reason":"own batch"},"success":false}'
    span = record.append_many(
        session=store_session,
        entry_type="disclosure",
        actor="olga",
        batch_id=BATCH,
        entries=[NewEntry(request_id=f"REQ-{i}", body={"i": i}) for i in range(5)],
    )
    store_session.commit()
    assert (span.first_seq, span.last_seq, span.count) == (3, 7, 5)
    head = record.head(session=store_session)
    assert (head.seq, head.hash) == (7, span.head_hash)
    status = record.verify(session=store_session)
    assert status.ok and status.entries == 7 and status.head_hash == span.head_hash
    assert record.ensure_intact(session=store_session) == status

    empty = record.append_many(
        session=store_session, entry_type="disclosure", actor="olga", entries=[]
    )
    assert empty.count == 0 and empty.head_hash == span.head_hash


def test_many_appends_verify_and_bulk_is_fast(store_sessions: sessionmaker[Session]) -> None:
    with store_sessions() as session:
        for i in range(200):
            record.record_event(session=session, action="run", actor="system", detail={"i": i})
            if i % 50 == 0:
                session.commit()
        session.commit()
        started = time.perf_counter()
        span = record.append_many(
            session=session,
            entry_type="disclosure",
            actor="olga",
            batch_id=BATCH,
            entries=(
                NewEntry(
                    request_id=f"REQ-{i:06d}",
                    body={
                        "tin": f"{900700000 + i}",
                        "name_control": "ROE",
                        "tax_year": 2024,
                        "address": {"street": "123 N MAIN ST", "city": "SPRINGFIELD"},
                        "source": "form_1040",
                        "recipient_agency": "ICE ERO",
                        "authority": "26 U.S.C. 6103(i)(2)",
                    },
                )
                for i in range(50_000)
            ),
        )
        session.commit()
        elapsed = time.perf_counter() - started
    print(f"\nappend_many: 50k entries in {elapsed:.2f}s")
    assert span.count == 50_000 and span.last_seq == 50_200

    with store_sessions() as session:
        started = time.perf_counter()
        status = record.verify(session=session)
        print(f"verify: {status.entries} entries in {time.perf_counter() - started:.2f}s")
    assert status.ok and status.entries == 50_200 and status.head_hash == span.head_hash


def test_iter_entries_filters_by_seq_time_batch_and_type(store_session: Session) -> None:
    fill(store_session, events=5, disclosures=5)
    record.record_event(session=store_session, action="login", actor="al")
    store_session.commit()

    everything = list(record.iter_entries(session=store_session))
    assert [e.seq for e in everything] == list(range(1, 12))
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(everything))
    assert [e.seq for e in record.iter_entries(session=store_session, since=3, until=6)] == [
        3,
        4,
        5,
    ]
    about_batch = record.iter_entries(
        session=store_session, batch_id=BATCH, entry_type="disclosure"
    )
    assert [e.request_id for e in about_batch] == [f"REQ-{i}" for i in range(5)]
    now = datetime.now(UTC)
    assert (
        len(list(record.iter_entries(session=store_session, since=now - timedelta(hours=1)))) == 11
    )
    assert list(record.iter_entries(session=store_session, until=now - timedelta(hours=1))) == []


def test_database_refuses_update_and_delete(store_sessions: sessionmaker[Session]) -> None:
    with store_sessions() as session:
        fill(session)
    statements = [
        "UPDATE ledger SET actor = 'mallory' WHERE seq = 3",
        "UPDATE ledger SET body = '{}'",
        "DELETE FROM ledger WHERE seq = 50",
        "DELETE FROM ledger",
    ]
    with store_sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            statements.append("TRUNCATE ledger")
        for statement in statements:
            with pytest.raises(IntegrityError, match="append-only"):
                session.execute(text(statement))
            session.rollback()
        assert record.verify(session=session).entries == 50


def test_orm_refuses_update_and_delete(store_session: Session) -> None:
    entry = record.record_event(session=store_session, action="submit", actor="rita")
    store_session.commit()
    entry.actor = "mallory"
    with pytest.raises(StateError, match="append-only"):
        store_session.flush()
    store_session.rollback()
    store_session.delete(entry)
    with pytest.raises(StateError, match="append-only"):
        store_session.flush()


@pytest.mark.parametrize(
    ("statement", "broken_seq"),
    [
        ("UPDATE ledger SET body = replace(body, 'MAIN', 'ELM') WHERE seq = 37", 37),
        ("UPDATE ledger SET actor = 'mallory' WHERE seq = 12", 12),
        ("UPDATE ledger SET created_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 1", 1),
        (f"UPDATE ledger SET hash = '{'e' * 64}' WHERE seq = 44", 44),
        (f"UPDATE ledger SET prev_hash = '{'e' * 64}' WHERE seq = 45", 45),
        ("DELETE FROM ledger WHERE seq = 30", 30),
        ("DELETE FROM ledger WHERE seq = 1", 1),
    ],
)
def test_tampering_is_detected_with_its_seq(
    store_engine: Engine, store_sessions: sessionmaker[Session], statement: str, broken_seq: int
) -> None:
    with store_sessions() as session:
        fill(session)
        assert record.verify(session=session).ok
    attack(store_engine, statement)
    with store_sessions() as session:
        status = record.verify(session=session)
        assert not status.ok and status.first_broken_seq == broken_seq, status
        with pytest.raises(LedgerBroken, match=f"entry {broken_seq}"):
            record.ensure_intact(session=session)


def test_swapped_rows_are_detected(
    store_engine: Engine, store_sessions: sessionmaker[Session]
) -> None:
    with store_sessions() as session:
        fill(session)
    # Entries 30 and 31 (disclosures for REQ-9 and REQ-10) change places.
    attack(
        store_engine,
        "UPDATE ledger SET seq = 1000 WHERE seq = 30",
        "UPDATE ledger SET seq = 30 WHERE seq = 31",
        "UPDATE ledger SET seq = 31 WHERE seq = 1000",
    )
    with store_sessions() as session:
        swapped = [e.request_id for e in record.iter_entries(session=session, since=30, until=32)]
        assert swapped == ["REQ-10", "REQ-9"]
        status = record.verify(session=session)
        assert not status.ok and status.first_broken_seq == 30


def test_truncated_tail_needs_the_recorded_head(
    store_engine: Engine, store_sessions: sessionmaker[Session]
) -> None:
    with store_sessions() as session:
        fill(session)
        recorded = record.verify(session=session).head_hash
    attack(store_engine, "DELETE FROM ledger WHERE seq > 45")
    with store_sessions() as session:
        status = record.verify(session=session)
    # The shorter chain is self-consistent; only the head kept elsewhere reveals the loss.
    assert status.ok and status.entries == 45 and status.head_hash != recorded


def append_concurrently(sessions: sessionmaker[Session], threads: int, per_thread: int) -> None:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with sessions() as session:
                    if i % 10 == 0:
                        record.append_many(
                            session=session,
                            entry_type="disclosure",
                            actor=f"w{worker}",
                            entries=[
                                NewEntry(body={"w": worker, "i": i, "k": k}) for k in range(3)
                            ],
                        )
                    else:
                        record.record_event(
                            session=session,
                            action="download",
                            actor=f"w{worker}",
                            detail={"i": i},
                        )
                    session.commit()
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not errors, errors


def test_concurrent_appenders_keep_one_unbroken_chain(
    store_sessions: sessionmaker[Session],
) -> None:
    threads, per_thread = 4, 40
    append_concurrently(store_sessions, threads, per_thread)
    with store_sessions() as session:
        status = record.verify(session=session)
        actors: dict[str, int] = {}
        for entry in record.iter_entries(session=session):
            actors[entry.actor] = actors.get(entry.actor, 0) + 1
    per_worker = (per_thread // 10) * 3 + per_thread - per_thread // 10
    assert status.ok, status
    assert status.entries == threads * per_worker
    assert actors == {f"w{w}": per_worker for w in range(threads)}


def test_appending_after_a_read_in_the_same_transaction(
    store_sessions: sessionmaker[Session],
) -> None:
    # The session has read already (a deferred transaction on SQLite); appends still work.
    with store_sessions() as session:
        record.verify(session=session)
        record.record_event(session=session, action="verify", actor="al")
        session.commit()
        assert record.head(session=session).seq == 1
