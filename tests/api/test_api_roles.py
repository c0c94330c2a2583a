"""Every route x every role: the status says whether the role check let the call through.

Parametrised from the app's route table, so a new route is in the matrix automatically.
Allowed calls are aimed at a batch that does not exist (or carry an empty body), so they
reach the handler and stop there with 404/422 without changing anything.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from crossverify.api.app import PUBLIC_PATHS, route_table
from crossverify.ledger import record as ledger

ROUTES = sorted(route_table().items())
ROLES = ("requester", "officer", "auditor", "admin")
ROLE_USER = {r: f"api_{r}" for r in ROLES}


def _call(api: Any, method: str, path: str, headers: dict[str, str]) -> int:
    url = path.replace("{batch_id}", "B-00000000-000000000000").replace("{hold_id}", "999999")
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
    assert body["detail"]["path"] == (
        path.replace("{batch_id}", "B-00000000-000000000000").replace("{hold_id}", "999999")
    )


def test_refusal_is_audited_with_role(api: Any) -> None:
    assert _call(api, "GET", "/v1/ledger", api.headers("api_officer")) == 403
    with api.world.sessions() as session:
        last = list(ledger.iter_entries(session=session, entry_type="event"))[-1]
    assert last.actor == "api_officer"
    assert json.loads(last.body)["detail"]["status"] == 403
