"""Insights latency: in-process, then GET /api/v1/insights/{id} through a real local Ray Serve
app (SQLite demo books, in-process cache), cold (books changed, so recomputed) and cached.
Prints numbers; asserts nothing.

    .venv/bin/python bench/insights_bench.py [--cold 5] [--cached 50]

Uses var/models/{fraud,insights}/v1 (`make train`). Starts its own local Ray and stops it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import DEMO_END, MODELS, SECRET, percentile, served_app, touch
from demo_data.generate import generate_dataset
from deployments.hosting.artifacts import load_artifact
from deployments.insights.predictor import InsightsPredictor
from kernel.books import books_from_rows
from kernel.models.insights import InsightsTuning
from serve_app import serve_config
from serve_app.infra.auth import mint_token

NOW = dt.datetime.combine(DEMO_END + dt.timedelta(days=1), dt.time(10), dt.UTC)


def in_process() -> None:
    models, manifest = load_artifact(MODELS, "insights", "v1")
    predictor = InsightsPredictor(models, serve_config.load().tuning(InsightsTuning))
    print(f"model {manifest.version} ({manifest.sha256[:12]}), in-process, 1 OMP thread")
    for generated in generate_dataset(42, 2, DEMO_END):
        books = books_from_rows(generated.rows())
        predictor.report(books, NOW)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            report = predictor.report(books, NOW)
            runs.append((time.perf_counter() - started) * 1000)
        print(
            f"  insights for one business ({report.history_months} months, "
            f"{len(books.invoices)} invoices, {len(books.transactions)} transactions): "
            f"median {statistics.median(runs):.1f} ms, {len(report.insights)} insights"
        )
    values = [100_000.0 + 1000 * i for i in range(24)]
    # The same series again (the combination's fits are cached), then a new one each time
    # (AutoETS and AutoTheta fitted for real).
    for label, series in (
        ("the same one again", lambda _k: values),
        (
            "a new one each time",
            lambda k: [v * (1 + 0.01 * ((i * 7 + k) % 5)) for i, v in enumerate(values)],
        ),
    ):
        runs = []
        for k in range(20):
            one = series(k)
            started = time.perf_counter()
            predictor.forecast(dt.date(2024, 11, 1), one, 3)
            runs.append((time.perf_counter() - started) * 1000)
        print(f"  forecast a 24-month series ({label}): median {statistics.median(runs):.2f} ms")


def over_http(
    base: str, database: Path, businesses: list[tuple[str, str]], cold_runs: int, cached_runs: int
) -> None:
    print("through Ray Serve (proxy -> Ingress -> InsightsDeployment), SQLite store, memory cache")
    print(f"  {'business':<10}{'cold p50':>10}{'cold max':>10}{'cached p50':>12}{'cached p99':>12}")
    with httpx.Client(base_url=base, timeout=60) as client:
        for business_id, owner in businesses:
            headers = {"Authorization": f"Bearer {mint_token(SECRET, owner)}"}
            path = f"/api/v1/insights/{business_id}"
            cold = []
            for _ in range(cold_runs):
                touch(database, business_id)
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                cold.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            cached = []
            for _ in range(cached_runs):
                started = time.perf_counter()
                client.get(path, headers=headers)
                cached.append((time.perf_counter() - started) * 1000)
            print(
                f"  {business_id[:8]:<10}{statistics.median(cold):>9.0f}ms{max(cold):>8.0f}ms"
                f"{percentile(cached, 0.5):>10.1f}ms{percentile(cached, 0.99):>10.1f}ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--cached", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    in_process()
    with served_app() as app:
        over_http(app.base_url, app.database, app.businesses, args.cold, args.cached)


if __name__ == "__main__":
    main()
