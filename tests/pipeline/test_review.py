"""Expected-wrong cap, lowering scope and per-record review, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session
from stored_batch import decided_batch

from crossverify.config import Settings
from crossverify.errors import ExpectedWrongTooHigh, PermissionDenied, StateError
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import (
    ACCEPTED_FILE,
    approve_batch,
    lower_scope,
    release_batch,
    review_record,
    scope_within_cap,
)
from crossverify.policy import Policy
from crossverify.store import repos
from crossverify.store.tables import BatchStatus

POLICY = Policy()  # max_expected_wrong_per_10k = 10


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "absent.toml")


def risky_batch(session: Session, settings: Settings) -> str:
    """The stored batch plus A3 (M2, 0.97) and A4 (M1, 0.999): 104 expected wrong per 10k."""
    batch_id = decided_batch(session, settings)
    pq.write_table(
        pa.table(
            {
                "row_number": pa.array([1, 2, 3, 4], pa.int64()),
                "criminal_statute": ["8 U.S.C. 1326"] * 4,
            }
        ),
        settings.batches_dir / batch_id / ACCEPTED_FILE,
    )
    address = {"city": "AUSTIN", "state": "TX", "zip": "78701", "source": "form_1040"}
    repos.save_outcomes(
        session=session,
        batch_id=batch_id,
        outcomes=[
            {
                "row_number": 3,
                "request_id": "A3",
                "outcome": "M2",
                "tin": "223456789",
                "confidence": 0.97,
                "tax_year": 2024,
                "street": "3 ELM ST",
                **address,
            },
            {
                "row_number": 4,
                "request_id": "A4",
                "outcome": "M1",
                "tin": "323456789",
                "confidence": 0.999,
                "tax_year": 2024,
                "street": "4 OAK ST",
                **address,
            },
        ],
    )
    repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.DECIDED,
        status=BatchStatus.DECIDED,
        rows_read=4,
        counts={"M1": 2, "M2": 1, "N1": 1},
        expected_wrong_matches=0.0001 + 0.03 + 0.001,
    )
    session.commit()
    return batch_id


def _events(session: Session, action: str) -> list[dict[str, object]]:
    bodies = [json.loads(e.body) for e in iter_entries(session=session, entry_type="event")]
    return [b for b in bodies if b["action"] == action]


def _package(settings: Settings, batch_id: str, name: str) -> list[dict[str, str]]:
    with (settings.data_dir / "packages" / batch_id / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def _disclosed(session: Session, batch_id: str) -> list[str | None]:
    entries = iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
    return [e.request_id for e in entries]


def test_release_over_the_cap_is_refused_until_an_officer_lowers_scope(
    store_session: Session, settings: Settings
) -> None:
    batch_id = risky_batch(store_session, settings)
    approved = approve_batch(
        session=store_session, batch_id=batch_id, username="olga", policy=POLICY
    )
    assert approved.risk is not None and not approved.risk.within_cap
    assert approved.risk.disclosures == 3 and approved.risk.per_10k == pytest.approx(103.667)
    [approval] = repos.approvals_for_batch(session=store_session, batch_id=batch_id)
    assert approval.summary["max_expected_wrong_per_10k"] == 10.0

    with pytest.raises(ExpectedWrongTooHigh, match=r"103\.7 expected wrong .* cap of 10"):
        release_batch(
            session=store_session,
            settings=settings,
            batch_id=batch_id,
            username="otto",
            policy=POLICY,
        )
    assert repos.get_batch(session=store_session, batch_id=batch_id).status == "approved"
    assert not (settings.data_dir / "packages" / batch_id).exists()
    [refusal] = _events(store_session, "refusal")
    assert refusal["detail"]["reason"] == "expected_wrong_cap"  # type: ignore[index]
    assert _disclosed(store_session, batch_id) == []

    assert scope_within_cap(session=store_session, batch_id=batch_id, policy=POLICY) == 0.999
    with pytest.raises(PermissionDenied):
        lower_scope(session=store_session, batch_id=batch_id, min_confidence=0.99, username="rita")
    scope = lower_scope(
        session=store_session,
        batch_id=batch_id,
        min_confidence=0.99,
        username="otto",
        policy=POLICY,
    )
    assert scope.withheld == 1 and scope.risk.disclosures == 2 and scope.risk.within_cap
    batch = repos.get_batch(session=store_session, batch_id=batch_id)
    assert batch.expected_wrong_matches == pytest.approx(0.0011)
    assert batch.status == "approved" and batch.approved_at is not None
    [review] = repos.reviews_for_batch(session=store_session, batch_id=batch_id)
    assert (review.request_id, review.decision, review.reason) == ("A3", "refuse", "scope_lowered")
    [event] = _events(store_session, "lower_scope")
    assert event["detail"]["withheld"] == 1  # type: ignore[index]

    release_batch(
        session=store_session, settings=settings, batch_id=batch_id, username="otto", policy=POLICY
    )
    assert [r["request_id"] for r in _package(settings, batch_id, "matched.csv")] == ["A1", "A4"]
    unmatched = {
        r["request_id"]: r["outcome"] for r in _package(settings, batch_id, "unmatched.csv")
    }
    assert unmatched == {"A2": "N1", "A3": "N2"}
    assert _disclosed(store_session, batch_id) == ["A1", "A4"]
    assert verify(session=store_session).ok


def test_a_refused_record_leaves_as_n2_and_is_not_in_the_ledger(
    store_session: Session, settings: Settings
) -> None:
    batch_id = risky_batch(store_session, settings)
    with pytest.raises(PermissionDenied):
        review_record(
            session=store_session,
            batch_id=batch_id,
            request_id="A1",
            decision="refuse",
            username="rita",
        )
    with pytest.raises(StateError, match="is N1"):
        review_record(
            session=store_session,
            batch_id=batch_id,
            request_id="A2",
            decision="refuse",
            username="olga",
        )
    store_session.rollback()
    review_record(
        session=store_session,
        batch_id=batch_id,
        request_id="A3",
        decision="refuse",
        reason="address is a shelter",
        username="olga",
    )
    review_record(
        session=store_session,
        batch_id=batch_id,
        request_id="A4",
        decision="confirm",
        username="otto",
    )
    assert repos.get_batch(
        session=store_session, batch_id=batch_id
    ).expected_wrong_matches == pytest.approx(0.0011)
    approve_batch(session=store_session, batch_id=batch_id, username="olga", policy=POLICY)
    package = release_batch(
        session=store_session, settings=settings, batch_id=batch_id, username="otto", policy=POLICY
    )

    matched = _package(settings, batch_id, "matched.csv")
    unmatched = _package(settings, batch_id, "unmatched.csv")
    rejected = _package(settings, batch_id, "rejected.csv")
    assert "A3" not in {r["request_id"] for r in matched}
    assert {"request_id": "A3", "outcome": "N2"} in unmatched
    assert len(matched) + len(unmatched) + len(rejected) == 4
    manifest = json.loads((package.directory / "manifest.json").read_text())
    assert manifest["counts"] == {"matched": 2, "rejected": 0, "unmatched": 2}
    assert manifest["withheld_on_review"] == 1
    assert _disclosed(store_session, batch_id) == ["A1", "A4"]
    reviews = [e["detail"] for e in _events(store_session, "review")]
    assert [(d["request_id"], d["decision"]) for d in reviews] == [  # type: ignore[index]
        ("A3", "refuse"),
        ("A4", "confirm"),
    ]
    with pytest.raises(StateError, match="before release"):
        review_record(
            session=store_session,
            batch_id=batch_id,
            request_id="A1",
            decision="refuse",
            username="olga",
        )
    assert verify(session=store_session).ok


def test_the_newest_review_decision_is_in_force(store_session: Session, settings: Settings) -> None:
    batch_id = decided_batch(store_session, settings)
    for decision in ("refuse", "confirm"):
        review_record(
            session=store_session,
            batch_id=batch_id,
            request_id="A1",
            decision=decision,
            username="olga",
        )
    assert repos.refused_request_ids(session=store_session, batch_id=batch_id) == set()
    assert repos.get_batch(
        session=store_session, batch_id=batch_id
    ).expected_wrong_matches == pytest.approx(0.0001)
    with pytest.raises(StateError, match="confirm or refuse"):
        review_record(
            session=store_session,
            batch_id=batch_id,
            request_id="A1",
            decision="maybe",
            username="olga",
        )
    approve_batch(session=store_session, batch_id=batch_id, username="otto", policy=POLICY)
    release_batch(
        session=store_session, settings=settings, batch_id=batch_id, username="olga", policy=POLICY
    )
    assert _disclosed(store_session, batch_id) == ["A1"]


def test_review_cli_refuse_list_and_lower_scope(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crossverify.cli import app
    from crossverify.store.engine import make_engine, migrate, session_factory

    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "absent.toml")
    engine = make_engine(settings.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        batch_id = risky_batch(session, settings)
    engine.dispose()
    env = {
        "CROSSVERIFY_DATA_DIR": str(settings.data_dir),
        "CROSSVERIFY_POLICY_FILE": str(settings.policy_file),
    }
    runner = CliRunner()
    refused = runner.invoke(
        app, ["review", "refuse", batch_id, "A1", "--as", "olga", "--reason", "shelter"], env=env
    )
    assert refused.exit_code == 0, refused.output
    denied = runner.invoke(app, ["review", "confirm", batch_id, "A4", "--as", "rita"], env=env)
    assert denied.exit_code == 2
    listed = runner.invoke(app, ["review", "list", batch_id], env=env)
    assert "A1" in listed.output and "shelter" in listed.output and "olga" in listed.output
    approved = runner.invoke(app, ["batch", "approve", batch_id, "--as", "otto"], env=env)
    assert approved.exit_code == 0 and "over the cap" in approved.output
    release = ["batch", "release", batch_id, "--as", "olga"]
    over = runner.invoke(app, release, env=env)
    assert over.exit_code == 1 and "lower-scope" in over.output
    lowered = runner.invoke(app, ["review", "lower-scope", batch_id, "--as", "otto"], env=env)
    assert lowered.exit_code == 0 and "1 disclosures below 0.999 withheld" in lowered.output
    released = runner.invoke(app, release, env=env)
    assert released.exit_code == 0, released.output
    matched = _package(settings, batch_id, "matched.csv")
    assert [r["request_id"] for r in matched] == ["A4"]
