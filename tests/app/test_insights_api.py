"""GET /api/v1/insights/{business_id} and POST /api/v1/insights/forecast (docs/api.md)."""

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import text

from demo_data.generate import generate_dataset
from kernel.models.insights import INSIGHTS
from serve_app.infra.auth import mint_token
from testkit.factories import OTHER_USER, SECRET, insights_predictor
from testkit.fakes import UnavailableModel, local
from tests.app.conftest import ClientFactory
from tests.support.contract import ISO_UTC, assert_error

INSIGHT_TYPES = {
    "cash_flow_prediction",
    "customer_analysis",
    "working_capital",
    "expense_trend",
    "revenue_forecast",
    "general",
}
MISSING = "00000000-0000-4000-8000-000000000000"


def insights(client: TestClient, business_id: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/insights/{business_id}", headers=headers)


def test_insights_match_the_contract(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    response = insights(client, business_id, owner_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is True and body["business_id"] == business_id
    for key in ("timestamp", "generated_at", "next_update"):
        assert ISO_UTC.match(body[key]), key
    assert body["insights"], "a demo business with 18 months of books gets insights"
    for item in body["insights"]:
        assert "id" not in item and "type" not in item
        assert item["insight_type"] in INSIGHT_TYPES
        assert isinstance(item["insight_id"], str) and item["insight_id"]
        assert isinstance(item["title"], str) and isinstance(item["description"], str)
        assert isinstance(item["recommendations"], list)
        assert all(isinstance(r, str) for r in item["recommendations"])
        assert isinstance(item["impact_score"], float) and 0 <= item["impact_score"] <= 1
        assert ISO_UTC.match(item["valid_until"])
        assert item["priority"] in {"high", "medium", "low"}
        assert isinstance(item["data"], dict)
    assert {i["insight_type"] for i in body["insights"]} >= {
        "cash_flow_prediction",
        "revenue_forecast",
        "expense_trend",
        "customer_analysis",
        "working_capital",
    }
    impacts = [i["impact_score"] for i in body["insights"]]
    assert impacts == sorted(impacts, reverse=True)  # the widget shows the first three


def test_another_users_business_is_byte_identical_to_a_missing_one(
    client: TestClient, business_id: str
) -> None:
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    theirs = insights(client, business_id, stranger)
    missing = insights(client, MISSING, stranger)
    assert_error(theirs, 404, "not_found")
    assert theirs.content == missing.content


def test_token_and_path_are_checked(client: TestClient, business_id: str) -> None:
    assert_error(insights(client, business_id, {}), 401, "unauthenticated")
    service = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER, role='service_role')}"}
    assert_error(insights(client, business_id, service), 401, "unauthenticated")
    owner = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    assert_error(insights(client, "not-a-uuid", owner), 422, "validation_error")


def test_cached_until_the_books_change_and_stored(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    model = local(INSIGHTS, insights_predictor())
    client = make_client(insights=model)
    first = insights(client, business_id, owner_headers).json()
    assert insights(client, business_id, owner_headers).json() == first
    assert model.counts["report"] == 1

    async def add_sale() -> None:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.begin() as conn:
            owner = (
                await conn.execute(
                    text("SELECT user_id FROM businesses WHERE id = :b"), {"b": business_id}
                )
            ).scalar()
            await conn.execute(
                text(
                    "INSERT INTO transactions (id, business_id, user_id, type, amount, description,"
                    " payment_mode, date, status) VALUES (:id, :b, :u, 'income', 5000, 'Cash sale',"
                    " 'cash', :d, 'completed')"
                ),
                {
                    "id": "9d0c6a52-1111-4aaa-8bbb-000000000001",
                    "b": business_id,
                    "u": owner,
                    "d": dt.datetime(2026, 10, 30, 12).isoformat(),
                },
            )

    client.portal.call(add_sale)  # type: ignore[union-attr]
    latest = insights(client, business_id, owner_headers).json()
    assert model.counts["report"] == 2

    async def stored() -> list[tuple[str, str]]:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT id, payload FROM business_insights WHERE business_id = :b"),
                {"b": business_id},
            )
            return [(r[0], r[1]) for r in rows]

    rows = dict(client.portal.call(stored))  # type: ignore[union-attr]
    # One row per insight of the day, holding its latest text.
    for item in latest["insights"]:
        assert json.loads(rows[item["insight_id"]])["description"] == item["description"]


def test_a_young_business_gets_a_general_insight_not_a_forecast(
    make_client: ClientFactory,
) -> None:
    client = make_client()
    # Books up to today (the service's clock): last month and this one so far.
    young = generate_dataset(77, 1, dt.datetime.now(dt.UTC).date(), months=2)[0]
    young.business["user_id"] = owner = "22222222-3333-4444-8555-666666666666"

    async def seed() -> None:
        await client.components.store.insert_rows(young.rows())  # type: ignore[attr-defined]

    client.portal.call(seed)  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {mint_token(SECRET, owner)}"}
    body = insights(client, young.business["id"], headers).json()
    assert [i["insight_type"] for i in body["insights"]] == ["general"]
    assert "Forecasts need at least 3 months" in body["insights"][0]["description"]


def test_disabled_or_unavailable_insights_are_json_503(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    off = make_client(PREDICTIVE_ANALYTICS_ENABLED="false")
    assert_error(insights(off, business_id, owner_headers), 503, "feature_disabled")
    assert off.get("/health").json()["features"]["predictive_analytics"] is False
    down = make_client(insights=UnavailableModel("insights"))
    assert_error(insights(down, business_id, owner_headers), 503, "model_unavailable")


def series(values: list[float], start: str = "2025-01-01") -> list[dict[str, object]]:
    first = dt.date.fromisoformat(start)
    return [
        {
            "month": dt.date(
                first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1
            ).isoformat(),
            "value": v,
        }
        for i, v in enumerate(values)
    ]


def test_inline_forecast_reads_no_database(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    body = {"series": series([100.0 + 3 * i for i in range(15)]), "horizon": 3}
    response = client.post("/api/v1/insights/forecast", json=body, headers=owner_headers)
    assert response.status_code == 200
    result = response.json()
    assert [p["month"] for p in result["forecast"]] == ["2026-04-01", "2026-05-01", "2026-06-01"]
    assert all(p["lower"] <= p["value"] <= p["upper"] for p in result["forecast"])
    assert result["baselines"]["last_value"] == [142.0] * 3
    assert result["baselines"]["seasonal_naive"] == [109.0, 112.0, 115.0]
    assert ISO_UTC.match(result["generated_at"])


def test_inline_forecast_rejects_bad_series(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    def post(payload: object):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/insights/forecast", json=payload, headers=owner_headers)

    gap = series([1.0, 2.0, 3.0, 4.0])
    del gap[2]
    for payload in (
        {"series": series([1.0, 2.0])},
        {"series": gap},
        {"series": series([1.0, -2.0, 3.0])},
        {"series": series([1.0, 2.0, 3.0]), "horizon": 9},
        {"series": "not a list"},
        {},
    ):
        assert_error(post(payload), 422, "validation_error")
    nan = client.post(
        "/api/v1/insights/forecast",
        content='{"series": [{"month": "2025-01-01", "value": NaN}, {"month": "2025-02-01",'
        ' "value": 1}, {"month": "2025-03-01", "value": 1}]}',
        headers={**owner_headers, "content-type": "application/json"},
    )
    assert_error(nan, 422, "validation_error")
    assert_error(client.post("/api/v1/insights/forecast", json={}), 401, "unauthenticated")
