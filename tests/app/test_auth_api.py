"""Asymmetric access tokens over HTTP (plan T18, T19): ES256 and RS256 tokens from the project's
JWKS (a real endpoint on 127.0.0.1, tests/support/jwks.py) beside the legacy HS256 secret, the
JWKS outage as 503 `auth_unavailable` with Retry-After, and the operators' cache-bust."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from testkit.factories import demo_books
from tests.app.conftest import ClientFactory
from tests.support.contract import assert_error
from tests.support.jwks import JwksServer, SigningKey, jwks_server, refused_url

EC_KEY = SigningKey.es256("ec-app")
RSA_KEY = SigningKey.rs256("rsa-app")
OPERATOR = "ops-token-for-tests-" + "j" * 12


@pytest.fixture
def server() -> Iterator[JwksServer]:
    with jwks_server(EC_KEY, RSA_KEY) as running:
        yield running


def owner() -> str:
    return str(demo_books()[0].business["user_id"])


def analyze(client: TestClient, business_id: str, token: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/fraud/analyze",
        json={"business_id": business_id},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_es256_and_rs256_tokens_open_the_owners_business_beside_legacy_ones(
    make_client: ClientFactory,
    server: JwksServer,
    business_id: str,
    owner_headers: dict[str, str],
) -> None:
    client = make_client(SUPABASE_JWKS_URL=server.url)
    for key in (EC_KEY, RSA_KEY):
        assert analyze(client, business_id, key.sign(owner())).status_code == 200
    assert (
        client.post(
            "/api/v1/fraud/analyze", json={"business_id": business_id}, headers=owner_headers
        ).status_code
        == 200
    )
    stranger = EC_KEY.sign("11111111-2222-4333-8444-555555555555")
    assert_error(analyze(client, business_id, stranger), 404, "not_found")
    assert server.requests == 1


def test_the_jwks_unreachable_on_a_cold_start_is_503_with_retry_after(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    client = make_client(SUPABASE_JWKS_URL=refused_url())
    response = analyze(client, business_id, EC_KEY.sign(owner()))
    assert_error(response, 503, "auth_unavailable")
    assert response.headers["retry-after"] == "5"
    assert "www-authenticate" not in response.headers  # not a sign-out
    # legacy tokens do not need the JWKS and go on
    assert (
        client.post(
            "/api/v1/fraud/analyze", json={"business_id": business_id}, headers=owner_headers
        ).status_code
        == 200
    )


def test_operators_see_the_keys_and_bust_their_cache(
    make_client: ClientFactory, server: JwksServer, business_id: str
) -> None:
    client = make_client(SUPABASE_JWKS_URL=server.url, OPS_TOKEN=OPERATOR)
    operator = {"Authorization": f"Bearer {OPERATOR}"}
    assert analyze(client, business_id, EC_KEY.sign(owner())).status_code == 200
    fetched = server.requests
    new = SigningKey.es256("ec-app-next")
    server.publish(EC_KEY, RSA_KEY, new)
    assert_error(analyze(client, business_id, new.sign(owner())), 401, "unauthenticated")
    assert client.post("/health/test/jwks").status_code == 401
    busted = client.post("/health/test/jwks", headers=operator)
    assert busted.status_code == 200
    body = busted.json()
    assert body["status"] == "healthy" and body["kids"] == sorted(
        [EC_KEY.kid, RSA_KEY.kid, new.kid]
    )
    assert server.requests == fetched + 1
    assert analyze(client, business_id, new.sign(owner())).status_code == 200
    detailed = client.get("/health/detailed", headers=operator).json()
    assert detailed["checks"]["jwks"]["status"] == "healthy"
