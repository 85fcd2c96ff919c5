"""Journeys through a real Ray Serve app, PostgreSQL and Redis. The last tests stop and
restart the servers, so they restore what they break."""

import asyncio
import base64
import csv
import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
import yaml
from PIL import Image
from sqlalchemy import text

from serve_app.infra.auth import mint_token
from tests.integration.conftest import Stack
from tests.support.factories import (
    CASH_WITHDRAWAL_AT_NIGHT,
    OTHER_USER,
    SECRET,
    business_id,
    demo_books,
    owner_headers,
)
from tests.support.images import BILL, encoded, page, pixel_bomb
from tests.support.stores import setup_store

FRAUD_TYPES = {
    "duplicate_invoice",
    "payment_mismatch",
    "suspicious_pattern",
    "duplicate_supplier_bill",
}


def analyze(
    http: httpx.Client,
    headers: dict[str, str],
    business: str | None = None,
) -> httpx.Response:
    return http.post(
        "/api/v1/fraud/analyze", json={"business_id": business or business_id()}, headers=headers
    )


def count(stack: Stack, sql: str) -> int:
    """A COUNT(*) over the stack's PostgreSQL, with :b bound to the demo business."""

    async def run() -> int:
        store = setup_store(stack.postgres.url)
        try:
            async with store.engine.connect() as conn:
                return int((await conn.execute(text(sql), {"b": business_id()})).scalar())
        finally:
            await store.close()

    return asyncio.run(run())


def replicas_of(deployment: str) -> dict[str, str]:
    """The deployment's live replica actors, name -> namespace. A name ends in the replica's
    unique id, the `replica_id` its health answer carries."""
    import ray

    return {
        a["name"]: a["namespace"] for a in ray.util.list_named_actors(all_namespaces=True)
        if a["name"].startswith("SERVE_REPLICA") and f"#{deployment}#" in a["name"]
    }  # fmt: skip


def poll(http: httpx.Client, path: str, status: int, timeout_s: float = 40) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while True:
        response = http.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


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
    assert held_out == 0.9  # tests/support/factories.py TEST_METRICS: 18 of 20 right
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

    from tests.support.factories import SECRET
    from tests.support.stores import PURGED_BY_DEFAULT, plant_dated_rows, planted_left

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


def phone_photo() -> bytes:
    """A bill photographed the way the app sends it: 1920x1080 in colour, the page turned a
    little on a brown table, the sensor noise of a dim shop, JPEG quality 85 (about 800 KB)."""
    frame = Image.new("RGB", (1920, 1080), (120, 105, 90))
    frame.paste(page(BILL, angle=-2.0).convert("RGB"), (300, 150))
    noise = np.random.default_rng(7).normal(0, 24, (1080, 1920, 3))
    noisy = np.clip(np.asarray(frame, np.float32) + noise, 0, 255).astype(np.uint8)
    return encoded(Image.fromarray(noisy), quality=85)


def test_a_phone_photo_is_read_through_serve_and_parsed_into_the_invoice_form(
    http: httpx.Client,
) -> None:
    """The OCR screen's two steps through the OcrDeployment and the InvoiceDeployment: the
    photo's text, line by line, then the form's fields from it."""
    image = base64.b64encode(phone_photo()).decode()
    assert len(image) > 1_000_000  # over the other routes' body limit; this route takes it
    read = http.post("/api/v1/ocr/extract-text", json={"image": image, "format": "base64"})
    assert read.status_code == 200, read.text
    assert read.json() == {"success": True, "extracted_text": "\n".join(BILL)}
    parsed = http.post(
        "/api/v1/nlp/parse-invoice",
        json={"text": read.json()["extracted_text"], "business_id": "current_business_id"},
    ).json()["invoice_data"]
    assert (parsed["customer"]["name"], parsed["invoice_number"], parsed["date"]) == (
        "Naveen Constructions",
        "SH/0917",
        "2026-03-14",
    )
    assert parsed["total_amount"] == 3850.0


def test_bad_images_are_refused_in_the_error_shape_through_serve(http: httpx.Client) -> None:
    def send(image: str) -> httpx.Response:
        return http.post("/api/v1/ocr/extract-text", json={"image": image, "format": "base64"})

    bomb = send(base64.b64encode(pixel_bomb()).decode())
    assert bomb.status_code == 422 and bomb.json()["code"] == "invalid_image", bomb.text
    assert send("%%% not base64").json()["details"]["reason"] == "not valid base64"
    damaged = send(base64.b64encode(phone_photo()[:2000]).decode())
    assert damaged.status_code == 422 and "damaged" in damaged.json()["details"]["reason"]
    oversized = send("A" * 8_300_000)
    assert oversized.status_code == 413 and oversized.json()["code"] == "payload_too_large"


def test_unauthenticated_and_foreign_requests(http: httpx.Client) -> None:
    assert analyze(http, {}).status_code == 401
    forged = {"Authorization": f"Bearer {mint_token('z' * 48, OTHER_USER)}"}
    assert analyze(http, forged).json()["code"] == "unauthenticated"
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    other = analyze(http, stranger)
    missing = analyze(http, stranger, "00000000-0000-4000-8000-000000000000")
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def _haproxy_sessions(stack: Stack) -> int:
    rows = csv.DictReader(httpx.get(stack.haproxy_stats, timeout=5).text.lstrip("# ").splitlines())
    return sum(
        int(row["stot"])
        for row in rows
        if row["svname"] == "BACKEND" and row["pxname"] not in ("stats", "default_backend")
    )


def test_requests_reach_the_ingress_through_rays_haproxy(stack: Stack, http: httpx.Client) -> None:
    before = _haproxy_sessions(stack)
    statuses = [
        http.post(
            "/api/nlp/process-invoice", json={"text": "Bill Om Stores: 1 fan at 900"}
        ).status_code
        for _ in range(5)
    ]
    # Served by an Ingress replica behind HAProxy, not by Serve's Python proxy.
    assert _haproxy_sessions(stack) >= before + 5
    assert set(statuses) <= {200, 429}


def _parse(client: httpx.Client, forwarded: str) -> int:
    return client.post(
        "/api/v1/nlp/parse-invoice",
        json={"text": "Bill Om Stores: 1 fan at 900", "business_id": "current_business_id"},
        headers={"X-Forwarded-For": forwarded},
    ).status_code


def test_through_the_edge_each_caller_spends_its_own_budget_and_cannot_pick_another(
    stack: Stack,
) -> None:
    """Two callers, 127.0.0.2 and 127.0.0.3, through the shipped edge (config/edge.haproxy.cfg)
    and Ray's HAProxy behind it: the first spends its 30 public requests a minute (a new made-up
    X-Forwarded-For on each, which the edge replaces) and is refused; the second is untouched."""

    def caller(source: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=stack.edge_url, transport=transport, timeout=30)

    with caller("127.0.0.2") as first, caller("127.0.0.3") as second:
        statuses: list[int] = []
        # The budget is a fixed window a minute: 61 requests end in a refusal even when they
        # straddle the window's turn.
        while 429 not in statuses and len(statuses) < 61:
            statuses.append(_parse(first, f"203.0.113.{len(statuses)}"))
        assert statuses[-1] == 429 and set(statuses) == {200, 429}, statuses
        assert _parse(second, "203.0.113.1") == 200
        assert _parse(first, "127.0.0.3") == 429


def test_inline_scoring_through_the_model_deployment(http: httpx.Client) -> None:
    response = http.post(
        "/api/v1/fraud/score",
        headers=owner_headers(),
        json={"transactions": [CASH_WITHDRAWAL_AT_NIGHT]},
    )
    assert response.status_code == 200
    assert response.json()["scores"][0]["suspicious"] is True


def test_concurrent_scores_batched_before_the_hop_answer_as_alone(http: httpx.Client) -> None:
    def body(i: int) -> dict[str, object]:
        return {
            "transactions": [
                {
                    "id": f"t{i}",
                    "type": "debit" if i % 2 else "expense",
                    "amount": 1000 + 25_000 * i,
                    "date": f"2026-06-{i % 28 + 1:02d}T{(i * 5) % 24:02d}:10:00",
                    "payment_mode": "cash",
                    "description": "Cash withdrawal" if i % 3 else "Office supplies",
                }
            ]
        }

    def score(i: int) -> dict[str, object]:
        response = http.post("/api/v1/fraud/score", headers=owner_headers(), json=body(i))
        assert response.status_code == 200, response.text
        scores: dict[str, object] = response.json()["scores"][0]
        return scores

    alone = [score(i) for i in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = list(pool.map(score, range(12)))
    assert together == alone
    assert len({s["score"] for s in alone}) > 1  # the requests differ, so a mix-up would show


def test_detailed_health_over_real_dependencies(http: httpx.Client) -> None:
    checks = http.get("/health/detailed").json()["checks"]
    assert checks["database"]["message"] == "postgres reachable"
    assert checks["redis"]["message"] == "redis cache reachable"
    assert checks["fraud_deployment"]["model_version"] == "v1"


def test_new_model_version_is_loaded_in_place(stack: Stack, http: httpx.Client) -> None:
    """A new version in user_config is loaded by the replicas already serving: none started,
    whether one serves (as shipped) or two (for a while after a test that scaled it)."""
    before = {name.rsplit("#", 1)[1] for name in replicas_of("FraudDeployment")}
    try:
        stack.deploy(model_version="v2")
        stack.wait_until_running()
        deadline = time.monotonic() + 60
        after = http.post("/health/test/fraud_deployment").json()
        while after["model_version"] != "v2" and time.monotonic() < deadline:
            time.sleep(0.5)
            after = http.post("/health/test/fraud_deployment").json()
        assert after["model_version"] == "v2"
        now = {name.rsplit("#", 1)[1] for name in replicas_of("FraudDeployment")}
        assert after["replica_id"] in before, "user_config must not restart replicas"
        assert now and now <= before, (before, now)
    finally:
        stack.deploy(model_version="v1")
        stack.wait_until_running()


def test_a_tampered_version_is_refused_while_the_old_one_serves(
    stack: Stack, http: httpx.Client
) -> None:
    try:
        stack.deploy(model_version="v9")
        stack.wait_until_running()
        deadline = time.monotonic() + 60
        check = http.post("/health/test/fraud_deployment").json()
        while check["status"] != "degraded" and time.monotonic() < deadline:
            time.sleep(0.5)
            check = http.post("/health/test/fraud_deployment").json()
        assert (check["status"], check["model_version"]) == ("degraded", "v1")
        assert "sha256" in check["load_error"]
        assert analyze(http, owner_headers()).status_code == 200
    finally:
        stack.deploy(model_version="v1")
        stack.wait_until_running()


def test_a_business_whose_books_pass_grpcs_4_mib_is_analysed(
    stack: Stack, http: httpx.Client
) -> None:
    """Twelve times the demo business's transactions (about 21,000, books of ~6 MB on the
    gRPC hop to the models, over gRPC's default 4 MiB): analysed like any other business, not
    a 500 (config/ray.env raises the limit; bench/soak.py found it)."""
    import uuid

    big = str(uuid.uuid4())

    async def copy_books() -> None:
        store = setup_store(stack.postgres.url)
        try:
            async with store.engine.begin() as conn:
                await conn.execute(
                    text("INSERT INTO businesses SELECT (jsonb_populate_record(NULL::businesses,"
                         " to_jsonb(b) || jsonb_build_object('id', CAST(:big AS text), 'name',"
                         " 'Bade Hisaab Traders'))).* FROM businesses b WHERE b.id = :b"),
                    {"big": big, "b": business_id()},
                )  # fmt: skip
                await conn.execute(
                    text("INSERT INTO transactions SELECT (jsonb_populate_record("
                         "NULL::transactions, to_jsonb(t) || jsonb_build_object('id',"
                         " gen_random_uuid(), 'business_id', CAST(:big AS text), 'invoice_id',"
                         " NULL, 'customer_id', NULL, 'supplier_id', NULL))).* FROM transactions"
                         " t, generate_series(1, 12) WHERE t.business_id = :b"),
                    {"big": big, "b": business_id()},
                )  # fmt: skip
        finally:
            await store.close()

    asyncio.run(copy_books())
    assert analyze(http, owner_headers(), big).status_code == 200
    insights = http.get(f"/api/v1/insights/{big}", headers=owner_headers())
    assert insights.status_code == 200, insights.text


def test_a_model_replica_killed_under_load_costs_a_few_json_503s_and_comes_back(
    stack: Stack,
) -> None:
    """Two clients score transactions back to back (waiting 2 s after a 5xx, as the app does);
    every replica of the fraud model (one as shipped; two for a while after a test that scaled
    it) is killed, as when its process or node dies. The requests caught by it answer 503 in
    the JSON error shape, a handful at most; Serve starts a new replica and 200s come back."""
    import threading

    import ray

    replicas = replicas_of("FraudDeployment")
    assert replicas
    stop, answers = threading.Event(), []

    def load() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=40) as client:
            while not stop.is_set():
                response = client.post(
                    "/api/v1/fraud/score",
                    headers=owner_headers(),
                    json={"transactions": [CASH_WITHDRAWAL_AT_NIGHT]},
                )
                answers.append((time.monotonic(), response))
                # as the app does: a 5xx is retried once, 2 s later
                time.sleep(0.02 if response.status_code == 200 else 2.0)

    with ThreadPoolExecutor(2) as pool:
        clients = [pool.submit(load) for _ in range(2)]
        time.sleep(2)
        killed_at = time.monotonic()
        for name, namespace in replicas.items():
            ray.kill(ray.get_actor(name, namespace=namespace), no_restart=False)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            after = [r for at, r in answers if at > killed_at]
            if len(after) > 20 and all(r.status_code == 200 for r in after[-10:]):
                break
            time.sleep(1)
        stop.set()
        for client in clients:
            client.result()
    failed = [r for _, r in answers if r.status_code != 200]
    assert len(failed) <= 10, [r.status_code for r in failed]
    for response in failed:
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "model_unavailable"
    assert [r.status_code for _, r in answers[-10:]] == [200] * 10
    stack.wait_until_running()
    serving = replicas_of("FraudDeployment")
    assert serving and not set(replicas) & set(serving)  # Serve started new ones


def test_redis_stopped_mid_run_is_still_200(stack: Stack, http: httpx.Client) -> None:
    assert analyze(http, owner_headers()).status_code == 200
    stack.redis.stop()
    try:
        assert analyze(http, owner_headers()).status_code == 200
        assert http.get("/health").status_code == 200
        assert http.get("/health/ready").status_code == 200
        redis = http.get("/health/dependencies").json()["redis"]
        assert redis["status"] == "degraded"
    finally:
        stack.redis.start()


def test_postgres_stopped_fails_what_needs_it_and_keeps_the_pod_ready(
    stack: Stack, http: httpx.Client
) -> None:
    """An outage answers the analyses 503 database_unavailable; the pod stays ready (a blip
    must not take every pod out of the load balancer) and says the database is down."""
    stack.postgres.stop()
    try:
        deadline, ready = time.monotonic() + 30, http.get("/health/ready")
        while ready.json()["checks"]["database"]["status"] == "healthy":
            assert time.monotonic() < deadline, ready.json()
            time.sleep(1)  # the probes check at most every 5 s
            ready = http.get("/health/ready")
        assert ready.status_code == 200
        assert http.get("/health/live").status_code == 200
        assert http.get("/health").status_code == 200
        response = analyze(http, owner_headers())
        assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")
        assert response.headers["Retry-After"] == "5"
    finally:
        stack.postgres.start()
    assert poll(http, "/health/ready", 200).status_code == 200


def test_a_minute_without_postgres_under_writes_loses_no_row_and_writes_none_twice(
    stack: Stack, http: httpx.Client
) -> None:
    """PostgreSQL stopped for 60 s while a client scores every second and saves a draft every
    ten. Scores need no database: answered throughout, their audit rows wait in the replica's
    outbox and reach PostgreSQL once each. Drafts need it: 503 database_unavailable with
    Retry-After, and the client's retries after the outage (each twice, same Idempotency-Key)
    save each draft once."""
    scored = "SELECT COUNT(*) FROM ai_analysis_results WHERE analysis_type = 'fraud_score'"
    drafts = "SELECT COUNT(*) FROM invoices WHERE business_id = :b AND status = 'draft'"
    scored_before, drafts_before = count(stack, scored), count(stack, drafts)
    body = {"raw_input": "Invoice for Walk-in, 3 bags cement at 380", "business_id": business_id(),
            "save_draft": True}  # fmt: skip

    def save(key: str) -> httpx.Response:
        return http.post(
            "/api/v1/invoice/generate",
            json=body,
            headers={**owner_headers(), "Idempotency-Key": key},
        )

    scores, keys = 0, []
    stack.postgres.stop()
    try:
        began = time.monotonic()
        while time.monotonic() - began < 60:
            response = http.post(
                "/api/v1/fraud/score",
                headers=owner_headers(),
                json={"transactions": [CASH_WITHDRAWAL_AT_NIGHT]},
            )
            assert response.status_code == 200, response.text
            scores += 1
            if scores % 10 == 1:
                keys.append(f"outage-{scores}")
                refused = save(keys[-1])
                assert refused.status_code == 503, refused.text
                assert refused.json()["code"] == "database_unavailable"
                assert refused.headers["Retry-After"] == "5"
            time.sleep(1)
    finally:
        stack.postgres.start()

    def retried(key: str) -> httpx.Response:
        """The client's retries, until the database is back for this replica."""
        deadline = time.monotonic() + 60
        while (answer := save(key)).status_code == 503 and time.monotonic() < deadline:
            time.sleep(1)
        return answer

    for key in keys:
        first, again = retried(key), save(key)
        assert first.status_code == again.status_code == 200, (first.text, again.text)
        assert first.json()["invoice_id"] == again.json()["invoice_id"]
    deadline, stored = time.monotonic() + 120, scored_before
    while time.monotonic() < deadline and stored < scored_before + scores:
        time.sleep(1)
        stored = count(stack, scored)
    time.sleep(3)  # a replay running twice would show now
    assert count(stack, scored) == scored_before + scores
    assert count(stack, drafts) == drafts_before + len(keys)


def test_a_slow_database_is_answered_within_the_budget_whatever_the_caller_asks_of_ray(
    stack: Stack, http: httpx.Client
) -> None:
    """The businesses table locked for longer than the request budget (20 s), so every lookup
    waits: an analysis answers 503/504 JSON with Retry-After once the statement timeout (5 s)
    or the budget ends its wait, not 200 late, though the request asks Ray for no timeout and
    no cancellation on disconnect (Ray's x-request-timeout-seconds and
    x-request-disconnect-disabled, which its HTTP server honours before the app sees them). The
    app's request id is its own."""
    import threading

    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        async def run() -> None:
            store = setup_store(stack.postgres.url)
            try:
                async with store.engine.begin() as conn:
                    await conn.execute(text("LOCK TABLE businesses IN ACCESS EXCLUSIVE MODE"))
                    locked.set()
                    await asyncio.to_thread(release.wait, 60)
            finally:
                await store.close()

        asyncio.run(run())

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(30)
        response = http.post(
            "/api/v1/fraud/analyze",
            json={"business_id": business_id()},
            headers={
                **owner_headers(),
                "x-request-timeout-seconds": "0",
                "x-request-disconnect-disabled": "?1",
                "X-Request-ID": "chosen-by-the-caller",
            },
            timeout=60,
        )
    finally:
        release.set()
        holder.join()
    assert response.status_code in (503, 504), response.text
    assert response.json()["code"] in ("database_unavailable", "deadline_exceeded")
    assert response.headers["Retry-After"] == "5"
    # Ray's own middleware echoes the caller's id; the app adds its own, which its logs use
    ids = response.headers.get_list("x-request-id")
    assert any(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids), ids


def test_metrics_merge_rays_own_with_the_backend_gauges(stack: Stack, http: httpx.Client) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    analyze(http, owner_headers())
    deadline, names = time.monotonic() + 60, set()
    while time.monotonic() < deadline:  # Ray exports replica metrics every few seconds
        response = http.get("/metrics")
        assert response.status_code == 200
        names = {f.name for f in text_string_to_metric_families(response.text)}
        exported = {"ray_ai_backend_predictions", "ray_ai_backend_http_latency_ms"}
        if exported | {"ray_ai_backend_cache_lookups"} <= names:
            break
        time.sleep(2)
    assert {"ai_backend_up", "ai_backend_model_info", "ai_backend_component_health"} <= names
    assert any(n.startswith("ray_serve_") for n in names)
    assert {
        "ray_ai_backend_predictions",
        "ray_ai_backend_http_requests",
        "ray_ai_backend_http_latency_ms",
        "ray_ai_backend_model_latency_ms",
        "ray_ai_backend_model_loaded",
        "ray_ai_backend_cache_lookups",
    } <= names
    traffic = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # a window needs two samples of the cluster's totals
        analyze(http, owner_headers())
        page = http.get("/metrics", params={"scope": "app"}).text
        traffic = {s.name: s.value for f in text_string_to_metric_families(page) for s in f.samples}
        # Ray exports replica counters every few seconds: two samples may not differ yet.
        # The first analysis misses the cache and the later ones hit; each reaches the page
        # when Ray next exports the ingress's counters.
        if traffic.get("ai_backend_requests_per_minute", 0) > 0 and (
            traffic.get("ai_backend_cache_hit_rate", 0) > 0
        ):
            break
        time.sleep(3)
    assert traffic["ai_backend_requests_per_minute"] > 0
    assert 0 < traffic["ai_backend_cache_hit_rate"] <= 1  # the same analysis again: hits
    assert 0 <= traffic["ai_backend_error_rate"] <= 1
    assert traffic["ai_backend_avg_response_time_ms"] > 0
    assert not any(name.startswith("ray_") for name in traffic)
    errors = (stack.log_dir / "ai_backend.log").read_text()
    assert "unhandled error" not in errors
