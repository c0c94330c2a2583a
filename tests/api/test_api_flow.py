"""A batch through the API: upload, run in the worker, approve, release, download; lookups."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from typing import Any

import pytest

from crossverify.jobs import InProcessRunner
from crossverify.ledger import record as ledger
from crossverify.store import repos
from crossverify.store.tables import BatchStatus
from crossverify.store.tokens import new_token, revoke_token


def _upload(api: Any, username: str = "api_requester") -> Any:
    synth = api.world.synth
    return api.client.post(
        "/v1/batches",
        headers=api.headers(username),
        files={
            "request_file": (synth.requests_path.name, synth.requests_path.read_bytes()),
            "manifest": ("manifest.json", synth.manifest_path.read_bytes()),
        },
    )


def _wait(api: Any, batch_id: str, status: str, timeout: float = 180.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = api.client.get(
            f"/v1/batches/{batch_id}", headers=api.headers("api_officer")
        ).json()
        if body["status"] == status or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


@pytest.mark.slow
def test_batch_through_the_api(api: Any) -> None:
    response = _upload(api)
    assert response.status_code == 202, response.text
    batch_id = response.json()["batch_id"]
    decided = _wait(api, batch_id, "decided")
    assert decided["status"] == "decided" and decided["progress"] == 1.0
    # Same files, same model: the same counts as the pipeline's own run.
    assert decided["counts"] == api.world.decided.counts
    queue = api.client.get("/v1/review", headers=api.headers("api_officer")).json()
    assert batch_id in [b["batch_id"] for b in queue]

    approved = api.client.post(
        f"/v1/batches/{batch_id}/approve", headers=api.headers("api_officer")
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    officer = api.headers("api_officer")
    refused = api.client.post(f"/v1/batches/{batch_id}/release", headers=officer)
    assert refused.status_code == 409  # over the policy's expected-wrong cap
    lowered = api.client.post(f"/v1/batches/{batch_id}/lower-scope", headers=officer)
    assert lowered.status_code == 200
    assert lowered.json()["counts"] == approved.json()["counts"]  # counts as decided
    released = api.client.post(f"/v1/batches/{batch_id}/release", headers=officer)
    assert released.json()["status"] == "released"

    other = api.client.get(
        f"/v1/batches/{batch_id}/package", headers=api.headers("api_other_requester")
    )
    assert other.status_code == 403
    package = api.client.get(
        f"/v1/batches/{batch_id}/package", headers=api.headers("api_requester")
    )
    assert package.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert {"matched.csv", "rejected.csv", "unmatched.csv", "manifest.json"} <= {
        n.rsplit("/", 1)[-1] for n in names
    }
    hold = api.client.post(
        "/v1/holds",
        headers=api.headers("api_admin"),
        json={"court": "D. Mass.", "case_number": "1:26-cv-1", "reason": "test", "agency": None},
    )
    assert hold.status_code == 201, hold.text
    held = api.client.get(f"/v1/batches/{batch_id}/package", headers=api.headers("api_requester"))
    assert held.status_code == 423
    holds = api.client.get("/v1/holds?active_only=true", headers=api.headers("api_auditor")).json()
    assert [h["id"] for h in holds] == [hold.json()["id"]]
    lifted = api.client.post(
        f"/v1/holds/{hold.json()['id']}/lift", headers=api.headers("api_admin")
    )
    assert lifted.status_code == 200 and lifted.json()["lifted_at"]
    assert (
        api.client.get(
            f"/v1/batches/{batch_id}/package", headers=api.headers("api_requester")
        ).status_code
        == 200
    )
    mine = api.client.get("/v1/batches", headers=api.headers("api_other_requester")).json()
    assert batch_id not in [b["batch_id"] for b in mine]
    verify = api.client.get("/v1/ledger/verify", headers=api.headers("api_auditor")).json()
    assert verify["ok"]


def test_lookup_answers_like_the_batch(api: Any) -> None:
    """Rows of the world's batch, looked up one by one, get the batch's outcomes."""
    with api.world.synth.requests_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:25]
    records = [{k: (v or None) for k, v in r.items()} for r in rows]
    with api.world.sessions() as session:
        expected = {
            r["request_id"]: r["outcome"]
            for r in repos.iter_outcome_rows(session=session, batch_id=api.world.decided.batch_id)
        }
    with api.world.sessions() as session:
        seq_before = ledger.head(session=session).seq
    response = api.client.post(
        "/v1/lookups", headers=api.headers("api_requester"), json={"records": records}
    )
    assert response.status_code == 200, response.text
    got = {o["request_id"]: o["outcome"] for o in response.json()["outcomes"]}
    shown = sorted(o["request_id"] for o in response.json()["outcomes"] if o["street"])
    with api.world.sessions() as session:
        written = list(ledger.iter_entries(session=session, since=seq_before + 1))
    assert shown, "no lookup disclosed an address"
    assert len(written) == len(shown) + 1
    assert sorted(e.request_id for e in written[:-1] if e.entry_type == "disclosure") == shown
    event = json.loads(written[-1].body)
    assert (written[-1].entry_type, event["action"]) == ("event", "lookup")
    assert event["detail"] == {"records": 25, "disclosed": len(shown)}
    compared = [rid for rid in got if rid in expected]
    assert len(compared) >= 20
    assert {rid: got[rid] for rid in compared} == {rid: expected[rid] for rid in compared}
    assert len(response.json()["outcomes"]) == 25
    too_many = api.client.post(
        "/v1/lookups", headers=api.headers("api_requester"), json={"records": records * 2}
    )
    assert too_many.status_code == 400


def test_revoked_token_is_refused(api: Any) -> None:
    with api.world.sessions() as session:
        user = repos.get_user_by_name(session=session, username="api_auditor")
        row, token = new_token(session=session, user=user)
        session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        assert api.client.get("/v1/ledger/verify", headers=headers).status_code == 200
        revoke_token(session=session, token_id=row.id)
        session.commit()
    assert api.client.get("/v1/ledger/verify", headers=headers).status_code == 401


def test_health(api: Any) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}


@pytest.mark.slow
def test_stale_running_batch_is_recovered_once(api: Any) -> None:
    """A worker killed mid-run leaves the batch `running`; the next worker completes it."""
    world = api.world
    response = _upload(api)
    batch_id = response.json()["batch_id"]
    _wait(api, batch_id, "decided")
    # Simulate the kill: a second batch marked running, no outcomes, no run event.
    with world.sessions() as session:
        from crossverify.pipeline import submit_batch

        stale = submit_batch(
            session=session,
            settings=world.settings,
            policy=world.policy,
            request_file=world.synth.requests_path,
            manifest_file=world.synth.manifest_path,
            username="api_requester",
        ).batch_id
        repos.set_batch_status(
            session=session,
            batch_id=stale,
            expected=BatchStatus.SUBMITTED,
            status=BatchStatus.RUNNING,
        )
        session.commit()
    runner = InProcessRunner(sessions=world.sessions, settings=world.settings, policy=world.policy)
    try:
        assert stale in runner.recover_runs()
    finally:
        runner.shutdown()
    with world.sessions() as session:
        batch = repos.get_batch(session=session, batch_id=stale)
        assert batch.status == "decided"
        assert batch.counts == world.decided.counts
        runs = [
            e
            for e in ledger.iter_entries(session=session, batch_id=stale, entry_type="event")
            if json.loads(e.body)["action"] == "run"
        ]
        assert len(runs) == 1
        assert sum(repos.outcome_counts(session=session, batch_id=stale).values()) == (
            world.decided.rows_read
        )
