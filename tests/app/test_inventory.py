"""T44, T40: what a production instance answers, and who it answers for.

- The route inventory: every method and path the app serves equals the allow-list below (the
  client contract's routes, the probes, the operator routes); a route added without a decision
  fails here. In production the documentation routes and shadow paths answer 404, the operator
  routes need the operator credential.
- Tenancy before the cache: an answer cached for one owner is never another caller's, and a
  business that changes hands is the new owner's at once (no ownership is remembered).
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from serve_app.api import create_api
from serve_app.infra.auth import mint_token
from serve_app.infra.settings import load_settings
from testkit.factories import OTHER_USER, SECRET
from tests.app.conftest import ClientFactory

ALLOWED = {
    ("GET", "/health"),
    ("GET", "/api/health"),
    ("GET", "/api/v1/health"),
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/health/startup"),
    ("GET", "/health/detailed"),
    ("GET", "/health/dependencies"),
    ("POST", "/health/test/{component}"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/fraud/analyze"),
    ("POST", "/api/v1/fraud/score"),
    ("GET", "/api/v1/insights/{business_id}"),
    ("POST", "/api/v1/insights/forecast"),
    ("POST", "/api/v1/compliance/check"),
    ("POST", "/api/v1/compliance/validate"),
    ("GET", "/api/v1/compliance/gstin/{gstin}"),
    ("GET", "/api/v1/compliance/reminders/{business_id}"),
    ("POST", "/api/v1/invoice/generate"),
    ("POST", "/api/nlp/process-invoice"),
    ("POST", "/api/v1/nlp/parse-invoice"),
    ("POST", "/api/v1/ocr/extract-text"),
    ("POST", "/api/v1/generate/text"),
    ("POST", "/api/v1/generate/response"),
    ("POST", "/api/v1/feedback/structured"),
    ("GET", "/api/v1/models/performance"),
}
OPS = "ops-token-for-the-inventory-" + "i" * 8


def production() -> TestClient:
    settings = load_settings(
        {
            "ENVIRONMENT": "production",
            "DATABASE_URL": "postgresql://app@127.0.0.1:1/never-reached",
            "SUPABASE_URL": "https://project.supabase.co",
            "SUPABASE_JWT_SECRET": SECRET,
            "OPS_TOKEN": OPS,
        }
    )
    return TestClient(create_api(lambda: None, settings))  # type: ignore[arg-type,return-value]


def test_production_serves_exactly_the_allow_listed_routes() -> None:
    client = production()
    served = {
        (method.upper(), path)
        for path, operations in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
    }
    assert served == ALLOWED
    for path in ("/docs", "/redoc", "/openapi.json", "/-/routes", "/api/v0/fraud/analyze",
                 "/admin", "/debug"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    for method, path in (("GET", "/health/detailed"), ("GET", "/metrics"),
                         ("POST", "/health/test/redis")):  # fmt: skip
        assert client.request(method, path).status_code == 401, path


def test_a_cached_answer_is_never_another_callers_and_ownership_moves_at_once(
    make_client: ClientFactory, owner_headers: dict[str, str], business_id: str
) -> None:
    client = make_client()
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    path = f"/api/v1/insights/{business_id}"
    assert client.get(path, headers=owner_headers).status_code == 200  # cached for the owner
    missing = client.get("/api/v1/insights/00000000-0000-4000-8000-000000000000", headers=stranger)
    theirs = client.get(path, headers=stranger)
    assert theirs.status_code == missing.status_code == 404  # the cache is behind tenancy

    store = client.components.store  # type: ignore[attr-defined]

    async def owned_by(user: str) -> str:
        async with store.engine.begin() as conn:
            query = text("SELECT user_id FROM businesses WHERE id = :b")
            before = (await conn.execute(query, {"b": business_id})).scalar_one()
            await conn.execute(
                text("UPDATE businesses SET user_id = :u WHERE id = :b"),
                {"u": user, "b": business_id},
            )
        return str(before)

    owner = client.portal.call(owned_by, OTHER_USER)
    try:
        assert client.get(path, headers=stranger).status_code == 200  # the new owner, at once
        assert client.get(path, headers=owner_headers).status_code == 404  # the old one, never
    finally:
        client.portal.call(owned_by, owner)
    assert client.get(path, headers=owner_headers).status_code == 200
