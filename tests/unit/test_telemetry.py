"""The in-process telemetry: what the app tier reads its counts from, held to the rules the Ray
counters keep."""

from __future__ import annotations

import pytest

from serve_app.infra.telemetry import InProcessTelemetry


def test_requests_lookups_and_events_are_counted_by_kind_only() -> None:
    telemetry = InProcessTelemetry()
    telemetry.record_request(200, 12.5)
    telemetry.record_request(503, 7.5)
    telemetry.record_request(200, 5.0)
    telemetry.record_lookup(False)
    telemetry.record_lookup(True)
    telemetry.record_event("fraud_alerts", "duplicate_invoice", 2)
    telemetry.record_event("fraud_alerts", "duplicate_invoice", 1)
    assert (telemetry.requests, telemetry.request_ms) == ({200: 2, 503: 1}, 25.0)
    assert telemetry.lookups == {"miss": 1, "hit": 1}
    assert telemetry.events == {("fraud_alerts", "duplicate_invoice"): 3}


def test_an_event_no_counter_declares_is_refused_as_by_ray() -> None:
    with pytest.raises(KeyError, match="fraud_alert"):
        InProcessTelemetry().record_event("fraud_alert", "duplicate_invoice", 1)


async def test_without_ray_there_are_no_node_metrics() -> None:
    assert await InProcessTelemetry().node_metrics() == []
