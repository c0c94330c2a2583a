"""The same API flow on the production store: PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossverify.api import create_app
from crossverify.config import Settings
from crossverify.store import repos
from crossverify.store.engine import make_engine, session_factory
from crossverify.store.tokens import new_token


@pytest.mark.postgres
@pytest.mark.slow
def test_batch_through_the_api_on_postgres(world: Any, pg_database_url: str) -> None:
    settings = Settings(
        data_dir=world.settings.data_dir,
        policy_file=world.settings.policy_file,
        database_url=pg_database_url,
    )
    app = create_app(settings)  # migrates the empty database
    engine = make_engine(pg_database_url)
    with session_factory(engine)() as session:
        requester = repos.add_user(
            session=session,
            username="pg_requester",
            role="requester",
            agency="U.S. Immigration and Customs Enforcement",
        )
        officer = repos.add_user(session=session, username="pg_officer", role="officer")
        session.flush()
        req = {"Authorization": f"Bearer {new_token(session=session, user=requester)[1]}"}
        off = {"Authorization": f"Bearer {new_token(session=session, user=officer)[1]}"}
        session.commit()
    engine.dispose()
    synth = world.synth
    with TestClient(app) as client:
        response = client.post(
            "/v1/batches",
            headers=req,
            files={
                "request_file": (synth.requests_path.name, synth.requests_path.read_bytes()),
                "manifest": ("manifest.json", synth.manifest_path.read_bytes()),
            },
        )
        assert response.status_code == 202, response.text
        batch_id = response.json()["batch_id"]
        deadline = time.monotonic() + 180
        while (body := client.get(f"/v1/batches/{batch_id}", headers=req).json())[
            "status"
        ] != "decided" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert body["counts"] == world.decided.counts
        assert client.get(f"/v1/batches/{batch_id}/approve", headers=off).status_code == 405
        assert client.post(f"/v1/batches/{batch_id}/approve", headers=req).status_code == 403
        assert client.post(f"/v1/batches/{batch_id}/approve", headers=off).status_code == 200
        assert client.post(f"/v1/batches/{batch_id}/lower-scope", headers=off).status_code == 200
        released = client.post(f"/v1/batches/{batch_id}/release", headers=off)
        assert released.json()["status"] == "released"
        assert client.get(f"/v1/batches/{batch_id}/package", headers=req).status_code == 200
