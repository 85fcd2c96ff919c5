"""RayTelemetry: the ingress's telemetry in a Serve replica, recorded with ray.serve.metrics
(exported by Ray as ray_ai_backend_*) and read back from every Ray node's metrics agent."""

from __future__ import annotations

import asyncio

import httpx
import ray
from ray.serve import metrics

from kernel.latency import LATENCY_BUCKETS_MS
from serve_app.infra.telemetry import BUSINESS_EVENTS, Telemetry


class RayTelemetry(Telemetry):
    """Per-request counters and latency, cache lookups and business events as Ray metrics.
    Built in the replica (Ray's metrics belong to the process that records them)."""

    def __init__(self) -> None:
        self._requests = metrics.Counter(
            "ai_backend_http_requests",
            description="HTTP requests served by the ingress",
            tag_keys=("route", "status"),
        )
        self._latency = metrics.Histogram(
            "ai_backend_http_latency_ms",
            description="Ingress request latency",
            boundaries=list(LATENCY_BUCKETS_MS),
            tag_keys=("route",),
        )
        self._lookups = metrics.Counter(
            "ai_backend_cache_lookups",
            description="Results-cache lookups by the ingress, by result (hit or miss)",
            tag_keys=("result",),
        )
        self._events = {
            event: metrics.Counter(name, description=description, tag_keys=(tag,))
            for event, (name, tag, description) in BUSINESS_EVENTS.items()
        }

    def record_request(self, status: int, elapsed_ms: float) -> None:
        self._requests.inc(tags={"status": str(status)})
        # tags must be a dict: Ray 2.60 fills `route` into it and fails on None.
        self._latency.observe(elapsed_ms, tags={})

    def record_lookup(self, hit: bool) -> None:
        self._lookups.inc(tags={"result": "hit" if hit else "miss"})

    def record_event(self, event: str, kind: str, n: int) -> None:
        tag = BUSINESS_EVENTS[event][1]
        self._events[event].inc(n, tags={tag: kind})

    async def node_metrics(self) -> list[str]:
        """Every alive node's metrics-agent page: what the cluster's Prometheus would scrape."""
        nodes = [n for n in await asyncio.to_thread(ray.nodes) if n.get("Alive")]
        async with httpx.AsyncClient(timeout=2.0) as client:
            pages = await asyncio.gather(
                *(
                    client.get(f"http://{n['NodeManagerAddress']}:{n['MetricsExportPort']}/metrics")
                    for n in nodes
                ),
                return_exceptions=True,
            )
        return [p.text for p in pages if isinstance(p, httpx.Response) and p.status_code == 200]
