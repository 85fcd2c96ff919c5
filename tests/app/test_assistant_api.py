"""POST /api/v1/generate/text and /generate/response (contract 3.8): the web Autopilot chat.
Answers come from the business's own books through the same services the app's screens use, so
each figure must equal what those screens get for the same business."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from kernel.money import format_inr
from serve_app.infra.auth import mint_token
from testkit.factories import OTHER_USER, SECRET, demo_books
from tests.support.contract import assert_error

MISSING = "00000000-0000-4000-8000-000000000000"


def ask(
    client: TestClient,
    prompt: str,
    headers: dict[str, str],
    business: str | None,
    full: bool = True,
) -> Any:
    context = {"business_id": business, "business_name": "Shree Traders"} if business else {}
    route = "/api/v1/generate/response" if full else "/api/v1/generate/text"
    return client.post(route, json={"prompt": prompt, "context": context}, headers=headers)


def insight(client: TestClient, business_id: str, headers: dict[str, str], having: str) -> Any:
    body = client.get(f"/api/v1/insights/{business_id}", headers=headers).json()
    return next(i["data"] for i in body["insights"] if having in i["data"])


def test_the_chat_gets_an_object_with_text(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    response = ask(client, "who owes me the most?", owner_headers, business_id, full=False)
    assert response.status_code == 200
    assert set(response.json()) == {"text"} and response.json()["text"]


def test_who_owes_most_is_the_insights_overdue_list(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    answer = ask(client, "who owes me the most?", owner_headers, business_id).json()
    overdue = insight(client, business_id, owner_headers, "total_overdue")
    capital = insight(client, business_id, owner_headers, "receivables")
    assert answer["intent"] == "receivables"
    assert answer["figures"]["overdue_total"] == overdue["total_overdue"]
    assert answer["figures"]["receivables"] == capital["receivables"]
    assert answer["figures"]["owes_most"] == overdue["customers"][:3]
    first = overdue["customers"][0]
    assert f"{first['name']} owes {format_inr(first['amount'], rupees_only=True)}" in answer["text"]


def test_the_cash_outlook_is_the_insights_forecast(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    answer = ask(client, "cash flow kaisa rahega next 3 months", owner_headers, business_id).json()
    flow = insight(client, business_id, owner_headers, "cash_in")
    assert answer["intent"] == "cash_outlook"
    assert answer["figures"]["cash_in"] == flow["cash_in"]["forecast"][:3]
    assert answer["figures"]["cash_out"] == flow["cash_out"]["forecast"][:3]
    first = flow["cash_in"]["forecast"][0]["value"]
    assert f"about {format_inr(first, rupees_only=True)} in" in answer["text"]


def test_suspicious_bills_are_the_fraud_analysis(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    answer = ask(client, "any suspicious bills this week?", owner_headers, business_id).json()
    alerts = client.post(
        "/api/v1/fraud/analyze", json={"business_id": business_id}, headers=owner_headers
    ).json()["alerts"]
    assert answer["intent"] == "fraud_alerts"
    assert answer["figures"]["alerts"] == len(alerts)
    assert answer["figures"]["alert_ids"] == [a["id"] for a in alerts]
    assert alerts[0]["message"] in answer["text"]


def test_gst_answers_are_the_compliance_models(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    gstin = "27AAPFU0939F1ZV"
    checked = ask(client, f"is {gstin} a valid GSTIN?", owner_headers, business_id).json()
    explained = client.get(f"/api/v1/compliance/gstin/{gstin}", headers=owner_headers).json()
    assert checked["intent"] == "gstin_check" and checked["text"] == explained["explanation"]
    due = ask(client, "when is GSTR-3B due?", owner_headers, business_id).json()
    reminders = client.get(
        f"/api/v1/compliance/reminders/{business_id}?scheme=monthly", headers=owner_headers
    ).json()["reminders"]
    assert due["intent"] == "gst_due_dates" and due["figures"]["scheme"] == "monthly"
    assert due["figures"]["reminders"] == reminders[:4]
    rate = ask(client, "GST on cement on 1 Oct 2025", owner_headers, business_id).json()
    assert rate["intent"] == "gst_rate"
    assert rate["figures"] == {"rate": 18.0, "item": rate["figures"]["item"], "on": "2025-10-01"}
    assert "18%" in rate["text"]


def test_make_a_bill_answers_with_the_parsers_draft_and_saves_nothing(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    drafts = "SELECT COUNT(*) FROM invoices WHERE status = 'draft'"

    def count() -> int:
        async def run() -> int:
            async with client.components.store.engine.connect() as conn:  # type: ignore[attr-defined]
                return int((await conn.execute(text(drafts))).scalar())

        return int(client.portal.call(run))  # type: ignore[union-attr]

    before = count()
    customer = next(c["name"] for c in demo_books()[0].customers if " " in c["name"])
    prompt = f"make a bill for {customer}, 10 bags cement at 380"
    answer = ask(client, prompt, owner_headers, business_id).json()
    assert answer["intent"] == "make_bill"
    [line] = answer["figures"]["invoice_data"]["items"]
    assert (line["quantity"], line["unit_price"]) == (10, 380)
    assert "not saved" in answer["text"] and count() == before
    unknown = ask(
        client, "make a bill for Sharma ji, 10 bags cement at 380", owner_headers, business_id
    )
    assert unknown.json()["text"].startswith("I could not make that bill: Customer not found")


@pytest.mark.parametrize(
    ("category", "word"),
    [("Office Rent", "essential"), ("Entertainment", "non_essential"), ("Courier", "important"),
     ("Team lunch", "discretionary"), ("Zqxv", "discretionary")],
)  # fmt: skip
def test_the_expense_classification_prompt_gets_exactly_one_word(
    client: TestClient, owner_headers: dict[str, str], category: str, word: str
) -> None:
    prompt = (
        f"Classify the business expense category '{category}' for an Indian small business as "
        "essential, important, discretionary or non_essential. Return only the classification "
        "word."
    )
    response = ask(client, prompt, owner_headers, None, full=False)
    assert response.json() == {"text": word}


def test_another_users_business_is_the_same_404_as_a_missing_one(
    client: TestClient, business_id: str
) -> None:
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    other = ask(client, "who owes me the most?", stranger, business_id)
    missing = ask(client, "who owes me the most?", stranger, MISSING)
    assert_error(other, 404, "not_found")
    assert (other.status_code, other.content) == (missing.status_code, missing.content)


def test_a_message_without_a_business_uses_the_callers_only_one(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    answer = ask(client, "are my expenses going up?", owner_headers, None).json()
    assert answer["business_id"] == business_id and answer["intent"] == "expense_trend"


def test_out_of_scope_is_said_plainly_and_long_messages_are_refused(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    answer = ask(client, "who won the cricket match yesterday", owner_headers, business_id).json()
    assert answer["intent"] == "out_of_scope" and "outside what I know" in answer["text"]
    assert answer["figures"] == {}
    assert_error(ask(client, "x" * 4001, owner_headers, business_id), 422, "validation_error")
    unauthenticated = client.post("/api/v1/generate/text", json={"prompt": "hi"})
    assert_error(unauthenticated, 401, "unauthenticated")


def test_a_lone_surrogate_in_a_message_is_422_not_an_answer_that_cannot_be_encoded(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    body = json.dumps({"prompt": "GST on cement\ud800 please?"})
    response = client.post(
        "/api/v1/generate/text",
        content=body,
        headers={**owner_headers, "Content-Type": "application/json"},
    )
    assert_error(response, 422, "validation_error")
    assert response.json()["field"] == "prompt"
