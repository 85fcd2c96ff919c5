"""Arbitrary JSON at the model endpoints, control characters in every field of every route, a
bill asked of the chat at any length: always a JSON 4xx or a 2xx, never a 5xx."""

import copy
import json
import urllib.parse
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
transaction_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["expense", "debit", "sale", "nope", ""]),
        "amount": st.one_of(
            st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(max_size=8)
        ),
        "date": st.one_of(st.text(max_size=25), st.just("2026-01-01T10:00:00")),
    },
    optional={
        "description": st.text(max_size=60),
        "payment_mode": st.text(max_size=12),
        "customer_id": st.text(max_size=40),
    },
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def assert_clean(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 400, 413, 422), response.text
    body = response.json()
    if response.status_code != 200:
        assert isinstance(body["message"], str) and isinstance(body["code"], str)


@FUZZ
@given(body=json_values)
def test_any_json_at_analyze_is_a_clean_answer(
    client: TestClient, owner_headers: dict[str, str], body
) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/fraud/analyze",
        content=json.dumps(body),
        headers={**owner_headers, "Content-Type": "application/json"},
    )
    assert response.status_code != 200 or isinstance(body, dict)
    if response.status_code != 404:  # a well-formed id of no business of the caller
        assert_clean(response)


@FUZZ
@given(
    transactions=st.lists(transaction_like, max_size=3),
    history=st.lists(transaction_like, max_size=3),
)
def test_any_transactions_at_score_are_a_clean_answer(
    client: TestClient, owner_headers: dict[str, str], transactions, history
) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"transactions": transactions, "history": history})
    response = client.post(
        "/api/v1/fraud/score",
        content=body,
        headers={**owner_headers, "Content-Type": "application/json"},
    )
    assert_clean(response)


CONTROL_PAYLOADS = ["\x00", "nul\x00inside", "\ud800", "a\r\nb", "\x1b[31mred\x1b[0m", "\u202eevil"]
"""NUL (PostgreSQL refuses it in text and jsonb), a lone surrogate (no UTF-8 encodes it), a
line break, ANSI colour escapes, a right-to-left override."""
UUID = "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c"
TXN = {"id": "t1", "type": "expense", "amount": 500, "date": "2026-06-02T11:00:00",
       "payment_mode": "cash", "description": "rent", "customer_id": UUID}  # fmt: skip
VALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/feedback/structured": {"id": "fb-1", "feedback_type": "fraud_alert",
                                    "entity_id": "fa-1", "helpful": True, "comment": "ok",
                                    "submitted_at": "2026-11-28T15:45:12.123"},
    "/api/v1/generate/text": {"prompt": "who owes me the most?",
                              "context": {"business_id": "BUSINESS", "business_name": "Shop"}},
    "/api/v1/generate/response": {"prompt": "GST on cement?", "context": {"business_name": "S"}},
    "/api/v1/fraud/analyze": {"business_id": "BUSINESS"},
    "/api/v1/fraud/score": {"transactions": [TXN], "history": [TXN]},
    "/api/v1/insights/forecast": {"horizon": 2, "series": [
        {"month": "2026-01-01", "value": 100.0}, {"month": "2026-02-01", "value": 120.0},
        {"month": "2026-03-01", "value": 90.0}]},
    "/api/v1/compliance/check": {"invoice_id": UUID},
    "/api/v1/compliance/validate": {
        "invoice_number": "INV-1", "invoice_date": "2026-01-05", "invoice_type": "customer",
        "business_name": "Shop", "business_gstin": "27AAPFU0939F1ZV", "business_state": "27",
        "customer_name": "Ram", "customer_gstin": "27AAPFU0939F1ZV", "customer_address": "Pune",
        "place_of_supply": "Maharashtra", "is_b2b": True, "subtotal": 350, "tax_amount": 63,
        "total_amount": 413, "composition_dealer": False,
        "items": [{"name": "cement", "hsn_code": "2523", "quantity": 1, "unit_price": 350,
                   "tax_rate": 18}]},
    "/api/v1/invoice/generate": {"raw_input": "Invoice for Ram, 10 bags cement at 350",
                                 "business_id": "BUSINESS", "save_draft": True},
    "/api/nlp/process-invoice": {"text": "Invoice for Ram, 10 bags cement at 350",
                                 "business_id": "current_business_id"},
    "/api/v1/nlp/parse-invoice": {"text": "Cement 10 x 350 = 3500", "business_id": "x"},
    "/api/v1/ocr/extract-text": {"image": "aGVsbG8=", "format": "base64"},
}  # fmt: skip
"""A body each route takes, every field filled: each field is then replaced in turn."""


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(value, dict):
        return [p for key, child in value.items() for p in leaves(child, (*path, key))]
    if isinstance(value, list):
        return [p for i, child in enumerate(value) for p in leaves(child, (*path, i))]
    return [path]


def replaced(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    changed = copy.deepcopy(body)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


FIELDS = [(route, path) for route, body in VALID_BODIES.items() for path in leaves(body)]


@pytest.mark.parametrize(("route", "path"), FIELDS, ids=lambda x: str(x))
def test_control_characters_in_any_json_field_are_answered_never_a_5xx(
    unlimited: TestClient, owner_headers: dict[str, str], business_id: str, route: str, path: Any
) -> None:
    """Each field of each route, in turn, replaced by each control payload and, for text, with
    one appended: the answer is a 2xx or a 4xx in the error shape (a text a parser reads takes
    them and strips them; a text stored or echoed refuses them with a 422)."""
    body = json.loads(json.dumps(VALID_BODIES[route]).replace("BUSINESS", business_id))
    original = body
    field = original
    for step in path:
        field = field[step]
    for payload in CONTROL_PAYLOADS:
        values = [payload, f"{field}{payload}"] if isinstance(field, str) else [payload]
        for value in values:
            sent = replaced(original, path, value)
            response = unlimited.post(
                route,
                content=json.dumps(sent),  # ASCII escapes: a lone surrogate travels as \ud800
                headers={**owner_headers, "Content-Type": "application/json"},
            )
            assert response.status_code < 500, (value, response.text[:300])
            if response.status_code >= 400:
                assert_clean_error(response)


def assert_clean_error(response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    assert isinstance(body["message"], str) and isinstance(body["code"], str)
    assert "details" in body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compliance/gstin/{}",
        "/api/v1/insights/{}",
        "/api/v1/compliance/reminders/{}",
        "/api/v1/compliance/reminders/BUSINESS?scheme={}",
    ],
)
def test_control_characters_in_a_path_or_query_are_answered_never_a_5xx(
    unlimited: TestClient, owner_headers: dict[str, str], business_id: str, path: str
) -> None:
    for payload in CONTROL_PAYLOADS:
        raw = payload.encode("utf-8", "surrogatepass")
        url = path.replace("BUSINESS", business_id).format(urllib.parse.quote(raw))
        response = unlimited.get(url, headers=owner_headers)
        assert response.status_code < 500, (url, response.text[:300])
        if response.status_code >= 400:
            assert_clean_error(response)


BILL = "make a bill for Zorawar Textiles, " + "10 bags cement at 380, 5 sand at 60, " * 120


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(length=st.integers(1, 4000))
@example(length=2000)
@example(length=2001)
@example(length=4000)
def test_a_bill_asked_of_the_chat_at_any_length_is_answered_never_a_5xx(
    unlimited: TestClient, owner_headers: dict[str, str], business_id: str, length: int
) -> None:
    """The chat takes 4,000 characters; a bill is drafted from at most 2,000 (the limit of
    /invoice/generate): a longer bill request is a 422 naming `prompt`, as any invalid field."""
    body = {"prompt": BILL[:length], "context": {"business_id": business_id}}
    response = unlimited.post("/api/v1/generate/response", json=body, headers=owner_headers)
    assert response.status_code in (200, 422), response.text[:300]
    if response.status_code == 422:
        assert length > 2000
        assert_clean_error(response)
        assert response.json()["field"] == "prompt"
        assert "when asking for a bill" in response.json()["message"]


def test_a_bill_asked_of_the_chat_is_drafted_up_to_2000_characters_and_refused_past(
    unlimited: TestClient, owner_headers: dict[str, str], business_id: str
) -> None:
    def ask(prompt: str) -> Any:
        body = {"prompt": prompt, "context": {"business_id": business_id}}
        return unlimited.post("/api/v1/generate/response", json=body, headers=owner_headers)

    drafted = ask(BILL[:2000])
    assert drafted.status_code == 200
    assert drafted.json()["intent"] == "make_bill" and drafted.json()["figures"]["invoice_data"]
    refused = ask(BILL[:2001])
    assert_clean_error(refused)
    assert refused.status_code == 422 and refused.json()["field"] == "prompt"
    assert refused.json()["validation_errors"][0]["type"] == "string_too_long"
