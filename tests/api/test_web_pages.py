"""The review queue, ledger, holds and requester pages show what the API and the store say."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from crossverify.store import repos


def _signed_in(api: Any, username: str) -> tuple[TestClient, str]:
    client = TestClient(api.client.app)
    form = {"username": username, "token": api.tokens[username]}
    assert client.post("/web/login", data=form, follow_redirects=False).status_code == 303
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/web/login").text)
    assert found is not None
    return client, found.group(1)


def test_login_lands_each_role_on_its_own_page(api: Any) -> None:
    for username, home in (("api_requester", "/web/mine"), ("api_auditor", "/web/")):
        client = TestClient(api.client.app)
        form = {"username": username, "token": api.tokens[username]}
        response = client.post("/web/login", data=form, follow_redirects=False)
        assert response.headers["location"] == home


def test_review_queue_lists_decided_batches_with_expected_wrong(api: Any) -> None:
    client, _ = _signed_in(api, "api_officer")
    page = client.get("/web/review").text
    world = api.world.decided
    row = re.search(
        rf"<tr><th scope=\"row\"><a href=\"/web/batches/{world.batch_id}\">.*?</tr>", page, re.S
    )
    assert row is not None
    assert "approval" in row.group(0)
    assert str(world.expected_wrong_matches) in row.group(0)
    some_outcome, count = sorted(world.counts.items())[0]
    assert f"{some_outcome} {count}" in row.group(0)
    assert 'href="/web/review"' in page  # the officer's navigation links it
    assert 'href="/web/ledger"' not in page


def test_ledger_page_shows_the_chain_the_api_verifies(api: Any) -> None:
    for _ in range(60):  # refusals are audit events: enough entries for two pages
        api.client.get("/v1/ledger", headers=api.headers("api_officer"))
    client, _ = _signed_in(api, "api_auditor")
    page = client.get("/web/ledger").text
    # Reading the API's verify appends nothing: it must see the chain the page showed.
    verified = api.client.get("/v1/ledger/verify", headers=api.headers("api_auditor")).json()
    assert verified["ok"] and re.search(r'id="chain-status">intact<', page)
    assert f'id="head-hash">{verified["head_hash"]}<' in page
    assert f'id="chain-entries">{verified["entries"]}<' in page
    first = client.get("/web/ledger?since=1").text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert len(re.findall(r"<tr><th scope=\"row\">\d+</th><td>(?:event|disclosure)", first)) == 50
    second = client.get("/web/ledger?since=51").text
    assert '<th scope="row">51</th>' in second and 'rel="prev"' in second


def test_admin_places_and_lifts_a_hold_on_the_page_auditor_reads_it(api: Any) -> None:
    admin, csrf = _signed_in(api, "api_admin")
    form = {"csrf": csrf, "court": "D. Mass.", "case_number": "1:26-cv-web", "reason": "page"}
    placed = admin.post("/web/holds", data=form, follow_redirects=False)
    assert placed.status_code == 303 and "placed" in placed.headers["location"]
    with api.world.sessions() as session:
        hold = next(h for h in repos.list_holds(session=session) if h.case_number == "1:26-cv-web")
    assert hold.lifted_at is None
    auditor, _ = _signed_in(api, "api_auditor")
    read = auditor.get("/web/holds").text
    assert "1:26-cv-web" in read and "Lift hold" not in read and "Place a hold" not in read
    lifted = admin.post(f"/web/holds/{hold.id}/lift", data={"csrf": csrf}, follow_redirects=False)
    assert lifted.status_code == 303
    with api.world.sessions() as session:
        assert repos.get_hold(session=session, hold_id=hold.id).lifted_at is not None
    assert f"Lift hold {hold.id}<" not in admin.get("/web/holds").text


def test_requester_page_shows_only_its_agency_and_no_officer_figures(api: Any) -> None:
    other, _ = _signed_in(api, "api_other_requester")
    page = other.get("/web/mine").text
    assert api.world.decided.batch_id not in page
    mine, _ = _signed_in(api, "api_requester")
    page = mine.get("/web/mine").text
    assert api.world.decided.batch_id in page
    assert "Expected wrong" not in page and "/web/batches/" not in page
    assert mine.get("/web/", follow_redirects=False).status_code == 403
