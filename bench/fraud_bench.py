"""Fraud latency and throughput: in-process, then over HTTP through a real local Ray Serve app
(SQLite demo books, in-process cache). Prints numbers; asserts nothing.

    .venv/bin/python bench/fraud_bench.py [--requests 200]

Uses var/models/fraud/v1 (`make train`). Starts its own local Ray on free ports and stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import DEMO_END, MODELS, SECRET, TXN, percentile, served_app
from demo_data.generate import generate_dataset
from deployments.fraud.predictor import FraudPredictor
from deployments.hosting.artifacts import load_artifact
from kernel.books import Transaction, books_from_rows
from kernel.models.fraud import FraudTuning
from serve_app import serve_config
from serve_app.infra.auth import mint_token


def in_process() -> None:
    models, manifest = load_artifact(MODELS, "fraud", "v1")
    predictor = FraudPredictor(models, serve_config.load().tuning(FraudTuning))
    books = books_from_rows(generate_dataset(42, 1, DEMO_END)[0].rows())
    predictor.report(books)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        predictor.report(books)
        runs.append((time.perf_counter() - started) * 1000)
    print(f"model {manifest.version} ({manifest.sha256[:12]}), in-process, 1 OMP thread")
    print(
        f"  analyze one business ({len(books.invoices)} invoices, {len(books.transactions)} "
        f"transactions): median {statistics.median(runs):.1f} ms"
    )
    txn = Transaction(id="x", business_id="b", **{**TXN, "date": dt.datetime(2026, 6, 2, 1)})
    for size in (1, 32):
        runs = []
        for _ in range(20):
            started = time.perf_counter()
            predictor.score_transactions([txn] * size, [])
            runs.append((time.perf_counter() - started) * 1000)
        print(f"  score {size:>2} transaction(s): median {statistics.median(runs):.1f} ms")


async def load(
    client: httpx.AsyncClient, requests: int, concurrency: int, headers: dict[str, str]
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        nonlocal errors
        async with gate:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/fraud/score", json={"transactions": [TXN]}, headers=headers
            )
            latencies.append((time.perf_counter() - started) * 1000)
            errors += response.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(requests)))
    return latencies, time.perf_counter() - started, errors


async def over_http(base: str, businesses: list[tuple[str, str]], requests: int) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        print("through Ray Serve (proxy -> Ingress -> FraudDeployment), SQLite store")
        for business_id, owner in businesses:
            headers = {"Authorization": f"Bearer {mint_token(SECRET, owner)}"}
            body = {"business_id": business_id}
            started = time.perf_counter()
            cold = await client.post("/api/v1/fraud/analyze", json=body, headers=headers)
            cold_ms = (time.perf_counter() - started) * 1000
            warm = []
            for _ in range(20):
                started = time.perf_counter()
                await client.post("/api/v1/fraud/analyze", json=body, headers=headers)
                warm.append((time.perf_counter() - started) * 1000)
            print(
                f"  analyze {business_id[:8]}: first {cold_ms:.0f} ms ({cold.status_code}), "
                f"cached p50 {percentile(warm, 0.5):.1f} ms p99 {percentile(warm, 0.99):.1f} ms"
            )
        headers = {"Authorization": f"Bearer {mint_token(SECRET, businesses[0][1])}"}
        await load(client, 20, 4, headers)  # warm-up
        print(f"  score 1 transaction, {requests} requests per row:")
        print(f"  {'concurrency':>11} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
        for concurrency in (1, 8, 32):
            latencies, elapsed, errors = await load(client, requests, concurrency, headers)
            print(
                f"  {concurrency:>11} {percentile(latencies, 0.5):>8.1f} "
                f"{percentile(latencies, 0.99):>8.1f} {requests / elapsed:>8.1f} {errors:>7}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    in_process()
    with served_app() as app:
        asyncio.run(over_http(app.base_url, app.businesses, args.requests))


if __name__ == "__main__":
    main()
