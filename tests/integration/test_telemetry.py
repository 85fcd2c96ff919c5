"""A real Prometheus (the Debian package) scraping the real Serve app under traffic, configured
as monitoring/prometheus.yml is (every Ray node through Ray's own discovery file, the ingress's
own gauges at /metrics?scope=app) with monitoring/alerts.yml loaded: every Grafana panel query
and the measured side of every alert returns data, or is listed below as possibly empty with
the reason; every rule evaluates without error; promtool accepts the /metrics page.

Runs after test_serving.py (file order), so it finds the counters that tier's journeys raised
and changes nothing those tests count."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from testkit.factories import business_id, demo_books, owner_headers
from tests.integration.conftest import Stack
from tests.support.services import PrometheusServer

MONITORING = PROJECT_ROOT / "monitoring"
DASHBOARDS = sorted((MONITORING / "grafana" / "dashboards").glob("*.json"))
MAYBE_EMPTY = {
    'sum(rate(ai_backend_http_requests_total{status=~"5.."}[5m]))'
    " / sum(rate(ai_backend_http_requests_total[5m]))": "no request failed with 5xx: the "
    "ratio's numerator has no series (test_serving's outage tests do make some)",
    'sum(rate(ai_backend_http_requests_total{status=~"5.."}[2m]))'
    " / sum(rate(ai_backend_http_requests_total[2m]))": "the same, over 2 minutes",
}
"""Expressions that may have no data on a healthy stack, and why."""


def one_line(expr: str) -> str:
    return " ".join(expr.split())


def panel_queries() -> list[tuple[str, str]]:
    return [
        (f"{path.stem}: {panel['title']}", one_line(target["expr"]))
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        for target in panel["targets"]
        if target["datasource"]["type"] == "prometheus"
    ]


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def measured_side(expr: str) -> str:
    """The left of an alert's one top-level comparison (`X > 0.1` -> `X`): what the alert
    watches, which has data on a healthy stack although the alert does not fire."""
    depth, quoted, cut = 0, False, None
    for i, char in enumerate(expr):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "({[":
            depth += 1
        elif not quoted and char in ")}]":
            depth -= 1
        elif not quoted and depth == 0 and char in "<>=!" and expr[i - 1] == " ":
            cut = i
    assert cut is not None, expr
    return one_line(expr[:cut])


def test_the_measured_side_of_an_alert_is_cut_at_its_top_level_comparison() -> None:
    assert measured_side('up{job="ai_backend"} == 0') == 'up{job="ai_backend"}'
    assert measured_side('sum(rate(x{s=~"5.."}[5m])) / sum(rate(x[5m])) > 0.05') == (
        'sum(rate(x{s=~"5.."}[5m])) / sum(rate(x[5m]))'
    )
    assert measured_side("max by (model) (a) < 0.7") == "max by (model) (a)"


@pytest.fixture(scope="module")
def prometheus(stack: Stack) -> Iterator[PrometheusServer]:
    import ray
    from ray._private.ray_constants import PROMETHEUS_SERVICE_DISCOVERY_FILE

    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(MONITORING / "alerts.yml")]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    session = Path(ray._private.worker._global_node.get_session_dir_path())
    jobs["ray"]["file_sd_configs"] = [{"files": [str(session / PROMETHEUS_SERVICE_DISCOVERY_FILE)]}]
    jobs["ai_backend"]["static_configs"] = [{"targets": [stack.base_url.removeprefix("http://")]}]
    server = PrometheusServer(config)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def traffic(http: httpx.Client, first: bool) -> None:
    """One round of what the app's screens do, plus a refused and a missing request. The public
    invoice parser once only: it allows 30 a minute per address, which test_serving.py has just
    spent on purpose (a 429 then; its own parses were counted)."""
    headers = owner_headers()
    invoice = next(label.subject_ids[0] for label in demo_books()[0].labels
                   if label.type == "gst_mismatch")  # fmt: skip
    calls = [
        http.post("/api/v1/fraud/analyze", json={"business_id": business_id()}, headers=headers),
        http.get(f"/api/v1/insights/{business_id()}", headers=headers),
        http.post("/api/v1/compliance/check", json={"invoice_id": invoice}, headers=headers),
        http.get("/api/v1/models/performance", headers=headers),
        http.post(
            "/api/v1/generate/text",
            json={"prompt": "who owes me the most?", "context": {"business_id": business_id()}},
            headers=headers,
        ),
    ]
    assert [c.status_code for c in calls] == [200] * len(calls)
    if first:
        # a photo that is not one: the OCR counters, without a second of Tesseract
        refused = {"image": "eA==", "format": "base64"}
        assert http.post("/api/v1/ocr/extract-text", json=refused).status_code in (422, 429)
        sentence = {"text": "Invoice for Om Traders, 3 bags cement at 380", "business_id": "x"}
        assert http.post("/api/nlp/process-invoice", json=sentence).status_code in (200, 429)
    assert http.post("/api/v1/fraud/analyze", json={}, headers=headers).status_code == 422
    assert http.get("/api/v1/no-such-route").status_code == 404


def test_every_panel_and_alert_reads_data_from_a_real_prometheus(
    prometheus: PrometheusServer, http: httpx.Client
) -> None:
    wanted = [q for _, q in panel_queries()] + [measured_side(r["expr"]) for r in alert_rules()]
    deadline, empty, first = time.monotonic() + 120, wanted, True
    while time.monotonic() < deadline:  # Ray exports replica metrics every few seconds
        traffic(http, first)
        first = False
        time.sleep(3)
        empty = [q for q in wanted if q not in MAYBE_EMPTY and not prometheus.query(q)]
        if not empty:
            break
    titles = {q: t for t, q in panel_queries()}
    assert empty == [], [titles.get(q, q) for q in empty]

    rules = httpx.get(f"{prometheus.url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    loaded = [r for group in rules for r in group["rules"]]
    assert {r["name"] for r in loaded} == {r["alert"] for r in alert_rules()}
    assert [(r["name"], r["lastError"]) for r in loaded if r["health"] != "ok"] == []
    firing = {r["name"] for r in loaded if r["state"] == "firing"}
    assert "AIBackendDown" not in firing and "AIBackendDatabaseDown" not in firing

    targets = httpx.get(f"{prometheus.url}/api/v1/targets", timeout=10).json()["data"]
    health = {(t["labels"]["job"], t["health"]) for t in targets["activeTargets"]}
    assert health == {("ray", "up"), ("ai_backend", "up")}


IN_MILLISECONDS = {
    "ai_backend_avg_response_time_ms",  # named by the deployment guide
    "ai_backend_http_latency_ms",  # as Ray Serve's own latency families
    "ai_backend_model_latency_ms",
}
"""Kept in ms although promtool's linter prefers base units."""


def lint_findings(page: str) -> list[str]:
    """promtool's lint findings on a page; a page it cannot parse fails here (exit 1), lint
    findings alone exit 3."""
    done = subprocess.run(
        ["promtool", "check", "metrics"], input=page, capture_output=True, text=True
    )
    assert done.returncode in (0, 3), done.stdout + done.stderr
    return [line for line in done.stderr.splitlines() if line.strip()]


def ours(finding: str) -> bool:
    """A finding about this project's naming. Ray's own families (ray_*) are Ray's to name; the
    ones it exports for us (ray_ai_backend_*) carry label keys Ray adds in camelCase
    (SessionName, WorkerId), which no scrape config can change."""
    name, problem = finding.split(" ", 1)
    own = name.removeprefix("ray_")
    if not own.startswith("ai_backend_"):
        return False
    if "camelCase" in problem and name.startswith("ray_"):
        return False
    return not ("abbreviated units" in problem and own.removesuffix("_bucket") in IN_MILLISECONDS)


def test_promtool_accepts_the_metrics_page_of_the_running_app(http: httpx.Client) -> None:
    assert ours("ai_backend_x_ms metric names should not contain abbreviated units")
    assert ours('ray_ai_backend_x counter metrics should have "_total" suffix')
    assert not ours("ray_x label names should be written in 'snake_case' not 'camelCase'")
    for scope in ("all", "app"):
        page = http.get("/metrics", params={"scope": scope}).text
        assert "ai_backend_health_status" in page and "ai_backend_model_accuracy" in page
        assert [f for f in lint_findings(page) if ours(f)] == []
    every = http.get("/metrics").text
    assert "ray_serve_" in every
    guide = (
        "ai_backend_health_status",
        "ai_backend_cache_hit_rate",
        "ai_backend_model_accuracy",
        "ai_backend_component_health",
        "ai_backend_requests_per_minute",
    )
    assert all(f"# TYPE {name} gauge" in every for name in guide)


def gauges(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }


CLUSTER_FACTS = (
    "ai_backend_health_status",
    "ai_backend_component_health",
    "ai_backend_model_accuracy",
    "ai_backend_feature_enabled",
    "ai_backend_model_info",
)
"""Gauges read from shared state (the health checks, the database, the models): equal on every
ingress replica at any moment."""


def test_one_request_id_in_the_ingress_the_model_replica_the_audit_log_and_the_audit_row(
    stack: Stack, http: httpx.Client
) -> None:
    """T57: one inline GST check through the Ingress to ComplianceDeployment. The id the
    response carries (X-Request-ID, the server's own, not the caller's) is the one in the audit
    log line, the ai_analysis_results row and the compliance replica's own Serve log line for the
    call. (A fraud score is batched with others before the hop, and travels under the id of the
    request that started its batch.)"""
    import asyncio

    import ray
    from sqlalchemy import text

    from testkit.stores import setup_store

    invoice = {
        "invoice_number": "INV-0101", "invoice_date": "2025-10-15",
        "business_gstin": "27AAPFU0939F1ZV", "customer_name": "Walk-in customer",
        "items": [{"name": "Cement OPC 53", "hsn_code": "252329", "quantity": 100,
                   "unit_price": 365, "tax_rate": 28}],
        "subtotal": 36500, "tax_amount": 10220, "total_amount": 46720,
    }  # fmt: skip
    response = http.post(
        "/api/v1/compliance/validate",
        headers={**owner_headers(), "X-Request-ID": "made-up-by-the-caller"},
        json=invoice,
    )
    assert response.status_code == 200, response.text
    rid = response.headers.get_list("x-request-id")[0]
    assert rid != "made-up-by-the-caller" and len(rid) == 32

    def lines(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    async def stored() -> list[str]:
        store = setup_store(stack.postgres.url)
        try:
            async with store.engine.connect() as conn:
                found = await conn.execute(
                    text("SELECT id FROM ai_analysis_results WHERE summary::jsonb->>'request_id'"
                         " = :rid"),
                    {"rid": rid},
                )  # fmt: skip
                return [row[0] for row in found]
        finally:
            await store.close()

    logs = Path(ray._private.worker.global_worker.node.get_logs_dir_path()) / "serve"
    deadline, replica_lines, rows = time.monotonic() + 30, [], []
    while time.monotonic() < deadline and not (replica_lines and rows):
        time.sleep(1)
        rows = asyncio.run(stored())
        replica_lines = [
            entry
            for path in logs.glob("replica_fineasy_ComplianceDeployment_*.log")
            for entry in lines(path)
            if entry.get("request_id") == rid
        ]
    assert len(rows) == 1, rows  # the audit row, stored once
    assert replica_lines and all("ComplianceDeployment" in e["deployment"] for e in replica_lines)
    audit_log = stack.log_dir / "audit" / "ai_audit.log"
    audited = [e for e in lines(audit_log) if e.get("request_id") == rid]
    assert len(audited) == 1 and audited[0]["client_request_id"] == "made-up-by-the-caller"


def test_a_second_ingress_replica_reports_the_same_cluster_gauges(
    stack: Stack, http: httpx.Client
) -> None:
    """Runs last but one: it leaves two ingress replicas (for the last). Each page is told apart
    by its replica's start (now - ai_backend_uptime_seconds); both must report the cluster's
    facts alike and the whole cluster's request rate, not their own share of it."""
    app = stack.config["applications"][0]
    ingress = next(d for d in app["deployments"] if d["name"] == "Ingress")
    ingress["autoscaling_config"]["min_replicas"] = 2
    stack.deploy()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = yaml.safe_load(stack.status())["applications"]["fineasy"]["deployments"]
        replicas = status["Ingress"]["replica_states"]
        if replicas.get("RUNNING") == 2:
            break
        time.sleep(2)
    else:
        pytest.fail(f"no second Ingress replica: {replicas}")

    per_second, scrapes = 10, 4
    pages: dict[int, tuple[float, dict[Any, float]]] = {}
    started = time.monotonic()
    while time.monotonic() - started < 150:
        tick = time.monotonic()
        for _ in range(per_second):
            http.get("/health/live")
        # A few scrapes at once: HAProxy sends one connection at a time to the same replica
        # while the other is idle, so sequential scrapes could all land on one.
        with ThreadPoolExecutor(scrapes) as pool:
            scraped = list(pool.map(lambda _: http.get("/metrics", params={"scope": "app"}),
                                    range(scrapes)))  # fmt: skip
        for response in scraped:
            seen = gauges(response.text)
            uptime = seen[("ai_backend_uptime_seconds", ())]
            born = round(time.time() - uptime)
            replica = next((b for b in pages if abs(b - born) <= 3), born)
            pages[replica] = (time.monotonic(), seen)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        fresh = [p for at, p in pages.values() if time.monotonic() - at < 5]
        if time.monotonic() - started > 75 and len(fresh) == 2:
            break
    fresh = [p for at, p in pages.values() if time.monotonic() - at < 5]
    assert len(fresh) == 2, f"pages from {len(pages)} replicas"
    first, second = fresh
    for name in CLUSTER_FACTS:
        mine = {k: v for k, v in first.items() if k[0] == name}
        assert mine and mine == {k: v for k, v in second.items() if k[0] == name}, name
    # About (per_second + scrapes) x 60 requests a minute reach the cluster; a replica
    # reporting its own share would say about half of that.
    sent = (per_second + scrapes) * 60
    for page in (first, second):
        rate = page[("ai_backend_requests_per_minute", ())]
        assert 0.75 * sent < rate < 1.5 * sent, rate


def test_one_of_two_ingress_replicas_killed_costs_nothing_after_the_clients_retry(
    stack: Stack,
) -> None:
    """T3, last (the test before leaves two Ingress replicas; scaling back takes Serve's 2-minute
    downscale delay, which no later test waits for): one of them killed under traffic. Requests
    it held fail on their first attempt (HAProxy's 5xx: the app cannot answer for its own death);
    the client's one retry 2 s later reaches the other replica or the new one Serve starts, so
    nothing fails in the end."""
    from tests.integration.test_faults import alive_actors, killed_one_of_two
    from tests.support.traffic import Traffic

    assert len(alive_actors("Ingress")) == 2
    with Traffic(stack.base_url, callers=4, every_s=0.2) as traffic:
        time.sleep(2)
        killed_one_of_two("Ingress")
        time.sleep(8)
    assert len(traffic.statuses) > 40 and traffic.failed == [], traffic.statuses
