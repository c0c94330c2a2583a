"""A batch refused at submission (bad signature, changed file) is an audit event, not a batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.errors import ManifestError
from crossverify.intake.manifest import new_keypair, sign_manifest, write_manifest
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import submit_batch
from crossverify.policy import Policy, Signer
from crossverify.store import repos
from crossverify.types import REQUEST_COLUMNS

AGENCY = "ICE ERO"


def _signed(tmp_path: Path) -> tuple[Path, Path, Policy]:
    keys = new_keypair()
    request_file = tmp_path / "batch.csv"
    request_file.write_text(",".join(REQUEST_COLUMNS) + "\n", encoding="utf-8")
    manifest = sign_manifest(
        request_file=request_file,
        agency=AGENCY,
        official_name="Jane Roe",
        official_title="Field Office Director",
        certification="I certify ...",
        private_pem=keys.private_pem,
    )
    manifest_file = tmp_path / "batch.manifest.json"
    write_manifest(manifest, manifest_file)
    signer = Signer(
        name="Jane Roe", title="Field Office Director", agency=AGENCY, public_key=keys.public_key
    )
    return request_file, manifest_file, Policy(signers=(signer,))


def _tamper_signature(request_file: Path, manifest_file: Path) -> str:
    manifest = json.loads(manifest_file.read_text())
    manifest["certification"] = "Changed after signing."
    manifest_file.write_text(json.dumps(manifest))
    return "signature does not verify"


def _tamper_file(request_file: Path, manifest_file: Path) -> str:
    with request_file.open("a", encoding="utf-8") as handle:
        handle.write("R1,Maria\n")
    return "changed after signing"


@pytest.mark.parametrize("tamper", [_tamper_signature, _tamper_file])
def test_a_refused_batch_is_an_audit_event(
    store_session: Session, tmp_path: Path, tamper: object
) -> None:
    request_file, manifest_file, policy = _signed(tmp_path)
    reason = tamper(request_file, manifest_file)  # type: ignore[operator]
    repos.add_user(session=store_session, username="rita", role="requester", agency=AGENCY)
    store_session.commit()
    with pytest.raises(ManifestError, match=reason):
        submit_batch(
            session=store_session,
            settings=Settings(data_dir=tmp_path / "var"),
            policy=policy,
            request_file=request_file,
            manifest_file=manifest_file,
            username="rita",
        )
    entries = list(iter_entries(session=store_session, entry_type="event"))
    bodies = [json.loads(e.body) for e in entries]
    refusals = [(e, b) for e, b in zip(entries, bodies, strict=True) if b["action"] == "refusal"]
    assert len(refusals) == 1
    [(entry, body)] = refusals
    assert entry.actor == "rita" and entry.batch_id is None and body["success"] is False
    assert body["detail"]["step"] == "submit" and body["detail"]["file"] == "batch.csv"
    assert reason in body["detail"]["reason"]
    assert not any(b["action"] == "submit" for b in bodies)
    assert not (tmp_path / "var" / "batches").exists()
    assert verify(session=store_session).ok
