"""Every route and page x every role: the status says whether the role check let it through.

Parametrised from the app's route table, so a new route or page is in the matrix
automatically. Allowed API calls are aimed at a batch that does not exist (or carry an empty
body), so they reach the handler and stop there with 404/422 without changing anything.
Pages are opened signed in through the login form: GET pages on the world's batch answer
200; POST forms aimed at nothing stop in the handler.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crossverify.api.app import PUBLIC_PATHS, route_table
from crossverify.ledger import record as ledger

TABLE = sorted(route_table().items())
ROUTES = [(route, roles) for route, roles in TABLE if not route[1].startswith("/web/")]
PAGES = [
    (route, roles)
    for route, roles in TABLE
    if route[1].startswith("/web/") and route[1] not in PUBLIC_PATHS
]
ROLES = ("requester", "officer", "auditor", "admin")
ROLE_USER = {r: f"api_{r}" for r in ROLES}


def _url(path: str) -> str:
    """The path aimed at a batch, hold or recall that does not exist."""
    return (
        path.replace("{batch_id}", "B-00000000-000000000000")
        .replace("{hold_id}", "999999")
        .replace("{recall_id}", "RC-00000000-000000000000")
    )


def _call(api: Any, method: str, path: str, headers: dict[str, str]) -> int:
    url = _url(path)
    if method == "POST" and path == "/v1/batches":
        response = api.client.post(url, headers=headers, files={"note": ("x.txt", b"x")})
    elif method == "POST":
        response = api.client.post(url, headers=headers, json={})
    else:
        response = api.client.request(method, url, headers=headers)
    return int(response.status_code)


def test_every_route_is_public_or_role_checked() -> None:
    assert ROUTES
    for (method, path), roles in ROUTES:
        assert roles or path in PUBLIC_PATHS, f"{method} {path} has no allow(...)"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("route", "roles"), ROUTES, ids=[f"{m} {p}" for (m, p), _ in ROUTES])
def test_role_matrix(api: Any, route: tuple[str, str], roles: frozenset[str], role: str) -> None:
    method, path = route
    status = _call(api, method, path, api.headers(ROLE_USER[role]))
    if not roles or role in roles:
        assert status not in (401, 403), f"{role} refused on {method} {path}"
    else:
        assert status == 403, f"{role} let through on {method} {path}"


@pytest.mark.parametrize(("route", "roles"), ROUTES, ids=[f"{m} {p}" for (m, p), _ in ROUTES])
def test_no_token_is_401_and_audited(
    api: Any, route: tuple[str, str], roles: frozenset[str]
) -> None:
    method, path = route
    status = _call(api, method, path, {"Authorization": "Bearer cv_not-a-token"})
    if not roles:
        assert status == 200
        return
    assert status == 401
    with api.world.sessions() as session:
        last = list(ledger.iter_entries(session=session, entry_type="event"))[-1]
    body = json.loads(last.body)
    assert body["action"] == "refusal" and not body["success"]
    assert body["detail"]["status"] == 401
    assert body["detail"]["path"] == _url(path)


def test_refusal_is_audited_with_role(api: Any) -> None:
    assert _call(api, "GET", "/v1/ledger", api.headers("api_officer")) == 403
    with api.world.sessions() as session:
        last = list(ledger.iter_entries(session=session, entry_type="event"))[-1]
    assert last.actor == "api_officer"
    assert json.loads(last.body)["detail"]["status"] == 403


def _last_event(api: Any) -> dict[str, Any]:
    with api.world.sessions() as session:
        last = list(ledger.iter_entries(session=session, entry_type="event"))[-1]
    return {"actor": last.actor, **json.loads(last.body)}


def _page_url(api: Any, method: str, path: str) -> str:
    # GET pages open the world's batch and its first row; forms aim at nothing that exists.
    batch = api.world.decided.batch_id if method == "GET" else "B-00000000-000000000000"
    return (
        path.replace("{batch_id}", batch)
        .replace("{row_number}", "1")
        .replace("{action}", "approve")
        .replace("{hold_id}", "999999")
        .replace("{recall_id}", "RC-00000000-000000000000")
    )


def _signed_in(api: Any, username: str) -> tuple[TestClient, str]:
    """A browser of its own (cookies), signed in with the user's token; returns its CSRF."""
    client = TestClient(api.client.app)
    form = {"username": username, "token": api.tokens[username]}
    assert client.post("/web/login", data=form, follow_redirects=False).status_code == 303
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/web/login").text)
    assert found is not None
    return client, found.group(1)


def test_every_page_is_public_or_role_checked() -> None:
    assert PAGES
    assert ("GET", "/web/review") in dict(PAGES)
    for (method, path), roles in PAGES:
        assert roles, f"{method} {path} has no page_allow(...)"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "roles"), PAGES, ids=[f"{m} {p}" for (m, p), _ in PAGES])
def test_page_role_matrix(
    api: Any, page: tuple[str, str], roles: frozenset[str], role: str
) -> None:
    method, path = page
    client, csrf = _signed_in(api, ROLE_USER[role])
    url = _page_url(api, method, path)
    response = client.request(
        method, url, data={"csrf": csrf} if method == "POST" else None, follow_redirects=False
    )
    if role in roles:
        if method == "GET":
            # No recall exists in the world: its page stops in the handler with 404.
            expected = 404 if "{recall_id}" in path else 200
            assert response.status_code == expected, f"{role} refused on {method} {path}"
        else:  # the handler ran: it redirects back to its page with what it did
            assert response.status_code in (303, 422), response.text
            assert not response.headers.get("location", "").startswith("/web/login")
    else:
        assert response.status_code == 403, f"{role} let through on {method} {path}"
        event = _last_event(api)
        assert event["action"] == "refusal" and event["actor"] == ROLE_USER[role]
        assert event["detail"]["status"] == 403 and event["detail"]["path"] == url


@pytest.mark.parametrize(("page", "roles"), PAGES, ids=[f"{m} {p}" for (m, p), _ in PAGES])
def test_page_without_login_goes_to_login_and_is_audited(
    api: Any, page: tuple[str, str], roles: frozenset[str]
) -> None:
    method, path = page
    url = _page_url(api, method, path)
    response = TestClient(api.client.app).request(method, url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/web/login"
    event = _last_event(api)
    assert event["action"] == "refusal" and event["actor"] == "anonymous"
    assert event["detail"]["path"] == url


def test_form_with_a_wrong_csrf_token_is_refused_and_audited(api: Any) -> None:
    client, _ = _signed_in(api, "api_admin")
    response = client.post(
        "/web/holds/999999/lift", data={"csrf": "forged"}, follow_redirects=False
    )
    assert response.status_code == 403
    event = _last_event(api)
    assert event["actor"] == "api_admin" and event["detail"]["reason"].startswith("the form")


RECALL_ROUTE_ROLES = {
    ("GET", "/v1/recalls"): {"requester", "officer", "auditor", "admin"},
    ("POST", "/v1/recalls"): {"officer", "admin"},
    ("GET", "/v1/recalls/{recall_id}"): {"requester", "officer", "auditor", "admin"},
    ("GET", "/v1/recalls/{recall_id}/notice"): {"requester", "officer", "auditor", "admin"},
    ("POST", "/v1/recalls/{recall_id}/certify"): {"requester", "officer"},
    ("GET", "/v1/reports/oversight"): {"auditor"},
}


def test_recall_and_report_routes_admit_the_roles_of_design_md() -> None:
    table = route_table()
    assert {route: set(table[route]) for route in RECALL_ROUTE_ROLES} == RECALL_ROUTE_ROLES
