"""Legal holds, download and racing releases on a small stored batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from stored_batch import AGENCY, OTHER_AGENCY, decided_batch

from crossverify.config import Settings
from crossverify.errors import CrossverifyError, HoldActive, PermissionDenied, StateError
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import (
    approve_batch,
    download_package,
    lift_hold,
    place_hold,
    release_batch,
)
from crossverify.store import repos


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


def _events(session: Session, action: str) -> list[dict[str, object]]:
    bodies = [json.loads(e.body) for e in iter_entries(session=session, entry_type="event")]
    return [b for b in bodies if b["action"] == action]


def test_hold_placed_between_approval_and_release_blocks_it_until_lifted(
    store_session: Session, settings: Settings
) -> None:
    batch_id = decided_batch(store_session, settings)
    approve_batch(session=store_session, batch_id=batch_id, username="olga")
    hold = place_hold(
        session=store_session,
        username="ada",
        court="U.S. District Court, D. Mass.",
        case_number="1:26-cv-10001",
        reason="preliminary injunction",
    )

    with pytest.raises(HoldActive, match=r"1:26-cv-10001 \(hold \d+\)") as refused:
        release_batch(session=store_session, settings=settings, batch_id=batch_id, username="otto")
    assert refused.value.hold_ids == (hold.id,)
    assert repos.get_batch(session=store_session, batch_id=batch_id).status == "approved"
    assert not (settings.data_dir / "packages" / batch_id).exists()
    [refusal] = _events(store_session, "refusal")
    assert refusal["detail"] == {"step": "release", "reason": "legal_hold", "holds": [hold.id]}

    lift_hold(session=store_session, username="ada", hold_id=hold.id)
    package = release_batch(
        session=store_session, settings=settings, batch_id=batch_id, username="otto"
    )
    assert package.zip_path.exists()
    assert [e["detail"]["case_number"] for e in _events(store_session, "hold_place")] == [
        "1:26-cv-10001"
    ]
    assert len(_events(store_session, "hold_lift")) == 1
    assert verify(session=store_session).ok


def test_agency_hold_covers_only_that_agency_and_blocks_download(
    store_session: Session, settings: Settings
) -> None:
    batch_id = decided_batch(store_session, settings)
    approve_batch(session=store_session, batch_id=batch_id, username="olga")
    place_hold(
        session=store_session,
        username="ada",
        court="D.D.C.",
        case_number="26-123",
        reason="other agency only",
        agency=OTHER_AGENCY,
    )
    release_batch(session=store_session, settings=settings, batch_id=batch_id, username="otto")
    assert download_package(session=store_session, batch_id=batch_id, username="rita").exists()

    hold = place_hold(
        session=store_session,
        username="ada",
        court="D.D.C.",
        case_number="26-124",
        reason="this agency",
        agency=AGENCY,
    )
    with pytest.raises(HoldActive, match="26-124"):
        download_package(session=store_session, batch_id=batch_id, username="rita")
    with pytest.raises(HoldActive):
        download_package(session=store_session, batch_id=batch_id, username="olga")
    lift_hold(session=store_session, username="ada", hold_id=hold.id)
    assert download_package(session=store_session, batch_id=batch_id, username="olga").exists()
    assert len(_events(store_session, "download")) == 2


def test_download_checks_role_agency_and_release(
    store_session: Session, settings: Settings
) -> None:
    batch_id = decided_batch(store_session, settings)
    with pytest.raises(StateError, match="nothing to download"):
        download_package(session=store_session, batch_id=batch_id, username="rita")
    store_session.rollback()
    approve_batch(session=store_session, batch_id=batch_id, username="olga")
    release_batch(session=store_session, settings=settings, batch_id=batch_id, username="otto")
    with pytest.raises(PermissionDenied, match="another agency"):
        download_package(session=store_session, batch_id=batch_id, username="hsi")
    with pytest.raises(PermissionDenied):
        download_package(session=store_session, batch_id=batch_id, username="ada")


def test_only_admin_places_holds_and_a_hold_lifts_once(
    store_session: Session, settings: Settings
) -> None:
    decided_batch(store_session, settings)
    with pytest.raises(PermissionDenied):
        place_hold(session=store_session, username="olga", court="X", case_number="1", reason="r")
    hold = place_hold(session=store_session, username="ada", court="X", case_number="1", reason="r")
    assert [h.id for h in repos.list_holds(session=store_session, active_only=True)] == [hold.id]
    lift_hold(session=store_session, username="ada", hold_id=hold.id)
    with pytest.raises(StateError, match="already lifted"):
        lift_hold(session=store_session, username="ada", hold_id=hold.id)
    store_session.rollback()
    assert repos.list_holds(session=store_session, active_only=True) == []
    assert len(repos.list_holds(session=store_session)) == 1


def test_two_officers_racing_to_release_produce_one_release(
    store_sessions: sessionmaker[Session], settings: Settings
) -> None:
    with store_sessions() as session:
        batch_id = decided_batch(session, settings)
        approve_batch(session=session, batch_id=batch_id, username="olga")
    start = threading.Barrier(2)
    results: list[str] = []

    def release(username: str) -> None:
        with store_sessions() as session:
            start.wait()
            try:
                release_batch(
                    session=session, settings=settings, batch_id=batch_id, username=username
                )
                results.append("released")
            except CrossverifyError as exc:
                session.rollback()
                results.append(type(exc).__name__)

    threads = [threading.Thread(target=release, args=(name,)) for name in ("olga", "otto")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["StateError", "released"]
    with store_sessions() as session:
        assert len(_events(session, "release")) == 1
        disclosures = list(iter_entries(session=session, entry_type="disclosure"))
        assert [d.request_id for d in disclosures] == ["A1"]
        assert verify(session=session).ok
