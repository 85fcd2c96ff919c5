import datetime as dt
import time
from collections import Counter

import jwt
from fastapi.testclient import TestClient
from sqlalchemy import text

from kernel.models.fraud import FRAUD
from serve_app.infra.auth import mint_token
from serve_app.infra.telemetry import InProcessTelemetry
from testkit.factories import OTHER_USER, SECRET, demo_books, predictor
from testkit.fakes import UnavailableModel, local
from tests.app.conftest import ClientFactory
from tests.support.contract import ISO_UTC, assert_error

FRAUD_TYPES = {
    "duplicate_invoice",
    "payment_mismatch",
    "suspicious_pattern",
    "duplicate_supplier_bill",
}


def analyze(client: TestClient, business_id: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/fraud/analyze", json={"business_id": business_id}, headers=headers)


def test_analysis_matches_the_contract(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    response = analyze(client, business_id, owner_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"business_id", "alerts", "risk_score", "analysis_metadata", "analyzed_at"}
    assert body["business_id"] == business_id
    assert ISO_UTC.match(body["analyzed_at"])
    assert 0.0 <= body["risk_score"] <= 1.0 and isinstance(body["analysis_metadata"], dict)
    assert body["alerts"], "demo books carry planted anomalies"
    assert "fallback" not in body["analysis_metadata"]
    for alert in body["alerts"]:
        assert set(alert) == {
            "id",
            "type",
            "message",
            "confidence_score",
            "evidence",
            "detected_at",
        }
        assert alert["type"] in FRAUD_TYPES
        assert isinstance(alert["confidence_score"], float)
        assert 0.0 <= alert["confidence_score"] <= 1.0
        assert isinstance(alert["evidence"], dict) and alert["evidence"]
        assert all(not isinstance(v, dict | list) for v in alert["evidence"].values())
        assert ISO_UTC.match(alert["detected_at"])
    assert len({a["id"] for a in body["alerts"]}) == len(body["alerts"])
    assert {a["type"] for a in body["alerts"]} == FRAUD_TYPES


def test_missing_token_is_401(client: TestClient, business_id: str) -> None:
    assert_error(analyze(client, business_id, {}), 401, "unauthenticated")


def test_expired_forged_and_unsigned_tokens_are_401(client: TestClient, business_id: str) -> None:
    user = "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11"
    expired = mint_token(SECRET, user, ttl_s=10, now=time.time() - 600)
    forged = mint_token("f" * 48, user)
    unsigned = jwt.encode(
        {"sub": user, "aud": "authenticated", "exp": time.time() + 600}, None, algorithm="none"
    )
    for token in (expired, forged, unsigned):
        response = analyze(client, business_id, {"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "unauthenticated")


def test_another_users_business_is_byte_identical_to_a_missing_one(
    client: TestClient, business_id: str
) -> None:
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    other = analyze(client, business_id, stranger)
    missing = analyze(client, "00000000-0000-4000-8000-000000000000", stranger)
    assert_error(other, 404, "not_found")
    assert (other.status_code, other.content) == (missing.status_code, missing.content)


def test_an_anonymous_sign_in_is_403_on_business_routes(
    client: TestClient, business_id: str
) -> None:
    """A guest session of the very user who owns the business: a valid token, refused with
    403 anonymous_user before tenancy is looked at; the same user signed in gets in."""
    owner = demo_books()[0].business["user_id"]
    guest = {"Authorization": f"Bearer {mint_token(SECRET, owner, anonymous=True)}"}
    assert_error(analyze(client, business_id, guest), 403, "anonymous_user")
    assert_error(
        client.get(f"/api/v1/insights/{business_id}", headers=guest), 403, "anonymous_user"
    )
    assert_error(client.get("/api/v1/models/performance", headers=guest), 403, "anonymous_user")
    chat = client.post("/api/v1/generate/text", json={"prompt": "hello"}, headers=guest)
    assert_error(chat, 403, "anonymous_user")
    signed_in = {"Authorization": f"Bearer {mint_token(SECRET, owner)}"}
    assert analyze(client, business_id, signed_in).status_code == 200


def test_a_service_role_key_is_no_way_into_a_business(client: TestClient, business_id: str) -> None:
    service = {"Authorization": f"Bearer {mint_token(SECRET, '', role='service_role')}"}
    assert_error(analyze(client, business_id, service), 401, "unauthenticated")


def test_invalid_bodies_are_422_with_details(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    for body in ({}, {"business_id": "not-a-uuid"}, {"business_id": 42}):
        response = client.post("/api/v1/fraud/analyze", json=body, headers=owner_headers)
        assert_error(response, 422, "validation_error")
        assert response.json()["details"]["field"] == "business_id"
    broken = client.post(
        "/api/v1/fraud/analyze",
        content=b"{not json",
        headers={**owner_headers, "Content-Type": "application/json"},
    )
    assert_error(broken, 422, "validation_error")


def test_body_over_the_limit_is_413(
    make_client: ClientFactory, owner_headers: dict[str, str]
) -> None:
    client = make_client(MAX_REQUEST_BYTES="2048")
    response = client.post(
        "/api/v1/fraud/score",
        content=b"{" + b" " * 4096 + b"}",
        headers={**owner_headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "payload_too_large")


def test_disabled_feature_answers_503_feature_disabled(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    client = make_client(FRAUD_DETECTION_ENABLED="false")
    assert_error(analyze(client, business_id, owner_headers), 503, "feature_disabled")


def test_unavailable_model_is_a_json_503(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    client = make_client(model=UnavailableModel())
    response = analyze(client, business_id, owner_headers)
    assert_error(response, 503, "model_unavailable")
    assert response.headers["Retry-After"] == "5"


def test_retried_analysis_stores_no_duplicate_alerts(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    first = analyze(client, business_id, owner_headers).json()
    second = analyze(client, business_id, owner_headers).json()
    assert [a["id"] for a in first["alerts"]] == [a["id"] for a in second["alerts"]]

    async def count() -> int:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text("SELECT COUNT(*) FROM fraud_alerts WHERE business_id = :b"),
                        {"b": business_id},
                    )
                ).scalar()
            )

    stored = client.portal.call(count)  # type: ignore[union-attr]
    assert stored == len({a["id"] for a in first["alerts"]})


def test_cached_until_the_books_change(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:

    model = local(FRAUD, predictor())
    client = make_client(model=model)
    analyze(client, business_id, owner_headers)
    analyze(client, business_id, owner_headers)
    assert model.counts["report"] == 1

    async def touch() -> None:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE expenses SET updated_at = :t WHERE id = (SELECT id "
                    "FROM expenses WHERE business_id = :b LIMIT 1)"
                ),
                {"t": dt.datetime.now(dt.UTC).isoformat(), "b": business_id},
            )

    client.portal.call(touch)  # type: ignore[union-attr]
    analyze(client, business_id, owner_headers)
    assert model.counts["report"] == 2


def test_a_cache_hit_calls_no_model_and_a_retune_seen_by_health_recomputes(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    from kernel.models.fraud import FraudTuning
    from tests.support.config import tuning

    model = local(FRAUD, predictor())
    client = make_client(model=model)
    first = analyze(client, business_id, owner_headers)
    calls = (model.counts["info"], model.counts["report"])
    assert analyze(client, business_id, owner_headers).json() == first.json()
    assert (
        model.counts["info"],
        model.counts["report"],
    ) == calls  # the hit made no call into the model
    model.predictor.tuning = tuning(FraudTuning, model_version="v1", min_confidence=0.9)
    assert client.get("/health/detailed").status_code == 200  # its checks refresh the versions
    analyze(client, business_id, owner_headers)
    assert model.counts["report"] == 2  # the new tuning is in the key: recomputed, not served stale


def test_inline_scoring_reads_no_database(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    history = [
        {
            "type": "expense",
            "amount": 900 + i,
            "date": f"2026-05-{i + 1:02d}T12:00:00",
            "description": "Office Supplies",
            "payment_mode": "upi",
        }
        for i in range(20)
    ]
    new = [
        {
            "id": "t-1",
            "type": "debit",
            "amount": 150000,
            "date": "2026-06-02T01:40:00",
            "description": "Cash withdrawal",
            "payment_mode": "cash",
        }
    ]
    response = client.post(
        "/api/v1/fraud/score", headers=owner_headers, json={"transactions": new, "history": history}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == "v1" and ISO_UTC.match(body["scored_at"])
    score = body["scores"][0]
    assert (score["index"], score["transaction_id"], score["suspicious"]) == (0, "t-1", True)
    assert score["reasons"]

    async def audited() -> int:
        await client.components.auditor.drain()  # type: ignore[attr-defined]
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            return int(
                (
                    await conn.execute(
                        text(
                            "SELECT COUNT(*) FROM ai_analysis_results "
                            "WHERE analysis_type = 'fraud_score'"
                        )
                    )
                ).scalar()
            )

    assert client.portal.call(audited) >= 1  # type: ignore[union-attr]


def test_scoring_rejects_nan_negative_and_control_characters(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    headers = {**owner_headers, "Content-Type": "application/json"}
    base = '{"transactions": [{"type": "expense", "date": "2026-01-01T10:00:00", %s}]}'
    for fragment in (
        '"amount": NaN',
        '"amount": -5',
        '"amount": 1e400',
        '"amount": 5, "description": "a\\u0000b"',
        '"amount": 5, "extra": 1',
    ):
        response = client.post("/api/v1/fraud/score", content=base % fragment, headers=headers)
        assert_error(response, 422, "validation_error")
    empty = client.post("/api/v1/fraud/score", json={"transactions": []}, headers=owner_headers)
    assert_error(empty, 422, "validation_error")


def test_validation_errors_carry_field_at_the_top_as_the_app_reads_it(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    body = client.post(
        "/api/v1/fraud/analyze", json={"business_id": "nope"}, headers=owner_headers
    ).json()
    assert body["field"] == "business_id"
    assert body["validation_errors"][0]["field"] == "business_id"
    assert not body["message"].startswith("Invalid business_id")


def test_every_cache_lookup_is_counted_as_a_hit_or_a_miss(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    """What the ingress feeds ai_backend_cache_hit_rate: the first analysis misses, the same one
    again hits."""
    telemetry = InProcessTelemetry()
    client = make_client(telemetry=telemetry, REDIS_URL="")
    assert analyze(client, business_id, owner_headers).status_code == 200
    assert telemetry.lookups == {"miss": 1}
    assert analyze(client, business_id, owner_headers).status_code == 200
    assert telemetry.lookups == {"miss": 1, "hit": 1}


def test_new_fraud_alerts_are_counted_by_type_once(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    """ai_backend_fraud_alerts counts an alert when it is first raised, by type only: the same
    analysis recomputed by another replica (its own memory cache) raises nothing new."""
    telemetry = InProcessTelemetry()
    one = make_client(telemetry=telemetry, REDIS_URL="")
    first = analyze(one, business_id, owner_headers).json()
    by_type = Counter(alert["type"] for alert in first["alerts"])
    raised = {kind: n for (event, kind), n in telemetry.events.items() if event == "fraud_alerts"}
    assert sum(by_type.values()) > 0
    # This business's alerts may already stand from earlier tests: new ones only, by type.
    assert all(n <= by_type[kind] for kind, n in raised.items())
    again = InProcessTelemetry()
    other = make_client(telemetry=again, REDIS_URL="")
    assert analyze(other, business_id, owner_headers).status_code == 200
    assert [event for event, _ in again.events if event == "fraud_alerts"] == []
