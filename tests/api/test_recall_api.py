"""Recalls and the oversight report over the API, on the shared world (SQLite)."""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crossverify.disclose.signing import verify_package
from crossverify.ledger.record import iter_entries
from crossverify.store.tables import utc_now
from crossverify.store.tokens import new_token

_spec = importlib.util.spec_from_file_location(
    "recall_history", Path(__file__).parent.parent / "pipeline" / "recall_history.py"
)
assert _spec is not None and _spec.loader is not None
recall_history = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = recall_history
_spec.loader.exec_module(recall_history)


@dataclass(frozen=True)
class RecallWorld:
    batch_id: str
    disclosed: list[str]
    headers: dict[str, dict[str, str]]
    tokens: dict[str, str]
    history: Any


@pytest.fixture(scope="module")
def recall_world(api: Any, tmp_path_factory: pytest.TempPathFactory) -> RecallWorld:
    """A released batch of the recall history's agency in the world's store, and tokens."""
    world = api.world
    with world.sessions() as session:
        history = recall_history.make_history(
            session, world.settings, tmp_path_factory.mktemp("recall"), write_policy=False
        )
        batch_id = recall_history.released_batch(session, history)
        disclosed = [
            str(e.request_id)
            for e in iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
        ]
        tokens: dict[str, str] = {}
        from crossverify.store import repos

        for name in ("rita", "hsi", "olga", "ada", "aude"):
            user = repos.get_user_by_name(session=session, username=name)
            tokens[name] = new_token(session=session, user=user, label="recall test")[1]
        session.commit()
    headers = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    return RecallWorld(batch_id, disclosed, headers, tokens, history)


def test_recall_create_see_certify_and_report_over_the_api(
    api: Any, recall_world: RecallWorld, tmp_path: Path
) -> None:
    client, h = api.client, recall_world.headers
    body = {
        "reason": "wrong_person",
        "reason_text": "the address belonged to a namesake",
        "batch_id": recall_world.batch_id,
        "request_ids": recall_world.disclosed[:2],
    }
    by_admin = client.post("/v1/recalls", headers=h["ada"], json=body)
    assert by_admin.status_code == 403 and "court order" in by_admin.json()["detail"]
    created = client.post("/v1/recalls", headers=h["olga"], json=body)
    assert created.status_code == 201, created.text
    [recall] = created.json()
    assert recall["records"] == 2 and recall["status"] == "open"
    twice = client.post("/v1/recalls", headers=h["olga"], json=body)
    assert twice.status_code == 409 and "already recalled" in twice.json()["detail"]

    mine = client.get("/v1/recalls", headers=h["rita"]).json()
    assert recall["id"] in [r["id"] for r in mine]
    assert recall["id"] not in [r["id"] for r in client.get("/v1/recalls", headers=h["hsi"]).json()]
    assert client.get(f"/v1/recalls/{recall['id']}", headers=h["hsi"]).status_code == 403
    shown = client.get(f"/v1/recalls/{recall['id']}", headers=h["aude"]).json()
    assert shown["request_ids"] == recall_world.disclosed[:2]

    notice = client.get(f"/v1/recalls/{recall['id']}/notice", headers=h["rita"])
    assert notice.status_code == 200
    saved = tmp_path / "notice.zip"
    saved.write_bytes(notice.content)
    assert verify_package(saved)["recall_id"] == recall["id"]
    assert zipfile.ZipFile(io.BytesIO(notice.content)).namelist()[0].endswith("recalled.csv")

    assert (
        client.post(f"/v1/recalls/{recall['id']}/certify", headers=h["hsi"], json={}).status_code
        == 403
    )
    certified = client.post(
        f"/v1/recalls/{recall['id']}/certify",
        headers=h["rita"],
        json={"statement": "destroyed in the case system"},
    )
    assert certified.status_code == 200 and certified.json()["status"] == "certified"
    again = client.post(f"/v1/recalls/{recall['id']}/certify", headers=h["rita"], json={})
    assert again.status_code == 409

    today = utc_now().date().isoformat()
    report = client.get(f"/v1/reports/oversight?from={today}&to={today}", headers=h["aude"])
    assert report.status_code == 200
    document = report.json()
    assert document["reconciled"], [c for c in document["reconciliation"] if not c["ok"]]
    assert document["chain"]["ok"]
    assert document["totals"]["recalled_records"] >= 2
    assert document["totals"]["certified_destroyed"] >= 2
    assert (
        client.get(f"/v1/reports/oversight?from={today}&to={today}", headers=h["olga"]).status_code
        == 403
    )
    reversed_period = client.get(
        "/v1/reports/oversight?from=2026-02-01&to=2026-01-01", headers=h["aude"]
    )
    assert reversed_period.status_code == 400
