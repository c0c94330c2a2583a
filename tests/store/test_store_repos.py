"""Users, batches, outcomes and approvals through the repos, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crossverify.errors import NotFound, PermissionDenied, StateError
from crossverify.store import repos
from crossverify.store.tables import Batch, BatchStatus, Role, User


def make_user(session: Session, username: str, role: str = "officer") -> User:
    agency = "ICE ERO" if role == "requester" else None
    return repos.add_user(session=session, username=username, role=role, agency=agency)


def make_batch(session: Session, submitted_by: int, batch_id: str | None = None) -> Batch:
    return repos.create_batch(
        session=session,
        batch_id=batch_id,
        agency="ICE ERO",
        official_name="Jane Roe",
        official_title="Field Office Director",
        signer_public_key="ed25519:AAAA",
        certification="I certify ...",
        submitted_by=submitted_by,
        request_file="var/batches/x/request.csv",
        request_sha256="a" * 64,
        manifest='{"agency":"ICE ERO"}',
        policy_id="policy-2026-01",
    )


# -------------------------------------------------------------------------------- users


def test_users_are_added_found_and_listed(store_session: Session) -> None:
    make_user(store_session, "rita", "requester")
    make_user(store_session, "olga", "officer")
    make_user(store_session, "al", "auditor")
    store_session.commit()

    rita = repos.get_user_by_name(session=store_session, username="rita")
    assert (rita.role, rita.agency, rita.active) == ("requester", "ICE ERO", True)
    assert rita.created_at.tzinfo is not None
    assert [u.username for u in repos.list_users(session=store_session)] == ["al", "olga", "rita"]
    officers = repos.list_users(session=store_session, role=Role.OFFICER)
    assert [u.username for u in officers] == ["olga"]
    with pytest.raises(NotFound):
        repos.get_user_by_name(session=store_session, username="nobody")


def test_duplicate_username_is_a_state_error(store_session: Session) -> None:
    make_user(store_session, "olga")
    with pytest.raises(StateError, match="already taken"):
        make_user(store_session, "olga", "admin")
    store_session.commit()  # the savepoint kept the first user
    assert len(repos.list_users(session=store_session)) == 1


def test_role_is_checked_by_the_database(store_session: Session) -> None:
    with pytest.raises(ValueError, match="boss"):
        repos.add_user(session=store_session, username="x", role="boss")
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError, match="ck_users_role"):
        store_session.execute(
            insert(User).values(username="x", role="boss", created_at=now, active=True)
        )
    store_session.rollback()
    with pytest.raises(IntegrityError, match="ck_users_requester_agency"):
        store_session.execute(
            insert(User).values(username="y", role="requester", created_at=now, active=True)
        )


# ------------------------------------------------------------------------------ batches


def test_batches_are_created_found_and_listed(store_session: Session) -> None:
    rita = make_user(store_session, "rita", "requester")
    first = make_batch(store_session, rita.id)
    second = make_batch(store_session, rita.id, batch_id="B-20260115-0001")
    store_session.commit()

    assert first.id.startswith("B-") and first.status == "submitted"
    got = repos.get_batch(session=store_session, batch_id="B-20260115-0001")
    assert got.manifest == '{"agency":"ICE ERO"}'
    listed = repos.list_batches(session=store_session, status="submitted", agency="ICE ERO")
    assert {b.id for b in listed} == {first.id, second.id}
    assert repos.list_batches(session=store_session, status=BatchStatus.RELEASED) == []
    with pytest.raises(NotFound):
        repos.get_batch(session=store_session, batch_id="B-nope")
    with pytest.raises(StateError):
        make_batch(store_session, rita.id, batch_id="B-20260115-0001")


def test_status_change_is_a_compare_and_set(store_session: Session) -> None:
    rita = make_user(store_session, "rita", "requester")
    batch = make_batch(store_session, rita.id)
    store_session.commit()

    running = repos.set_batch_status(
        session=store_session, batch_id=batch.id, expected="submitted", status="running"
    )
    assert running.status == "running" and running.run_at is not None
    decided = repos.set_batch_status(
        session=store_session,
        batch_id=batch.id,
        expected=[BatchStatus.RUNNING],
        status=BatchStatus.DECIDED,
        model_id="model-1",
        rows_read=10,
        counts={"M1": 6, "N1": 2, "REJECTED": 2, "R01": 1, "R02": 2},
        expected_wrong_matches=0.03,
    )
    store_session.commit()
    assert decided.counts == {"M1": 6, "N1": 2, "REJECTED": 2, "R01": 1, "R02": 2}
    assert (decided.rows_read, decided.model_id) == (10, "model-1")
    with pytest.raises(StateError, match="is decided, not submitted"):
        repos.set_batch_status(
            session=store_session, batch_id=batch.id, expected="submitted", status="approved"
        )
    with pytest.raises(NotFound):
        repos.set_batch_status(
            session=store_session, batch_id="B-nope", expected="submitted", status="running"
        )


def test_two_sessions_racing_to_approve_exactly_one_wins(
    store_sessions: sessionmaker[Session],
) -> None:
    with store_sessions() as session:
        rita = make_user(session, "rita", "requester")
        batch_ids = [make_batch(session, rita.id).id for _ in range(3)]
        session.commit()

    for batch_id in batch_ids:
        assert sorted(race_to_approve(store_sessions, batch_id)) == ["lost", "won"]
        with store_sessions() as session:
            batch = repos.get_batch(session=session, batch_id=batch_id)
            assert batch.status == "approved" and batch.approved_at is not None


def race_to_approve(sessions: sessionmaker[Session], batch_id: str) -> list[str]:
    """Two threads, each with its own session, try submitted -> approved at the same moment."""
    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve() -> None:
        with sessions() as session:
            barrier.wait()
            try:
                repos.set_batch_status(
                    session=session, batch_id=batch_id, expected="submitted", status="approved"
                )
                time.sleep(0.05)  # hold the row while the other session tries
                session.commit()
                results.append("won")
            except StateError:
                session.rollback()
                results.append("lost")

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


# ----------------------------------------------------------------------------- outcomes


def outcome_rows(count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(count):
        rejected = i % 10 == 0
        rows.append(
            {
                "row_number": i + 1,
                "request_id": f"REQ-{i:07d}",
                "outcome": "REJECTED" if rejected else ("M1" if i % 3 else "N1"),
                "reasons": "R01;R02" if rejected else None,
                "detail": "name and address missing" if rejected else None,
                "tin": None if rejected else f"{900700000 + i}",
                "confidence": None if rejected else 0.987,
                "tax_year": None if rejected else 2024,
                "street": None if rejected else "123 N MAIN ST APT 4",
                "city": None if rejected else "SPRINGFIELD",
                "state": None if rejected else "IL",
                "zip": None if rejected else "62701",
                "source": None if rejected else "form_1040",
                "explanation": None
                if rejected
                else {"weights": {"surname": 4.1, "dob": 3.2}, "runner_up": -2.5},
            }
        )
    return rows


def test_bulk_save_of_100k_outcomes(store_sessions: sessionmaker[Session]) -> None:
    with store_sessions() as session:
        batch_id = make_batch(session, make_user(session, "rita", "requester").id).id
        session.commit()
    rows = outcome_rows(100_000)

    with store_sessions() as session:
        started = time.perf_counter()
        saved = repos.save_outcomes(session=session, batch_id=batch_id, outcomes=rows)
        session.commit()
        elapsed = time.perf_counter() - started
    print(f"\nsave_outcomes: 100k rows in {elapsed:.2f}s")
    assert saved == 100_000

    with store_sessions() as session:
        counts = repos.outcome_counts(session=session, batch_id=batch_id)
        assert counts == {"REJECTED": 10_000, "M1": 60_000, "N1": 30_000}
        rejected = repos.outcomes_for_batch(session=session, batch_id=batch_id, outcome="REJECTED")
        assert len(rejected) == 10_000 and rejected[0].reasons == "R01;R02"
        streamed = repos.iter_outcome_rows(session=session, batch_id=batch_id)
        first, second = next(streamed), next(streamed)
        assert first["row_number"] == 1 and first["outcome"] == "REJECTED"
        assert second["explanation"] == {"weights": {"surname": 4.1, "dob": 3.2}, "runner_up": -2.5}
        assert second["tin"] == "900700001" and second["confidence"] == 0.987


def test_outcome_constraints(store_sessions: sessionmaker[Session]) -> None:
    with store_sessions() as session:
        batch_id = make_batch(session, make_user(session, "rita", "requester").id).id
        session.commit()
    bad_rows: list[list[dict[str, Any]]] = [
        [{"row_number": 1, "outcome": "M9"}],
        [{"row_number": 1, "outcome": "REJECTED"}],  # no reasons
        [{"row_number": 1, "outcome": "M1"}, {"row_number": 1, "outcome": "N1"}],
        [{"row_number": 1, "outcome": "M1", "confidence": 1.5}],
    ]
    for rows in bad_rows:
        with store_sessions() as session, pytest.raises(StateError):
            repos.save_outcomes(session=session, batch_id=batch_id, outcomes=rows)
    with store_sessions() as session, pytest.raises(StateError):
        repos.save_outcomes(
            session=session, batch_id="B-nope", outcomes=[{"row_number": 1, "outcome": "M1"}]
        )
    with store_sessions() as session, pytest.raises(ValueError, match="addres"):
        rows = [{"row_number": 1, "outcome": "M1", "addres": "typo"}]
        repos.save_outcomes(session=session, batch_id=batch_id, outcomes=rows)
    with store_sessions() as session:
        nan_row = {"row_number": 1, "outcome": "N2", "confidence": float("nan")}
        assert repos.save_outcomes(session=session, batch_id=batch_id, outcomes=[nan_row]) == 1
        session.commit()
        (stored,) = repos.outcomes_for_batch(session=session, batch_id=batch_id)
        assert stored.confidence is None


# ---------------------------------------------------------------------------- approvals


def test_approvals(store_session: Session) -> None:
    rita = make_user(store_session, "rita", "requester")
    olga = make_user(store_session, "olga", "officer")
    oscar = make_user(store_session, "oscar", "officer")
    al = make_user(store_session, "al", "auditor")
    batch = make_batch(store_session, rita.id)
    own = make_batch(store_session, olga.id)
    store_session.commit()

    summary = {"counts": {"M1": 6, "N1": 2}, "expected_wrong_matches": 0.03}
    first = repos.add_approval(
        session=store_session, batch_id=batch.id, officer_id=olga.id, summary=summary
    )
    repos.add_approval(session=store_session, batch_id=batch.id, officer_id=oscar.id, summary={})
    store_session.commit()
    assert first.approved_at.tzinfo is not None

    approvals = repos.approvals_for_batch(session=store_session, batch_id=batch.id)
    assert [a.officer_id for a in approvals] == [olga.id, oscar.id]
    assert approvals[0].summary == summary
    with pytest.raises(StateError, match="already approved"):
        repos.add_approval(session=store_session, batch_id=batch.id, officer_id=olga.id, summary={})
    with pytest.raises(PermissionDenied, match="submitted"):
        repos.add_approval(session=store_session, batch_id=own.id, officer_id=olga.id, summary={})
    with pytest.raises(PermissionDenied, match="not an active officer"):
        repos.add_approval(session=store_session, batch_id=batch.id, officer_id=al.id, summary={})
    with pytest.raises(NotFound):
        repos.add_approval(session=store_session, batch_id="B-nope", officer_id=olga.id, summary={})
