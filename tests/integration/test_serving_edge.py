"""Journeys through a real Ray Serve app, continued: photos through the OCR deployment, callers
through Ray's HAProxy and the shipped edge, scoring batched before the hop, health over the real
dependencies."""

import base64
import csv
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
from PIL import Image

from serve_app.infra.auth import mint_token
from testkit.factories import (
    CASH_WITHDRAWAL_AT_NIGHT,
    OTHER_USER,
    SECRET,
    owner_headers,
)
from testkit.images import BILL, encoded, page, pixel_bomb
from tests.integration.calls import analyze
from tests.integration.conftest import Stack


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
