"""Journeys through a real Ray Serve app, PostgreSQL and Redis: each capability end to end,
stored rows, drafts and retention on PostgreSQL. test_serving_edge.py goes on with photos, the
public edge and batching; test_serving_recovery.py with new versions and faults (the last tests
stop and restart the servers, so they restore what they break)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import yaml
from sqlalchemy import text

from serve_app.infra.auth import mint_token
from testkit.factories import (
    OTHER_USER,
    SECRET,
    business_id,
    demo_books,
    owner_headers,
)
from testkit.stores import setup_store
from tests.integration.calls import FRAUD_TYPES, analyze, count
from tests.integration.conftest import Stack


def test_serve_status_shows_every_deployment_healthy(stack: Stack) -> None:
    status = yaml.safe_load(stack.status())["applications"]["fineasy"]
    assert status["status"] == "RUNNING"
    assert {name: d["status"] for name, d in status["deployments"].items()} == {
        "Ingress": "HEALTHY",
        "FraudDeployment": "HEALTHY",
        "InsightsDeployment": "HEALTHY",
        "ComplianceDeployment": "HEALTHY",
        "InvoiceDeployment": "HEALTHY",
        "AssistantDeployment": "HEALTHY",
        "OcrDeployment": "HEALTHY",
    }


def test_fraud_analysis_end_to_end_is_contract_shaped_and_stored(
    stack: Stack, http: httpx.Client
) -> None:
    response = analyze(http, owner_headers())
    assert response.status_code == 200
    body = response.json()
    assert body["business_id"] == business_id()
    assert body["analyzed_at"].endswith("Z") and body["alerts"]
    assert {a["type"] for a in body["alerts"]} <= FRAUD_TYPES
    assert all(
        0 <= a["confidence_score"] <= 1 and a["detected_at"].endswith("Z") for a in body["alerts"]
    )

    stored = count(stack, "SELECT COUNT(*) FROM fraud_alerts WHERE business_id = :b")
    assert stored == len(body["alerts"])
    audit_lines = (stack.log_dir / "audit" / "ai_audit.log").read_text().splitlines()
    assert any('"fraud_analysis"' in line and business_id() in line for line in audit_lines)


def test_feedback_on_a_stored_alert_moves_the_models_accuracy(
    stack: Stack, http: httpx.Client
) -> None:
    from serve_app.services.feedback import PRIOR_VOTES

    alert = analyze(http, owner_headers()).json()["alerts"][-1]["id"]

    def fraud() -> dict[str, object]:
        models = http.get("/api/v1/models/performance", headers=owner_headers()).json()["models"]
        return next(m for m in models if m["model_name"] == "fraud")

    before = fraud()
    held_out = before["held_out_accuracy"]  # the real host read it from the manifest
    assert held_out == 0.9  # testkit/factories.py TEST_METRICS: 18 of 20 right
    body = {
        "id": "fb-integration",
        "feedback_type": "fraud_alert",
        "entity_id": alert,
        "helpful": True,
        "comment": None,
        "submitted_at": "2026-11-28T15:45:12.123456",
    }
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    assert http.post("/api/v1/feedback/structured", json=body, headers=stranger).status_code == 404
    for _ in range(2):  # the client's retry after a timeout: one vote
        response = http.post("/api/v1/feedback/structured", json=body, headers=owner_headers())
        assert response.status_code == 200
    after = fraud()
    votes, helpful = int(before["feedback_votes"]) + 1, int(before["correct_predictions"]) + 1
    assert (after["feedback_votes"], after["correct_predictions"]) == (votes, helpful)
    assert after["accuracy_score"] == round(
        (PRIOR_VOTES * held_out + helpful) / (PRIOR_VOTES + votes), 4
    )
    assert count(stack, "SELECT COUNT(*) FROM ai_feedback WHERE business_id = :b") == votes
    page = http.get("/metrics", params={"scope": "app"}).text
    assert f'ai_backend_model_accuracy{{model="fraud"}} {after["accuracy_score"]}' in page


def test_insights_end_to_end_are_contract_shaped_and_stored(
    stack: Stack, http: httpx.Client
) -> None:
    response = http.get(f"/api/v1/insights/{business_id()}", headers=owner_headers())
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["timestamp"].endswith("Z")
    kinds = {i["insight_type"] for i in body["insights"]}
    assert {"cash_flow_prediction", "revenue_forecast", "working_capital"} <= kinds
    assert all(0 <= i["impact_score"] <= 1 and i["recommendations"] for i in body["insights"])
    stored = count(stack, "SELECT COUNT(*) FROM business_insights WHERE business_id = :b")
    assert stored == len(body["insights"])
    audit_log = stack.log_dir / "audit" / "ai_audit.log"

    def audited() -> int:
        return sum('"business_insights"' in line for line in audit_log.read_text().splitlines())

    computed = audited()
    assert computed >= 1  # this analysis, or an earlier test's of the same books
    again = http.get(f"/api/v1/insights/{business_id()}", headers=owner_headers())
    assert again.json() == body  # served from Redis: same books, same day
    assert audited() == computed  # a cache hit runs no model and audits nothing


def test_compliance_check_of_a_stored_invoice(stack: Stack, http: httpx.Client) -> None:
    invoice_id = next(
        label.subject_ids[0] for label in demo_books()[0].labels if label.type == "gst_mismatch"
    )
    response = http.post(
        "/api/v1/compliance/check", json={"invoice_id": invoice_id}, headers=owner_headers()
    )
    assert response.status_code == 200
    body = response.json()
    assert body["invoice_id"] == invoice_id and body["last_checked"].endswith("Z")
    mismatch = next(i for i in body["issues"] if i["type"] == "gst_mismatch")
    assert "since 22 Sep 2025" in mismatch["plain_language_explanation"]
    assert body["overall_status"] == "issues_found"
    audit_lines = (stack.log_dir / "audit" / "ai_audit.log").read_text().splitlines()
    assert any('"compliance_check"' in line and invoice_id in line for line in audit_lines)


def test_a_sentence_becomes_a_saved_draft_invoice(stack: Stack, http: httpx.Client) -> None:
    customer = next(c["name"] for c in demo_books()[0].customers if " " in c["name"])
    response = http.post(
        "/api/v1/invoice/generate",
        headers=owner_headers(),
        json={
            "raw_input": f"Invoice for {customer}, 10 bags cement @ 350, 18% GST, UPI",
            "business_id": business_id(),
            "save_draft": True,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["invoice_id"] and body["errors"] == []
    assert body["invoice_data"]["customer"]["name"] == customer
    assert body["invoice_data"]["total_amount"] == 4130.0
    drafts = count(
        stack, "SELECT COUNT(*) FROM invoices WHERE business_id = :b AND status = 'draft'"
    )
    assert drafts == 1
    legacy = http.post(
        "/api/nlp/process-invoice",
        json={"text": "Create invoice for John Doe, 5 items at 100 each with UPI payment",
              "business_id": "current_business_id"},
    )  # fmt: skip
    assert (
        legacy.status_code == 200 and legacy.json()["invoice_data"]["customer_name"] == "John Doe"
    )


def test_drafts_saved_at_once_on_postgres_one_per_request_each_its_own_number(
    stack: Stack, http: httpx.Client
) -> None:
    """The client's retry arriving while the first attempt still runs, and different drafts
    at the same moment: one draft per request, no number taken twice."""
    drafts = "SELECT COUNT(*) FROM invoices WHERE business_id = :b AND status = 'draft'"
    before = count(stack, drafts)

    def save(text: str) -> dict[str, object]:
        body = {"raw_input": text, "business_id": business_id(), "save_draft": True}
        response = http.post("/api/v1/invoice/generate", json=body, headers=owner_headers())
        assert response.status_code == 200, response.text
        return dict(response.json())

    customer = next(c["name"] for c in demo_books()[0].customers if " " in c["name"])
    texts = [f"Invoice for {customer}, 4 taps at 420"] * 3 + [
        f"Invoice for {customer}, {n} bags cement at 380" for n in (2, 3, 4)
    ]
    with ThreadPoolExecutor(len(texts)) as pool:
        answers = list(pool.map(save, texts))
    assert all(a["success"] and a["invoice_id"] for a in answers), answers
    assert len({a["invoice_id"] for a in answers[:3]}) == 1
    assert len({a["invoice_id"] for a in answers}) == 4
    numbers = {a["invoice_id"]: a["invoice_data"]["invoice_number"] for a in answers}  # type: ignore[index]
    assert len(set(numbers.values())) == 4
    assert count(stack, drafts) == before + 4
    duplicated = count(
        stack,
        "SELECT COUNT(*) FROM (SELECT invoice_number FROM invoices WHERE business_id = :b"
        " AND status = 'draft' GROUP BY invoice_number HAVING COUNT(*) > 1) AS twice",
    )
    assert duplicated == 0


def test_the_databases_draft_function_writes_one_whole_draft_keeps_defaults_and_is_private(
    stack: Stack,
) -> None:
    """ai_save_draft (migration 0004), what the Supabase REST store calls: the header and its
    lines in one transaction (a bad line leaves no header), only the named columns written
    (the rest keep their defaults), numbers past INV-9999 go on, a repeat answers with the
    stored draft, and no role but the owner (and Supabase's service role) may call it."""
    import json
    import uuid

    from sqlalchemy.exc import DBAPIError

    from serve_app.infra.store.queries import SAVE_DRAFT

    b, owner = business_id(), str(demo_books()[0].business["user_id"])

    def draft(number_of_lines: int, bad_line: bool = False) -> tuple[dict[str, object], list]:
        draft_id = str(uuid.uuid4())
        lines = [
            {"id": str(uuid.uuid4()), "invoice_id": draft_id, "name": f"line {i}",
             "quantity": 2, "unit_price": 10.0, "tax_rate": 18, "total_amount": 23.6,
             "sort_order": i}
            for i in range(number_of_lines)
        ]  # fmt: skip
        if bad_line:
            lines[-1]["quantity"] = "many"
        row = {"id": draft_id, "business_id": b, "user_id": owner, "status": "draft",
               "invoice_type": "customer", "invoice_date": "2026-11-29",
               "total_amount": 47.2}  # fmt: skip
        return row, lines

    async def run() -> None:
        store = setup_store(stack.postgres.url)

        async def save(row: dict[str, object], lines: list, same_as: list[str]) -> dict:
            async with store.engine.begin() as conn:
                params = {"draft": json.dumps(row), "lines": json.dumps(lines), "same_as": same_as}
                return dict(json.loads((await conn.execute(SAVE_DRAFT, params)).scalar_one()))

        try:
            async with store.engine.begin() as conn:  # a business far into its numbering
                await conn.execute(
                    text("UPDATE invoices SET invoice_number = 'INV-9999' WHERE id = ("
                         "SELECT id FROM invoices WHERE business_id = :b AND invoice_number"
                         " LIKE 'INV-%' ORDER BY invoice_number DESC LIMIT 1)"),
                    {"b": b},
                )  # fmt: skip
            row, lines = draft(2)
            first = await save(row, lines, [])
            assert first == {"id": row["id"], "invoice_number": "INV-10000"}
            retry, _ = draft(2)
            assert await save(retry, lines, [str(row["id"])]) == first  # the earlier window's
            broken, bad = draft(2, bad_line=True)
            with pytest.raises(DBAPIError, match="many"):  # a line that is not a row
                await save(broken, bad, [])
            async with store.engine.begin() as conn:
                stored = (await conn.execute(
                    text("SELECT created_at IS NOT NULL, paid_amount, (SELECT count(*) FROM "
                         "invoice_items WHERE invoice_id = CAST(:d AS uuid)), (SELECT count(*) "
                         "FROM invoices WHERE id IN (CAST(:r AS uuid), CAST(:x AS uuid))) FROM "
                         "invoices WHERE id = CAST(:d AS uuid)"),
                    {"d": row["id"], "r": retry["id"], "x": broken["id"]},
                )).one()  # fmt: skip
                assert tuple(stored) == (True, 0, 2, 0), stored  # defaults kept, nothing half
                await conn.execute(text("CREATE ROLE fineasy_probe NOLOGIN"))
                allowed = (await conn.execute(text(
                    "SELECT has_function_privilege('fineasy_probe', "
                    "'ai_save_draft(jsonb, jsonb, text[])', 'EXECUTE')"
                ))).scalar_one()  # fmt: skip
                await conn.execute(text("DROP ROLE fineasy_probe"))
                assert allowed is False
        finally:
            await store.close()

    asyncio.run(run())


def test_the_purge_command_deletes_what_is_past_retention_on_postgres(stack: Stack) -> None:
    import datetime as dt
    import subprocess
    import sys
    from pathlib import Path

    from testkit.factories import SECRET
    from testkit.stores import PURGED_BY_DEFAULT, plant_dated_rows, planted_left

    async def with_store(work):  # type: ignore[no-untyped-def]
        store = setup_store(stack.postgres.url)
        try:
            return await work(store)
        finally:
            await store.close()

    now = dt.datetime.now(dt.UTC)
    asyncio.run(with_store(lambda store: plant_dated_rows(store, now, "retention")))
    planted = asyncio.run(with_store(lambda store: planted_left(store, "retention")))
    fineasy = str(Path(sys.executable).parent / "fineasy")
    env = {"PATH": "/usr/bin:/bin", "ENVIRONMENT": "development", "SUPABASE_JWT_SECRET": SECRET,
           "DATABASE_URL": stack.postgres.url}  # fmt: skip

    def purge(*flags: str) -> str:
        done = subprocess.run(
            [fineasy, "purge", *flags], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    dry = purge("--dry-run")
    assert "ai_analysis_results: would delete" in dry
    assert asyncio.run(with_store(lambda store: planted_left(store, "retention"))) == planted
    deleted = purge()
    assert deleted == dry.replace("would delete", "deleted")
    left = asyncio.run(with_store(lambda store: planted_left(store, "retention")))
    assert planted - left == {f"retention-{r}" for r in PURGED_BY_DEFAULT}


def test_the_assistant_answers_from_the_books_through_serve(
    stack: Stack, http: httpx.Client
) -> None:
    """The chat through the AssistantDeployment and the Ingress on PostgreSQL: the figures of
    the answer are the insights screen's for the same business."""
    headers = owner_headers()
    context = {"business_id": business_id()}
    chat = http.post(
        "/api/v1/generate/text",
        json={"prompt": "who owes me the most?", "context": context},
        headers=headers,
    )
    assert chat.status_code == 200 and set(chat.json()) == {"text"}, chat.text
    answer = http.post(
        "/api/v1/generate/response",
        json={"prompt": "who owes me the most?", "context": context},
        headers=headers,
    ).json()
    report = http.get(f"/api/v1/insights/{business_id()}", headers=headers).json()
    capital = next(i["data"] for i in report["insights"] if "receivables" in i["data"])
    assert answer["intent"] == "receivables"
    assert answer["figures"]["receivables"] == capital["receivables"]
    word = http.post(
        "/api/v1/generate/text",
        json={"prompt": "Classify 'Shop rent'. Return only the classification word.",
              "context": {}},
        headers=headers,
    )  # fmt: skip
    assert word.json() == {"text": "essential"}
