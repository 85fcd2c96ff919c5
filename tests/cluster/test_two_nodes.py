"""The app on more than one Ray node: requests enter at the head (HAProxy, Serve's controller)
and are served by replicas on a worker node; /metrics covers every node; losing the worker's
raylet is survived once another worker is there, as on Kubernetes when a worker pod dies and
the worker group keeps its count; a worker stopped the graceful way (its pod's preStop,
`fineasy drain`) hands its replicas over with no failed request. The last two tests replace
workers, so they run last, in this order."""

from __future__ import annotations

import base64
import contextlib
import logging
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from testkit.factories import (
    CASH_WITHDRAWAL_AT_NIGHT,
    business_id,
    demo_books,
    owner_headers,
)
from testkit.images import BILL, encoded, page
from tests.cluster.conftest import Served
from tests.support.traffic import Traffic

logger = logging.getLogger(__name__)
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


def entry_answers(base_url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{base_url}/health/live", timeout=5).status_code == 200
    return False


def test_the_gcs_lost_with_its_state_in_redis_fails_no_request(
    served: Served, http: httpx.Client
) -> None:
    """T9: the GCS killed on the head, whose state lives in its own Redis. `ray start` then stops
    the rest of the head, as the head's container exits on Kubernetes; the head is started again
    with the same Redis, as KubeRay restarts the pod. Meanwhile the replicas on the worker keep
    serving (the data path needs no GCS): no request fails, no replica is restarted, and Serve
    is RUNNING again on the new head. Here the HTTP entry itself is on the head (on Kubernetes
    it is every worker's, which a head restart does not touch): while the new head's proxy takes
    its port over from the old HAProxy (which outlived its head and served on meanwhile), the
    entry refuses connections for some seconds (measured here: about 10) or answers 404 before
    its routes arrive. Those are the only failures; every request after is answered."""
    before = {n: sorted(r["pid"] for r in rs) for n, rs in served.replicas().items()}
    with Traffic(served.base_url, callers=1, every_s=0.25) as scoring:
        time.sleep(3)
        gcs = next(p for p in served.head.processes() if p.name() == "gcs_server")
        gcs.kill()
        served.head.process.wait(timeout=60)  # the head goes with its GCS
        served.head = served.ray.start_head(num_cpus=0, name="head-2", env=served.gcs_ft)
        served.wait_until_healthy()
        # Serve reports healthy before the new head's proxy has the entry's port: the entry is
        # back when it answers.
        deadline = time.monotonic() + 60
        while not entry_answers(served.base_url):
            assert time.monotonic() < deadline, served.ray.describe()
            time.sleep(0.5)
        time.sleep(3)
    after = {n: sorted(r["pid"] for r in rs) for n, rs in served.replicas().items()}
    assert after == before
    assert len(scoring.statuses) > 20, scoring.statuses
    assert set(scoring.failed) <= {0, 404}, scoring.statuses  # the entry's, never the app's
    assert set(scoring.statuses[-8:]) == {200}, scoring.statuses  # answered once it is back
    logger.info("failed: %s of %d", scoring.failed, len(scoring.statuses))
    assert each_model_answers(http) == dict.fromkeys(MODELS, 200)


def test_a_worker_pod_stopped_gracefully_hands_its_replicas_over_with_no_failed_request(
    served: Served, http: httpx.Client
) -> None:
    """A worker pod deleted (a node drained, a scale-down, an upgrade) runs its preStop first,
    `fineasy drain` (k8s/rayservice.yaml): Ray drains the node, Serve starts each replica on the
    other worker and stops the old ones gracefully. A client scoring all along sees no failure."""
    first = next(n for n in served.ray.nodes if n.name == "worker-1")
    _, (first_id,) = node_ids(served)
    served.ray.add_node("worker-2", num_cpus=2)
    _, workers = node_ids(served)
    (second_id,) = set(workers) - {first_id}

    with Traffic(served.base_url, callers=1, every_s=0.25, retry_once=False) as scoring:
        drained = subprocess.run(
            [str(Path(sys.executable).parent / "fineasy"), "drain", "--node-id", first_id,
             "--deadline", "150"],
            env={**served.ray.environ, "RAY_ADDRESS": served.ray.address},
            capture_output=True, text=True, timeout=240,
        )  # fmt: skip
        time.sleep(2)
    assert drained.returncode == 0, drained.stdout + drained.stderr
    placed = {n: {r["node_id"] for r in rs} for n, rs in served.replicas().items()}
    assert all(nodes == {second_id} for nodes in placed.values()), served.ray.describe()
    assert scoring.statuses and scoring.failed == [], sorted(set(scoring.statuses))
    first.stop()  # then the pod ends
    deadline = time.monotonic() + 60
    while first_id in {n["node_id"] for n in served.ray.alive_nodes()}:
        assert time.monotonic() < deadline, served.ray.describe()
        time.sleep(1)
    assert each_model_answers(http) == dict.fromkeys(MODELS, 200)


def test_losing_the_worker_node_is_survived(served: Served, http: httpx.Client) -> None:
    _, (serving_id,) = node_ids(served)
    serving = next(n for n in served.ray.nodes if n.name.startswith("worker") and n.alive())
    gcs = next(p.pid for p in served.head.processes() if p.name() == "gcs_server")
    served.ray.add_node("worker-3", num_cpus=2)
    _, workers = node_ids(served)
    (second_id,) = set(workers) - {serving_id}

    serving.raylet().kill()  # SIGKILL: the node is gone, as when its pod or machine dies
    serving.process.wait(timeout=60)  # `ray start` stops the rest of that node and exits
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
    assert serving_id not in {n["node_id"] for n in served.ray.alive_nodes()}
    # The head, its GCS and the HTTP entry were never restarted: the same address serves.
    assert gcs in {p.pid for p in served.head.processes()}
    assert http.get("/health").status_code == 200
