"""The ingress's telemetry behind one interface (requests, results-cache lookups, business
events, Ray's node metrics), and its implementation without Ray. No Ray import."""

from __future__ import annotations

from collections import Counter
from typing import Protocol

BUSINESS_EVENTS = {
    "fraud_alerts": ("ai_backend_fraud_alerts", "type", "Fraud alerts first raised, by type"),
    "compliance_issues": ("ai_backend_compliance_issues", "type", "GST issues found, by type"),
    "insights": ("ai_backend_insights", "type", "Insights made (not from cache), by type"),
    "invoices_parsed": (
        "ai_backend_invoices_parsed",
        "result",
        "Invoice requests: drafted or refused",
    ),
    "assistant_answers": (
        "ai_backend_assistant_answers",
        "intent",
        "Chat messages answered, by what they asked",
    ),
    "ocr_images": (
        "ai_backend_ocr_images",
        "result",
        "Photos sent to OCR: read, blank (no text found) or refused (not a readable image)",
    ),
}
"""event -> (metric, its one tag, description): what the business side of the service did,
counted by kind only, never by business or user."""


class Telemetry(Protocol):
    """What the ingress tells its metrics, wherever it runs: RayTelemetry
    (serve_app/ray_telemetry.py) in a Serve replica, InProcessTelemetry in the app without Ray
    (the tests, bench/plain_app.py)."""

    def record_request(self, status: int, elapsed_ms: float) -> None:
        """One request served: its status and latency (the edge middleware, every request)."""

    def record_lookup(self, hit: bool) -> None:
        """One results-cache lookup (services/results.py): what ai_backend_cache_hit_rate reads."""

    def record_event(self, event: str, kind: str, n: int) -> None:
        """`n` business events of one kind; `event` is a key of BUSINESS_EVENTS."""

    async def node_metrics(self) -> list[str]:
        """The Prometheus text of every Ray node's metrics agent, for /metrics."""


class InProcessTelemetry(Telemetry):
    """Telemetry counted in this process's memory, for the app without Ray (there is no node to
    read metrics from): bounded by the few statuses, results and kinds there are. Refuses an
    event BUSINESS_EVENTS does not declare, as the Ray counters do."""

    def __init__(self) -> None:
        self.requests: Counter[int] = Counter()
        """Requests by status."""
        self.request_ms = 0.0
        """Their latencies, summed."""
        self.lookups: Counter[str] = Counter()
        """Results-cache lookups: "hit" or "miss"."""
        self.events: Counter[tuple[str, str]] = Counter()
        """Business events by (event, kind)."""

    def record_request(self, status: int, elapsed_ms: float) -> None:
        self.requests[status] += 1
        self.request_ms += elapsed_ms

    def record_lookup(self, hit: bool) -> None:
        self.lookups["hit" if hit else "miss"] += 1

    def record_event(self, event: str, kind: str, n: int) -> None:
        if event not in BUSINESS_EVENTS:
            raise KeyError(event)
        self.events[event, kind] += n

    async def node_metrics(self) -> list[str]:
        return []
