"""T53: what callers write (names, phone numbers, e-mail, PAN, Aadhaar-like numbers, bank and UPI
ids) never reaches a log line. The app logs ids, counts, codes and timings, never a body or a
text a caller sent, so there is nothing to redact; this holds it on every route that takes text."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

PERSONAL = [
    "rahul.sharma@example.com",
    "+91 98765 43210",
    "ABCDE1234F",  # a PAN
    "2345 6789 0123",  # an Aadhaar-like number
    "rahul.sharma@okicici",  # a UPI id
    "HDFC0001234",  # an IFSC
    "50100234567890",  # an account number
    "Rahul Sharma",
]
TEXT = (
    "Invoice for Rahul Sharma (rahul.sharma@example.com, +91 98765 43210, PAN ABCDE1234F,"
    " Aadhaar 2345 6789 0123), 2 bags cement at 380, pay to rahul.sharma@okicici or account"
    " 50100234567890 IFSC HDFC0001234"
)


VOTE = {
    "id": "f1",
    "feedback_type": "fraud_alert",
    "entity_id": "nothing",
    "helpful": False,
    "comment": TEXT,
    "submitted_at": "2026-12-01T10:00:00.000",
}


def test_personal_data_in_what_callers_send_reaches_no_log_line(
    client: TestClient,
    owner_headers: dict[str, str],
    business_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        answers = [
            client.post(
                "/api/v1/invoice/generate",
                json={"raw_input": TEXT, "business_id": business_id},
                headers=owner_headers,
            ),
            client.post("/api/v1/generate/text", json={"prompt": TEXT}, headers=owner_headers),
            client.post("/api/v1/nlp/parse-invoice", json={"text": TEXT}),
            client.post("/api/nlp/process-invoice", json={"text": TEXT}),
            client.post("/api/v1/feedback/structured", json=VOTE, headers=owner_headers),
        ]
    assert [a.status_code < 500 for a in answers] == [True] * len(answers)
    assert answers[0].status_code == 200  # the sentence was read, so logging had its chance
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records  # the requests were logged: ids, codes, counts
    assert [p for p in PERSONAL if p in logged] == []
