"""The OpenAPI document matches what the app answers (schemathesis, bounded to seconds)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crossverify.api.app import route_table

ROLES = route_table()


@pytest.fixture
def api_schema(api: Any) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", api.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi(case: Any, api: Any) -> None:
    roles = sorted(ROLES.get((case.method.upper(), case.operation.path), ()))
    headers = api.headers(f"api_{roles[0]}") if roles else {}
    response = case.call(headers=headers)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


@pytest.fixture(autouse=True)
def _lift_generated_holds(api: Any) -> Any:
    """Generated POST /v1/holds calls place real holds; lift them so later tests can release."""
    yield
    admin = api.headers("api_admin")
    for hold in api.client.get("/v1/holds?active_only=true", headers=admin).json():
        api.client.post(f"/v1/holds/{hold['id']}/lift", headers=admin)
