"""The whole flow on generated data: every row once, roles enforced, package and ledger agree."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from crossverify.disclose.signing import system_signing_key, verify_package
from crossverify.errors import ExpectedWrongTooHigh, PermissionDenied, StateError
from crossverify.evaluate import evaluate, read_truth
from crossverify.intake.manifest import public_key_b64
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import (
    PACKAGE_KEY_FILE,
    approve_batch,
    lower_scope,
    release_batch,
    scope_within_cap,
)
from crossverify.store import repos
from pipeline.conftest import World

pytestmark = pytest.mark.slow


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_request_row_has_exactly_one_outcome(world: World) -> None:
    batch_id = world.decided.batch_id
    with world.sessions() as session:
        rows = list(repos.iter_outcome_rows(session=session, batch_id=batch_id))
    assert len(rows) == world.decided.rows_read == world.synth.requests
    assert sorted(r["row_number"] for r in rows) == list(range(1, world.synth.requests + 1))


def test_precision_floor_on_generated_batch(world: World) -> None:
    with world.sessions() as session:
        rows = list(repos.iter_outcome_rows(session=session, batch_id=world.decided.batch_id))
    outcomes = pd.DataFrame([dict(r) for r in rows])
    result = evaluate(
        outcomes,
        read_truth(world.synth.truth_path),
        expected_wrong_matches=world.decided.expected_wrong_matches or 0.0,
    )
    assert result.disclosed > 100
    assert result.precision >= 0.99, result.wrong_by_scenario
    assert result.recall >= 0.5


def test_requester_and_submitter_cannot_approve(world: World) -> None:
    with (
        world.sessions() as session,
        pytest.raises(PermissionDenied, match="needs the role officer"),
    ):
        approve_batch(session=session, batch_id=world.decided.batch_id, username="requester")


def test_release_requires_approval_then_package_matches_ledger(world: World) -> None:
    batch_id = world.decided.batch_id
    with world.sessions() as session:
        with pytest.raises(StateError):
            release_batch(
                session=session, settings=world.settings, batch_id=batch_id, username="officer"
            )
        session.rollback()
        approve_batch(session=session, batch_id=batch_id, username="officer")
        # The generated batch is over the default cap: release waits for a lower scope.
        with pytest.raises(ExpectedWrongTooHigh, match="per 10,000"):
            release_batch(
                session=session, settings=world.settings, batch_id=batch_id, username="officer2"
            )
        min_confidence = scope_within_cap(session=session, batch_id=batch_id, policy=world.policy)
        assert min_confidence is not None
        scope = lower_scope(
            session=session,
            batch_id=batch_id,
            min_confidence=min_confidence,
            username="officer2",
            policy=world.policy,
        )
        assert scope.withheld > 0 and scope.risk.within_cap and scope.risk.disclosures > 0
        package = release_batch(
            session=session, settings=world.settings, batch_id=batch_id, username="officer2"
        )
        disclosures = list(
            iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
        )
        assert verify(session=session).ok
    matched = _read(package.directory / "matched.csv")
    rejected = _read(package.directory / "rejected.csv")
    unmatched = _read(package.directory / "unmatched.csv")
    ids = [r["request_id"] for r in matched + rejected + unmatched]
    assert len(ids) == len(set(ids)) == world.synth.requests
    assert {d.request_id for d in disclosures} == {r["request_id"] for r in matched}
    assert len(matched) == scope.risk.disclosures
    manifest = json.loads((package.directory / "manifest.json").read_text())
    key = system_signing_key(world.settings.data_dir / "keys" / PACKAGE_KEY_FILE)
    assert verify_package(package.zip_path, public_key=public_key_b64(key)) == manifest
    assert manifest["counts"] == {
        "matched": len(matched),
        "rejected": len(rejected),
        "unmatched": len(unmatched),
    }
    assert {r["outcome"] for r in matched} <= {"M1", "M2", "M3"}
    assert {r["outcome"] for r in unmatched} <= {"N1", "N2", "N3", "N4", "N5"}
    assert all("tin" not in row for row in matched)


def test_batch_with_every_row_rejected_runs_and_accounts_for_each_row(
    world: World, tmp_path: Path
) -> None:
    from crossverify.intake.manifest import sign_manifest, write_manifest
    from crossverify.pipeline import run_batch, submit_batch
    from crossverify.types import REQUEST_COLUMNS

    request_file = tmp_path / "bad.csv"
    with request_file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REQUEST_COLUMNS)
        order = ["2020-01-01", "A123", "8 U.S.C. 1253(a)(1)", "2022", "2023"]
        writer.writerow(
            ["A1", "UNKNOWN", "", "FNU", "", "", "", "Unknown Address", "", "", "", *order]
        )
        writer.writerow(
            [
                "A1",
                "Ana",
                "",
                "Diaz",
                "",
                "",
                "",
                "12 Main St",
                "Austin",
                "TX",
                "",
                "",
                "",
                "",
                "2023",
                "2022",
            ]
        )
    signer = json.loads(world.synth.manifest_path.read_text())
    manifest = sign_manifest(
        request_file=request_file,
        agency=signer["agency"],
        official_name=signer["official"]["name"],
        official_title=signer["official"]["title"],
        certification=signer["certification"],
        private_pem=world.synth.key_path.read_bytes(),
    )
    write_manifest(manifest, tmp_path / "bad.manifest.json")
    with world.sessions() as session:
        submitted = submit_batch(
            session=session,
            settings=world.settings,
            policy=world.policy,
            request_file=request_file,
            manifest_file=tmp_path / "bad.manifest.json",
            username="requester",
        )
        decided = run_batch(
            session=session,
            settings=world.settings,
            policy=world.policy,
            batch_id=submitted.batch_id,
        )
        rows = list(repos.iter_outcome_rows(session=session, batch_id=submitted.batch_id))
    assert decided.rows_read == 2
    assert [(r["request_id"], r["outcome"], r["reasons"]) for r in rows] == [
        ("A1", "REJECTED", "R01;R02"),
        ("row:2", "REJECTED", "R03;R04;R06;R07"),
    ]
