"""The app on more than one Ray node: requests enter at the head (HAProxy, Serve's controller)
and are served by replicas on a worker node; /metrics covers every node; losing the worker's
raylet is survived once another worker is there, as on Kubernetes when a worker pod dies and
the worker group keeps its count. The last test breaks the first worker, so it runs last."""

from __future__ import annotations

import base64
import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.cluster.conftest import Served
from tests.support.factories import (
    CASH_WITHDRAWAL_AT_NIGHT,
    business_id,
    demo_books,
    owner_headers,
)
from tests.support.images import BILL, encoded, page

MODELS = (
    "FraudDeployment",
    "InsightsDeployment",
    "ComplianceDeployment",
    "InvoiceDeployment",
    "AssistantDeployment",
    "OcrDeployment",
)


def each_model_answers(http: httpx.Client) -> dict[str, int]:
    """One request through the Ingress to each model deployment: the status of each."""
    gst_invoice = next(
        label.subject_ids[0] for label in demo_books()[0].labels if label.type == "gst_mismatch"
    )
    headers = owner_headers()
    score = {"transactions": [CASH_WITHDRAWAL_AT_NIGHT]}
    sentence = {
        "raw_input": "Invoice for Ravi Traders, 10 bags cement @ 350, 18% GST, UPI",
        "business_id": business_id(),
    }
    responses = {
        "FraudDeployment": http.post("/api/v1/fraud/score", json=score, headers=headers),
        "InsightsDeployment": http.get(f"/api/v1/insights/{business_id()}", headers=headers),
        "ComplianceDeployment": http.post(
            "/api/v1/compliance/check", json={"invoice_id": gst_invoice}, headers=headers
        ),
        "InvoiceDeployment": http.post("/api/v1/invoice/generate", json=sentence, headers=headers),
        "AssistantDeployment": http.post(
            "/api/v1/generate/text",
            json={"prompt": "is 27AAPFU0939F1ZV a valid GSTIN?", "context": {}},
            headers=headers,
        ),
        "OcrDeployment": http.post(
            "/api/v1/ocr/extract-text",
            json={"image": base64.b64encode(encoded(page(BILL))).decode(), "format": "base64"},
        ),
    }
    return {name: response.status_code for name, response in responses.items()}


def node_ids(served: Served) -> tuple[str, list[str]]:
    """The head's node id and the workers' (alive)."""
    nodes = served.ray.alive_nodes()
    head = next(n["node_id"] for n in nodes if n["is_head_node"])
    return head, [n["node_id"] for n in nodes if not n["is_head_node"]]


def test_replicas_run_on_the_worker_and_requests_enter_at_the_head(
    served: Served, http: httpx.Client
) -> None:
    head, workers = node_ids(served)
    assert len(workers) == 1
    replicas = served.replicas()
    assert set(replicas) == {"Ingress", *MODELS}
    placed = {name: {r["node_id"] for r in rs} for name, rs in replicas.items()}
    assert all(nodes == {workers[0]} for nodes in placed.values()), placed
    proxies = served.ray.serve_details()["proxies"]
    assert {p["node_id"] for p in proxies.values()} == {head}  # proxy_location: HeadOnly

    assert each_model_answers(http) == dict.fromkeys(MODELS, 200)
    assert http.get("/health").status_code == 200


def test_metrics_cover_every_node(served: Served, http: httpx.Client) -> None:
    each_model_answers(http)
    deadline, families = time.monotonic() + 90, {}
    while time.monotonic() < deadline:  # replicas export their metrics every few seconds
        response = http.get("/metrics")
        assert response.status_code == 200
        families = {f.name: f for f in text_string_to_metric_families(response.text)}
        if "ray_ai_backend_predictions" in families:
            break
        time.sleep(2)
    node_types = {s.labels.get("RayNodeType") for s in families["ray_node_cpu_count"].samples}
    assert node_types == {"head", "worker"}
    served_by = {s.labels.get("deployment") for s in families["ray_ai_backend_predictions"].samples}
    assert served_by & set(MODELS)
    assert "ai_backend_up" in families


def test_losing_the_worker_node_is_survived(served: Served, http: httpx.Client) -> None:
    first = served.ray.nodes[1]
    _, (first_id,) = node_ids(served)
    gcs = next(p.pid for p in served.head.processes() if p.name() == "gcs_server")
    served.ray.add_node("worker-2", num_cpus=2)
    _, workers = node_ids(served)
    (second_id,) = set(workers) - {first_id}

    first.raylet().kill()  # SIGKILL: the node is gone, as when its pod or machine dies
    first.process.wait(timeout=60)  # `ray start` stops the rest of that node and exits
    deadline, placed, answers = time.monotonic() + 240, {}, {}
    while time.monotonic() < deadline:
        if served.healthy():
            placed = {n: {r["node_id"] for r in rs} for n, rs in served.replicas().items()}
            answers = each_model_answers(http)
            if all(nodes == {second_id} for nodes in placed.values()) and set(answers.values()) == {
                200
            }:
                break
        time.sleep(2)
    assert placed and all(nodes == {second_id} for nodes in placed.values()), served.ray.describe()
    assert answers == dict.fromkeys(MODELS, 200)
    assert first_id not in {n["node_id"] for n in served.ray.alive_nodes()}
    # The head, its GCS and the HTTP entry were never restarted: the same address serves.
    assert gcs in {p.pid for p in served.head.processes()}
    assert http.get("/health").status_code == 200
