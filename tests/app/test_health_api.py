import pytest
from fastapi.testclient import TestClient

from kernel.models.fraud import FRAUD
from testkit.fakes import UnavailableModel
from tests.app.conftest import ClientFactory

COMPONENTS = {
    "database",
    "redis",
    "ml_models",
    "fraud_deployment",
    "insights_deployment",
    "compliance_deployment",
    "invoice_deployment",
    "assistant_deployment",
    "ocr_deployment",
}

FEATURES = {"fraud_detection", "predictive_analytics", "compliance_checking", "nlp_invoice"}


def test_public_health_is_exactly_200_without_a_token(client: TestClient) -> None:
    for path in ("/health", "/api/health"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json()["status"] == "healthy"


def test_api_v1_health_needs_a_token_and_reports_four_features(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    assert client.get("/api/v1/health").status_code == 401
    body = client.get("/api/v1/health", headers=owner_headers).json()
    assert isinstance(body["status"], str)
    assert set(body["features"]) == FEATURES
    assert all(isinstance(v, bool) for v in body["features"].values())


def test_live_ready_startup_are_200_when_everything_is_up(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}
    assert client.get("/health/ready").status_code == 200
    assert client.get("/health/startup").status_code == 200


def test_detailed_health_has_a_check_per_component(client: TestClient) -> None:
    body = client.get("/health/detailed").json()
    assert {
        "status",
        "timestamp",
        "version",
        "environment",
        "checks",
        "features",
        "metrics",
    } <= set(body)
    assert set(body["checks"]) == COMPONENTS
    for check in body["checks"].values():
        assert {"status", "response_time_ms", "message"} <= set(check)
    assert body["checks"]["ml_models"]["models"]["fraud"]["version"] == "v1"


def test_detailed_results_are_cached(client: TestClient) -> None:
    first = client.get("/health/detailed").json()
    second = client.get("/health/detailed").json()
    assert first["timestamp"] == second["timestamp"]
    assert second["metrics"]["checks_age_s"] >= 0


def test_component_test_runs_one_check_and_unknown_is_404(client: TestClient) -> None:
    body = client.post("/health/test/database").json()
    assert (body["component"], body["status"]) == ("database", "healthy")
    response = client.post("/health/test/flux_capacitor")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_dependencies_name_their_kind(client: TestClient) -> None:
    body = client.get("/health/dependencies").json()
    assert (body["database"]["kind"], body["redis"]["kind"]) == ("sqlite", "memory")


def test_ready_is_503_while_the_model_is_unavailable_but_health_stays_200(
    make_client: ClientFactory,
) -> None:
    client = make_client(model=UnavailableModel())
    assert client.get("/health/ready").status_code == 503
    assert client.get("/health/startup").status_code == 503
    assert client.get("/health").status_code == 200
    assert client.get("/health/live").status_code == 200


def test_disabled_feature_is_false_in_features(make_client: ClientFactory) -> None:
    client = make_client(PREDICTIVE_ANALYTICS_ENABLED="false")
    assert client.get("/health").json()["features"]["predictive_analytics"] is False


def test_duplicate_slashes_are_collapsed(client: TestClient) -> None:
    assert client.get("http://testserver//api//health").status_code == 200


def test_metrics_page_carries_the_backend_gauges(client: TestClient) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client.get("/health")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(response.text)
        for s in f.samples
    }
    assert samples[("ai_backend_up", ())] == 1.0
    assert samples[("ai_backend_feature_enabled", (("feature", "nlp_invoice"),))] == 1.0
    assert samples[("ai_backend_component_health", (("component", "database"),))] == 1.0
    assert samples[("ai_backend_model_info", (("model", "fraud"), ("version", "v1")))] == 1.0


def test_a_failing_metrics_recorder_never_fails_the_request(make_client: ClientFactory) -> None:
    client = make_client()
    parts = client.components  # type: ignore[attr-defined]

    def broken(_status: int, _ms: float) -> None:
        raise TypeError("recorder bug")

    object.__setattr__(parts, "record", broken)
    assert client.get("/health").status_code == 200


def test_every_response_carries_the_servers_own_request_id(client: TestClient) -> None:
    made = client.get("/health").headers["x-request-id"]
    assert len(made) == 32
    chosen = client.get("/health", headers={"X-Request-ID": "app-123"}).headers["x-request-id"]
    assert chosen != "app-123" and len(chosen) == 32  # a caller cannot pick (or reuse) one
    odd = client.get("/health", headers={"X-Request-ID": "<script>"}).headers["x-request-id"]
    assert odd != "<script>" and len(odd) == 32


def test_cors_preflight_allows_the_configured_web_origin(make_client: ClientFactory) -> None:
    client = make_client(CORS_ORIGINS="https://app.fineasy.tech")
    allowed = client.options(
        "/api/v1/fraud/analyze",
        headers={
            "Origin": "https://app.fineasy.tech",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.fineasy.tech"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    other = client.options(
        "/api/v1/fraud/analyze",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers


def test_public_health_reports_services_without_waiting_on_them(client: TestClient) -> None:
    first = client.get("/health").json()["services"]
    assert set(first) == COMPONENTS
    assert set(first.values()) <= {"unknown", "healthy"}
    client.get("/health/detailed")
    assert client.get("/health").json()["services"] == {
        "database": "healthy",
        "redis": "healthy",
        "ml_models": "healthy",
        "fraud_deployment": "healthy",
        "insights_deployment": "healthy",
        "compliance_deployment": "healthy",
        "invoice_deployment": "healthy",
        "assistant_deployment": "healthy",
        "ocr_deployment": "healthy",
    }


def test_the_app_scope_serves_only_the_ingress_gauges(client: TestClient) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    page = client.get("/metrics", params={"scope": "app"})
    assert page.status_code == 200
    names = {f.name for f in text_string_to_metric_families(page.text)}
    assert names == {
        "ai_backend_up",
        "ai_backend_uptime_seconds",
        "ai_backend_feature_enabled",
        "ai_backend_health_status",
        "ai_backend_component_health",
        "ai_backend_component_check_seconds",
        "ai_backend_model_info",
        "ai_backend_model_accuracy",
        "ai_backend_audit_rows_waiting",
    }
    samples = {
        s.name: s.value for f in text_string_to_metric_families(page.text) for s in f.samples
    }
    assert samples["ai_backend_health_status"] == 1.0  # the fakes are all healthy
    bad = client.get("/metrics", params={"scope": "ray"})
    assert bad.status_code == 422 and {"message", "code", "details"} <= set(bad.json())


OPERATOR = "ops-token-for-tests-" + "x" * 12
PRODUCTION = {
    "ENVIRONMENT": "production",
    "DATABASE_URL": "postgresql://u:p@db:5432/x",
    "SUPABASE_URL": "https://ref.supabase.co",
    "OPS_TOKEN": OPERATOR,
}
"""What production needs to start, but the JWT secret."""


def test_the_api_docs_are_served_outside_production_only(client: TestClient) -> None:
    from serve_app.api import create_api
    from serve_app.infra.settings import load_settings
    from testkit.factories import SECRET

    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "FinEasy AI backend"
    production = load_settings({**PRODUCTION, "SUPABASE_JWT_SECRET": SECRET})
    with TestClient(create_api(lambda: client.components, production)) as hidden:  # type: ignore[attr-defined]
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert hidden.get(path).status_code == 404


OPERATOR_ROUTES = (
    ("GET", "/health/detailed"),
    ("GET", "/health/dependencies"),
    ("POST", "/health/test/database"),
    ("GET", "/metrics"),
)


def test_operator_routes_need_the_operator_credential_when_one_is_set(
    make_client: ClientFactory, owner_headers: dict[str, str]
) -> None:
    client = make_client(OPS_TOKEN=OPERATOR)
    for method, path in OPERATOR_ROUTES:
        for headers in ({}, owner_headers, {"Authorization": "Bearer not-the-token"}):
            refused = client.request(method, path, headers=headers)
            assert refused.status_code == 401, (path, headers)
        allowed = client.request(method, path, headers={"Authorization": f"Bearer {OPERATOR}"})
        assert allowed.status_code == 200, path
    # what the load balancer, the probes and Prometheus's app job read stays public
    for path in ("/health", "/health/live", "/health/ready", "/health/startup"):
        assert client.get(path).status_code == 200
    assert client.get("/metrics", params={"scope": "app"}).status_code == 200


def test_in_production_without_a_credential_the_operator_routes_are_absent(
    client: TestClient,
) -> None:
    """Production does not start without OPS_TOKEN; settings made some other way without it
    still find the operator routes absent, not open."""
    from serve_app.api import create_api
    from serve_app.infra.settings import SettingsError, load_settings
    from testkit.factories import SECRET

    without = {k: v for k, v in PRODUCTION.items() if k != "OPS_TOKEN"}
    with pytest.raises(SettingsError, match="OPS_TOKEN is required"):
        load_settings({**without, "SUPABASE_JWT_SECRET": SECRET})
    started = load_settings({**PRODUCTION, "SUPABASE_JWT_SECRET": SECRET})
    production = started.model_copy(update={"OPS_TOKEN": None})
    with TestClient(create_api(lambda: client.components, production)) as hidden:  # type: ignore[attr-defined]
        for method, path in OPERATOR_ROUTES:
            assert hidden.request(method, path).status_code == 404
        assert hidden.get("/metrics", params={"scope": "app"}).status_code == 200


def test_a_database_outage_keeps_the_pod_ready_and_probes_are_cheap_and_terse(
    make_client: ClientFactory, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from serve_app.contract.errors import DatabaseUnavailable
    from testkit.factories import predictor
    from testkit.fakes import local

    model = local(FRAUD, predictor())
    client = make_client(model=model)
    parts = client.components  # type: ignore[attr-defined]

    async def down() -> None:
        raise DatabaseUnavailable("postgres: ConnectionRefusedError")

    monkeypatch.setattr(parts.store, "ping", down)
    asked = model.counts["info"]
    answers = [client.get("/health/ready") for _ in range(10)]
    assert {a.status_code for a in answers} == {200}
    checks = answers[-1].json()["checks"]
    assert checks["database"]["status"] == "unhealthy"
    assert set(checks["ml_models"]) == {"status", "response_time_ms", "message"}  # no hashes
    assert model.counts["info"] - asked <= 1  # ten probes, one check
