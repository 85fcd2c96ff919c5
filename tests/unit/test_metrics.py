from prometheus_client.parser import text_string_to_metric_families

from serve_app.metrics import merge_families, render

NODE = """# HELP ray_serve_num_http_requests_total Requests.
# TYPE ray_serve_num_http_requests_total counter
ray_serve_num_http_requests_total{node="%s"} %d
"""


def test_families_from_several_nodes_are_merged_once() -> None:
    families = merge_families([NODE % ("a", 3), NODE % ("b", 4)])
    text = render(families).decode()
    assert text.count("# TYPE ray_serve_num_http_requests") == 1
    parsed = {
        s.labels["node"]: s.value for f in text_string_to_metric_families(text) for s in f.samples
    }
    assert parsed == {"a": 3.0, "b": 4.0}


CLUSTER = """# HELP ray_ai_backend_http_requests_total Requests.
# TYPE ray_ai_backend_http_requests_total counter
ray_ai_backend_http_requests_total{replica="a",status="200"} %(ok_a)d
ray_ai_backend_http_requests_total{replica="b",status="200"} %(ok_b)d
ray_ai_backend_http_requests_total{replica="b",status="503"} %(failed)d
# HELP ray_ai_backend_http_latency_ms Latency.
# TYPE ray_ai_backend_http_latency_ms histogram
ray_ai_backend_http_latency_ms_bucket{replica="a",le="+Inf"} %(count)d
ray_ai_backend_http_latency_ms_sum{replica="a"} %(sum)f
ray_ai_backend_http_latency_ms_count{replica="a"} %(count)d
"""


class FakeHealth:
    async def detailed(self) -> dict[str, object]:
        return {"status": "degraded", "checks": {}}


def window_gauges(
    template: str, pages: list[dict[str, float]], times: list[float]
) -> list[dict[str, float]]:
    """Our gauges (/metrics?scope=app) after each of `pages` (filling `template`, one node's
    text) arrives at its time in `times`."""
    import asyncio

    from serve_app.metrics import MetricsPage

    now = [0.0]
    current: dict[str, float] = {}

    async def source() -> list[str]:
        return [template % current]

    page = MetricsPage(FakeHealth(), {}, source, ttl_s=1.0, clock=lambda: now[0])
    found = []
    for t, values in zip(times, pages, strict=True):
        now[0], current = t, values
        text = asyncio.run(page.render("app")).decode()
        found.append(
            {x.name: x.value for f in text_string_to_metric_families(text) for x in f.samples}
        )
    return found


def test_traffic_gauges_are_cluster_totals_over_the_last_minute() -> None:
    """Two nodes' pages summed; requests per minute, 5xx share and mean latency between the
    oldest and newest sample of the window; a counter that falls starts the window again."""
    pages = [
        {"ok_a": 100, "ok_b": 50, "failed": 10, "count": 160, "sum": 1600.0},  # t=0
        {"ok_a": 130, "ok_b": 80, "failed": 10, "count": 220, "sum": 2800.0},  # t=30
        {"ok_a": 160, "ok_b": 110, "failed": 30, "count": 300, "sum": 4400.0},  # t=60
        {"ok_a": 5, "ok_b": 110, "failed": 30, "count": 145, "sum": 2900.0},  # a restarted
    ]
    found = window_gauges(CLUSTER, pages, [0.0, 30.0, 60.0, 90.0])
    assert "ai_backend_requests_per_minute" not in found[0]  # one sample: no window yet
    assert found[1]["ai_backend_requests_per_minute"] == 120.0  # 60 requests in 30 s
    assert found[1]["ai_backend_error_rate"] == 0.0
    assert found[1]["ai_backend_avg_response_time_ms"] == 20.0  # 1,200 ms over 60
    assert found[2]["ai_backend_requests_per_minute"] == 140.0  # 140 in the 60 s window
    assert found[2]["ai_backend_error_rate"] == round(20 / 140, 4)
    assert "ai_backend_requests_per_minute" not in found[3]  # totals fell: window restarts
    assert found[3]["ai_backend_health_status"] == 0.5
    assert not any(name.startswith("ray_") for name in found[2])  # scope=app


LOOKUPS = """# HELP ray_ai_backend_cache_lookups_total Lookups.
# TYPE ray_ai_backend_cache_lookups_total counter
ray_ai_backend_cache_lookups_total{replica="a",result="hit"} %(hit_a)d
ray_ai_backend_cache_lookups_total{replica="b",result="hit"} %(hit_b)d
ray_ai_backend_cache_lookups_total{replica="b",result="miss"} %(miss)d
"""


def test_the_cache_hit_rate_is_the_clusters_over_the_last_minute() -> None:
    """Hits over lookups of every ingress replica between the window's ends; absent while
    nothing was looked up (a 0 would set off the low-hit-rate alert on an idle service)."""
    pages = [
        {"hit_a": 10, "hit_b": 5, "miss": 5},  # t=0
        {"hit_a": 10, "hit_b": 5, "miss": 5},  # t=30: nothing looked up
        {"hit_a": 40, "hit_b": 15, "miss": 25},  # t=60: 40 hits of 60 lookups
    ]
    found = window_gauges(LOOKUPS, pages, [0.0, 30.0, 60.0])
    assert (
        "ai_backend_cache_hit_rate" not in found[0] and "ai_backend_cache_hit_rate" not in found[1]
    )
    assert found[2]["ai_backend_cache_hit_rate"] == round(40 / 60, 4)


def test_audit_rows_waiting_are_a_gauge_by_place() -> None:
    from serve_app.metrics import backend_gauges

    health = {"status": "degraded", "checks": {}, "audit_rows_waiting": {"shared": 40, "node": 2}}
    page = render(backend_gauges(health, {}, 1.0)).decode()
    samples = {
        s.labels["place"]: s.value
        for family in text_string_to_metric_families(page)
        if family.name == "ai_backend_audit_rows_waiting"
        for s in family.samples
    }
    assert samples == {"shared": 40.0, "node": 2.0}
