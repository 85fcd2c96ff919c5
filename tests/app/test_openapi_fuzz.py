"""Every route of the OpenAPI document, driven by schemathesis from the document itself: any
answer is documented there (status, content type, body schema), none is a 5xx, a request that
breaks the document is refused, and a method a path does not take is a 405 naming those it does.

The document is the app's own (`/openapi.json` outside production), so a route added later is
fuzzed without a line here. Requests go through the app tier's TestClient, as a signed-in owner,
with the rate limits lifted (the budgets themselves are tested in test_fraud_api.py)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from serve_app.api import create_api
from testkit.stores import settings_for

schema = schemathesis.openapi.from_dict(
    create_api(lambda: None, settings_for(Path("unused.db"))).openapi()  # type: ignore[arg-type,return-value]
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
    allow_header_conformance,
]
# Not checked: that every schema-valid request is a 2xx. A well-formed id of no business of
# the caller's is 404, and text with no invoice in it is 422 not_an_invoice, by design.
SHADOWED = {"/api/v1/insights/forecast"}
"""GET /api/v1/insights/forecast is GET /api/v1/insights/{business_id} with an id that is not
a UUID: a 422 naming the id, not a 405."""


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_route_answers_as_its_openapi_document_says(
    case: schemathesis.Case, unlimited: TestClient, owner_headers: dict[str, str]
) -> None:
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=owner_headers)
    response = unlimited.request(
        sent["method"],
        sent["url"],
        headers=sent.get("headers"),
        params=sent.get("params"),
        json=sent.get("json"),
        content=sent.get("data") or sent.get("content"),
    )
    checks = [c for c in CHECKS if not (c is unsupported_method and case.path in SHADOWED)]
    case.validate_response(response, checks=checks)
