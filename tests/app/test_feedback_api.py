"""Feedback and model performance over HTTP (contract 3.5, 3.6; docs/api.md): a vote moves the
model's accuracy and its gauge exactly as the formula says, once per user per prediction, and
only on the caller's own business's predictions."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from serve_app.infra.auth import mint_token
from serve_app.services.feedback import PRIOR_VOTES
from testkit.factories import OTHER_USER, SECRET, demo_books
from testkit.fakes import HELD_OUT_ACCURACY
from tests.app.conftest import ClientFactory
from tests.app.test_compliance_api import check, planted
from tests.support.contract import ISO_UTC, assert_error

OPERATOR = "ops-token-for-tests-" + "p" * 12
PERFORMANCE_KEYS = {
    "model_name",
    "model_type",
    "accuracy_score",
    "last_updated",
    "total_predictions",
    "correct_predictions",
    "response_time_ms",
}


def vote(
    client: TestClient,
    headers: dict[str, str],
    entity_id: str,
    helpful: bool,
    feedback_type: str = "fraud_alert",
    submitted_at: str = "2026-11-28T15:45:12.123456",
    **extra: Any,
):  # type: ignore[no-untyped-def]
    body = {
        "id": f"fb-{entity_id}-{helpful}",
        "feedback_type": feedback_type,
        "entity_id": entity_id,
        "helpful": helpful,
        "comment": None,
        "submitted_at": submitted_at,
        **extra,
    }
    return client.post("/api/v1/feedback/structured", json=body, headers=headers)


def performance(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/models/performance", headers=headers)
    assert response.status_code == 200
    return {m["model_name"]: m for m in response.json()["models"]}


def gauge(client: TestClient, model: str) -> float:
    page = client.get("/metrics", params={"scope": "app"}).text
    found = re.search(rf'^ai_backend_model_accuracy\{{model="{model}"\}} (\S+)$', page, re.M)
    assert found, page
    return float(found.group(1))


def an_alert(client: TestClient, business_id: str, headers: dict[str, str], index: int) -> str:
    """The index-th alert of the demo business: each test votes on its own (one database
    serves the whole tier)."""
    response = client.post(
        "/api/v1/fraud/analyze", json={"business_id": business_id}, headers=headers
    )
    alerts = response.json()["alerts"]
    assert len(alerts) > index, "the demo business has planted fraud"
    return str(alerts[index]["id"])


def test_performance_lists_the_four_models_in_the_contracts_shape(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    models = performance(client, owner_headers)
    assert set(models) == {"fraud", "insights", "compliance", "invoice"}
    for model in models.values():
        assert set(model) >= PERFORMANCE_KEYS
        assert ISO_UTC.match(model["last_updated"])
        assert isinstance(model["total_predictions"], int)
        assert isinstance(model["correct_predictions"], int)
        assert 0.0 <= model["accuracy_score"] <= 1.0
    assert client.get("/api/v1/models/performance").status_code == 401


def test_a_vote_moves_accuracy_and_the_gauge_as_computed_by_hand(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    alert = an_alert(client, business_id, owner_headers, 0)
    before = performance(client, owner_headers)["fraud"]
    assert before["total_predictions"] >= 1  # the analysis just made is counted
    assert before["response_time_ms"] > 0

    response = vote(client, owner_headers, alert, helpful=False)
    assert response.status_code == 200  # exactly: the client throws on 201/204
    assert response.json()["recorded"] is True and response.json()["model"] == "fraud"

    after = performance(client, owner_headers)["fraud"]
    votes, helpful = before["feedback_votes"] + 1, before["correct_predictions"]
    expected = (PRIOR_VOTES * HELD_OUT_ACCURACY["fraud"] + helpful) / (PRIOR_VOTES + votes)
    assert after["feedback_votes"] == votes and after["correct_predictions"] == helpful
    assert after["accuracy_score"] == round(expected, 4)
    assert after["accuracy_score"] < before["accuracy_score"]
    assert gauge(client, "fraud") == after["accuracy_score"]


def test_a_replayed_or_changed_vote_changes_nothing(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    alert = an_alert(client, business_id, owner_headers, 1)
    first = vote(client, owner_headers, alert, helpful=True, submitted_at="2026-11-28T09:00:00.123")
    assert first.status_code == 200 and first.json()["recorded"] is True
    counted = performance(client, owner_headers)["fraud"]
    replay = vote(
        client, owner_headers, alert, helpful=True, submitted_at="2026-11-28T09:00:00.123"
    )
    changed = vote(client, owner_headers, alert, helpful=False)
    for again in (replay, changed):
        assert again.status_code == 200 and again.json()["recorded"] is False
    assert performance(client, owner_headers)["fraud"] == counted


def test_a_vote_on_another_business_or_on_nothing_is_404_and_counts_nothing(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    alert = an_alert(client, business_id, owner_headers, 2)
    before = performance(client, owner_headers)["fraud"]
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    assert_error(vote(client, stranger, alert, helpful=False), 404, "not_found")
    assert_error(vote(client, owner_headers, "fa-no-such-alert", helpful=False), 404, "not_found")
    assert performance(client, owner_headers)["fraud"] == before


def test_a_compliance_check_can_be_voted_on_by_its_invoice(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    invoice_id = planted("gst_mismatch")
    assert check(client, invoice_id, owner_headers).status_code == 200
    before = performance(client, owner_headers)["compliance"]
    response = vote(client, owner_headers, invoice_id, True, feedback_type="compliance_issue")
    assert response.status_code == 200 and response.json()["model"] == "compliance"
    after = performance(client, owner_headers)["compliance"]
    assert after["correct_predictions"] == before["correct_predictions"] + 1
    assert after["total_predictions"] >= 1


def test_each_user_sees_their_own_businesses_figures_and_the_operator_the_platforms(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    """A user's counts move only with their own businesses' predictions and votes, never with
    another owner's; someone with no business sees zeros and the held-out accuracy alone; the
    operator credential sees everything (with the same response shape)."""
    client = make_client(OPS_TOKEN=OPERATOR)
    other = demo_books()[1].business
    other_headers = {"Authorization": f"Bearer {mint_token(SECRET, other['user_id'])}"}
    operator = {"Authorization": f"Bearer {OPERATOR}"}
    nobody = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}

    mine, theirs, everyone = (
        performance(client, h) for h in (owner_headers, other_headers, operator)
    )
    alert = an_alert(client, business_id, owner_headers, 3)  # the owner's analysis
    assert vote(client, owner_headers, alert, helpful=True).status_code == 200
    mine_after = performance(client, owner_headers)["fraud"]
    assert mine_after["total_predictions"] > mine["fraud"]["total_predictions"]
    assert mine_after["feedback_votes"] == mine["fraud"]["feedback_votes"] + 1
    assert performance(client, other_headers) == theirs  # nothing of the owner's shows
    platform = performance(client, operator)["fraud"]
    assert platform["feedback_votes"] == everyone["fraud"]["feedback_votes"] + 1
    assert platform["total_predictions"] >= mine_after["total_predictions"]
    other_analysis = client.post(
        "/api/v1/fraud/analyze", json={"business_id": other["id"]}, headers=other_headers
    )
    assert other_analysis.status_code == 200
    assert performance(client, owner_headers)["fraud"] == mine_after
    assert (
        performance(client, other_headers)["fraud"]["total_predictions"]
        > (theirs["fraud"]["total_predictions"])
    )
    for model in performance(client, nobody).values():
        assert (model["total_predictions"], model["feedback_votes"]) == (0, 0)
        assert model["accuracy_score"] == model["held_out_accuracy"] is not None
    # a wrong operator credential is just a wrong token
    wrong = client.get(
        "/api/v1/models/performance", headers={"Authorization": "Bearer " + "x" * 30}
    )
    assert_error(wrong, 401, "unauthenticated")


def test_bad_feedback_bodies_are_422_and_need_a_token(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    assert vote(client, {}, "x", helpful=True).status_code == 401
    for bad in (
        {"submitted_at": "yesterday"},
        {"helpful": "sometimes"},
        {"entity_id": ""},
        {"comment": "x" * 2001},
    ):
        body = {
            "id": "fb-1",
            "feedback_type": "fraud_alert",
            "entity_id": "fa-1",
            "helpful": True,
            "comment": None,
            "submitted_at": "2026-11-28T15:45:12.123",
            **bad,
        }
        response = client.post("/api/v1/feedback/structured", json=body, headers=owner_headers)
        assert_error(response, 422, "validation_error")


def test_a_nul_or_a_lone_surrogate_in_a_vote_is_422_before_the_database(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    """PostgreSQL refuses NUL in text (the vote failed there as a 503 that looked like an
    outage) and no UTF-8 encodes a lone surrogate: both are the caller's 422, naming the
    field, and nothing is counted."""
    alert = an_alert(client, business_id, owner_headers, 3)
    before = performance(client, owner_headers)["fraud"]
    for field, value in [
        ("feedback_type", "fraud\x00alert"),
        ("feedback_type", "fraud_alert\ud800"),
        ("comment", "good\x00"),
        ("id", "fb-\ud800"),
    ]:
        body = {"id": "fb-nul", "feedback_type": "fraud_alert", "entity_id": alert,
                "helpful": True, "comment": None, "submitted_at": "2026-11-28T15:45:12.123",
                field: value}  # fmt: skip
        response = client.post(
            "/api/v1/feedback/structured",
            content=json.dumps(body),  # ASCII escapes: a lone surrogate travels as \ud800
            headers={**owner_headers, "Content-Type": "application/json"},
        )
        assert_error(response, 422, "validation_error")
        assert response.json()["field"] == field
    assert performance(client, owner_headers)["fraud"] == before
