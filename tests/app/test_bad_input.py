"""Arbitrary JSON at the model endpoints: always a JSON 4xx or a 200, never a 500."""

import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
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
