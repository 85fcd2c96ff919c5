"""The one set of latency buckets (ms) of the project's histograms: a request at the ingress
(ai_backend_http_latency_ms) and a call in a model replica (ai_backend_model_latency_ms), so the
two compare bucket for bucket. From 1 ms to 20 s, a request's default time budget."""

LATENCY_BUCKETS_MS = (
    1.0,
    5.0,
    10.0,
    25.0,
    50.0,
    100.0,
    250.0,
    500.0,
    1000.0,
    2500.0,
    5000.0,
    10000.0,
    20000.0,
)
