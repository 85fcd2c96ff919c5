"""`/metrics`: the ai_backend_* gauges of this deployment merged with Ray's own metrics.

No Ray import: Ray's text arrives through a `RaySource` (the ingress fans out to every node's
metrics agent). The gauges here are cluster-level facts that read the same whichever ingress
replica answers (features, dependency and model state); per-request counters and latencies are
recorded with ray.serve.metrics in the replicas and reach this page as `ray_ai_backend_*`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import Collector

logger = logging.getLogger("ai_backend")
RaySource = Callable[[], Awaitable[list[str]]]
"""Returns the Prometheus text of every Ray node's metrics agent."""
AccuracySource = Callable[[], Awaitable[dict[str, float]]]
"""Returns each model's accuracy (held-out blended with feedback: services/feedback.py)."""
STATUS_VALUE = {"healthy": 1.0, "degraded": 0.5, "unhealthy": 0.0}


def merge_families(texts: Iterable[str]) -> list[Metric]:
    """One family per name: nodes repeat HELP/TYPE lines; samples stay distinct by label."""
    merged: dict[str, Metric] = {}
    for text in texts:
        for family in text_string_to_metric_families(text):
            if family.name in merged:
                merged[family.name].samples.extend(family.samples)
            else:
                merged[family.name] = family
    return list(merged.values())


REQUESTS, LATENCY = "ray_ai_backend_http_requests", "ray_ai_backend_http_latency_ms"
LOOKUPS = "ray_ai_backend_cache_lookups"
WINDOW_S = 60.0


@dataclass(frozen=True)
class Traffic:
    """The cluster's ingress totals at one moment: summed over every node's replicas."""

    at: float
    requests: float
    errors: float
    latency_sum: float
    latency_count: float
    lookups: float = 0.0
    hits: float = 0.0

    @classmethod
    def of(cls, families: Iterable[Metric], at: float) -> Traffic:
        requests = errors = latency_sum = latency_count = lookups = hits = 0.0
        for family in families:
            if family.name == REQUESTS:
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        requests += sample.value
                        errors += sample.value if sample.labels.get("status", "")[:1] == "5" else 0
            elif family.name == LATENCY:
                for sample in family.samples:
                    if sample.name.endswith("_sum"):
                        latency_sum += sample.value
                    elif sample.name.endswith("_count"):
                        latency_count += sample.value
            elif family.name == LOOKUPS:
                for sample in family.samples:
                    if sample.name.endswith("_total"):
                        lookups += sample.value
                        hits += sample.value if sample.labels.get("result") == "hit" else 0.0
        return cls(at, requests, errors, latency_sum, latency_count, lookups, hits)


class TrafficWindow:
    """The last WINDOW_S of cluster totals: requests per minute, the share failing with 5xx and
    the mean latency over it. Every ingress replica computes the same cluster totals (from every
    node's metrics), so each tells the same story whichever is scraped. A total that falls (a
    replica restarted, its counters with it) starts the window again."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self._window = window_s
        self._seen: deque[Traffic] = deque()

    def add(self, now: Traffic) -> None:
        if self._seen and (
            now.requests < self._seen[-1].requests
            or now.latency_count < self._seen[-1].latency_count
            or now.lookups < self._seen[-1].lookups
        ):
            self._seen.clear()
        self._seen.append(now)
        while len(self._seen) > 2 and now.at - self._seen[1].at >= self._window:
            self._seen.popleft()

    def gauges(self) -> list[Metric]:
        if len(self._seen) < 2:
            return []
        first, last = self._seen[0], self._seen[-1]
        span = last.at - first.at
        if span <= 0:
            return []
        requests = last.requests - first.requests
        count = last.latency_count - first.latency_count
        values = {
            "ai_backend_requests_per_minute": (
                "Ingress requests per minute over the last minute, the whole cluster",
                requests / span * 60.0,
            ),
            "ai_backend_error_rate": (
                "Share of those requests answered 5xx (0 with no requests)",
                (last.errors - first.errors) / requests if requests > 0 else 0.0,
            ),
            "ai_backend_avg_response_time_ms": (
                "Mean ingress latency over the last minute (0 with no requests)",
                (last.latency_sum - first.latency_sum) / count if count > 0 else 0.0,
            ),
        }
        lookups = last.lookups - first.lookups
        if lookups > 0:  # no lookups, no rate: absent rather than a 0 that would alarm
            values["ai_backend_cache_hit_rate"] = (
                "Share of the results-cache lookups over the last minute that hit, the cluster",
                (last.hits - first.hits) / lookups,
            )
        out: list[Metric] = []
        for name, (help_text, value) in values.items():
            gauge = GaugeMetricFamily(name, help_text)
            gauge.add_metric([], round(value, 4))
            out.append(gauge)
        return out


def backend_gauges(
    health: Mapping[str, Any], features: Mapping[str, bool], uptime_s: float
) -> list[Metric]:
    up = GaugeMetricFamily("ai_backend_up", "1 while the ingress answers")
    up.add_metric([], 1.0)
    uptime = GaugeMetricFamily("ai_backend_uptime_seconds", "Seconds since this replica started")
    uptime.add_metric([], round(uptime_s, 1))
    feature = GaugeMetricFamily(
        "ai_backend_feature_enabled", "1 if the feature is enabled", labels=["feature"]
    )
    for name, enabled in sorted(features.items()):
        feature.add_metric([name], float(enabled))
    overall = GaugeMetricFamily(
        "ai_backend_health_status",
        "The whole service: 1 healthy, 0.5 degraded, 0 unhealthy (the cached detailed health)",
    )
    overall.add_metric([], STATUS_VALUE.get(str(health.get("status")), 0.0))
    dependency = GaugeMetricFamily(
        "ai_backend_component_health",
        "Per component: 1 healthy, 0.5 degraded, 0 down (the cached detailed health)",
        labels=["component"],
    )
    latency = GaugeMetricFamily(
        "ai_backend_component_check_seconds",
        "Latency of the last health check",
        labels=["component"],
    )
    model = GaugeMetricFamily(
        "ai_backend_model_info", "1 per loaded model version", labels=["model", "version"]
    )
    for component, check in sorted(health.get("checks", {}).items()):
        dependency.add_metric([component], STATUS_VALUE.get(check["status"], 0.0))
        latency.add_metric([component], float(check["response_time_ms"]) / 1000.0)
        for name, loaded in sorted(check.get("models", {}).items()):
            model.add_metric([name, loaded["version"]], 1.0)
    waiting = GaugeMetricFamily(
        "ai_backend_audit_rows_waiting",
        "Audit rows the database has not taken yet, by where they wait: shared (Redis, the"
        " cluster's), node (this node's file), memory (this replica's queue)",
        labels=["place"],
    )
    for place, rows in sorted(health.get("audit_rows_waiting", {}).items()):
        waiting.add_metric([place], float(rows))
    return [up, uptime, feature, overall, dependency, latency, model, waiting]


class _Families(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


def render(families: list[Metric]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(families))
    return generate_latest(registry)


async def no_accuracy() -> dict[str, float]:
    return {}


def accuracy_gauge(accuracy: Mapping[str, float]) -> list[Metric]:
    if not accuracy:
        return []
    gauge = GaugeMetricFamily(
        "ai_backend_model_accuracy",
        "Per model: held-out accuracy blended with user feedback (GET /api/v1/models/performance)",
        labels=["model"],
    )
    for name, value in sorted(accuracy.items()):
        gauge.add_metric([name], value)
    return [gauge]


class MetricsPage:
    """Renders /metrics; Ray's part is fetched at most every `ttl_s` (its pages are large)."""

    def __init__(
        self,
        health: Any,
        features: Mapping[str, bool],
        ray_source: RaySource,
        accuracy_source: AccuracySource = no_accuracy,
        ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._health, self._features, self._source, self._ttl = health, features, ray_source, ttl_s
        self._accuracy = accuracy_source
        self._clock = clock
        self._started = clock()
        self._ray: tuple[float, list[Metric]] | None = None
        self._traffic = TrafficWindow()
        self._lock = asyncio.Lock()

    async def _ray_families(self) -> list[Metric]:
        async with self._lock:
            if self._ray is None or self._clock() - self._ray[0] > self._ttl:
                try:
                    families = merge_families(await asyncio.wait_for(self._source(), 5.0))
                except Exception as exc:  # a metrics outage must not break the page
                    logger.warning("Ray metrics unavailable: %s", type(exc).__name__)
                    families = []
                now = self._clock()
                if families:
                    self._traffic.add(Traffic.of(families, now))
                self._ray = (now, families)
            return self._ray[1]

    async def render(self, scope: str = "all") -> bytes:
        """scope "all": Ray's families of every node and ours; "app": ours only, for a
        Prometheus that already scrapes Ray's nodes itself (KubeRay's PodMonitors)."""
        detail = await self._health.detailed()
        ray_families = await self._ray_families()
        uptime = self._clock() - self._started
        try:
            accuracy = await self._accuracy()
        except Exception as exc:  # the database is down: the page still answers, without it
            logger.warning("model accuracy unavailable: %s", type(exc).__name__)
            accuracy = {}
        own = [
            *backend_gauges(detail, self._features, uptime),
            *self._traffic.gauges(),
            *accuracy_gauge(accuracy),
        ]
        return render(own if scope == "app" else [*ray_families, *own])
