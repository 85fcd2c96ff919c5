"""Soak tier (`make soak`; CI skips it: an hour and more of one machine): the Serve app as
`serve run` starts it (config/serve.yaml, the models of var/models, `make train`), over a
seeded SQLite file, driven open-loop by bench/soak.py (requests leave on schedule whatever the
answers, so a slow server cannot hide its latency), its processes' memory sampled by role.

- T21, a sustained mix (SOAK_MINUTES, 10; SOAK_RATE, 20 requests a second): fewer than 0.1% of
  the requests fail (5xx or no answer; a 429 is the app's own refusal and counted apart), no
  replica restarts, and every process role's memory grows less than 1 MiB a minute after the
  2-minute warm-up.
- T22, a long soak (SOAK_LONG_MINUTES, 60, at SOAK_LONG_RATE, 10, about half this machine's
  knee in docs/performance.md): the same, held over the hour.
- T23, requests at the size limits (SOAK_MAX_MINUTES, 5, at 5 a second): printed bills of
  10,000 characters on the public parser and 2,000-character sentences drafted into invoices;
  none fails (each within its budget: a request past it would be a 503/504, counted as failed).

Latency is printed (the first and last two minutes, per request kind, and /health/live during
T23), never asserted: times on a shared machine are a measurement, not a test.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.common import percentile
from bench.servers import Demo, Server, chosen, start, stop
from bench.soak import drive

WARMED_ROLE_LIMIT_MIB_PER_MIN = 1.0


def minutes(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Server, Demo]]:
    _, folder, demo, (server,) = chosen("soak", "serve")
    # One client sends all the load, as one address and one user: the budgets are not measured.
    server.env |= {"RATE_LIMIT_PER_ADDRESS": "100000", "RATE_LIMIT_PER_USER": "100000"}
    start(server, folder)
    try:
        yield server, demo
    finally:
        stop(server)


def held_up(result: dict[str, Any]) -> None:
    """Asserts the plan's bounds on one run, after printing it whole."""
    print(json.dumps(result, indent=2))
    failed = sum(n for status, n in result["statuses"].items() if not status.startswith(("2", "4")))
    assert failed / max(result["requests"], 1) < 0.001, result["statuses"]
    for role, memory in result["memory"].items():
        slope = memory["slope_mib_per_min"]
        assert slope is None or slope < WARMED_ROLE_LIMIT_MIB_PER_MIN, (role, memory)
        if role == "Ingress" or role.endswith("Deployment"):
            # More PIDs than a replica and its one child (OCR's Tesseract): it restarted. Ray's
            # own roles are several processes by design (the dashboard and its modules).
            assert memory["processes"] <= 2, (role, memory)


def test_t21_a_sustained_mix_fails_nothing_and_grows_no_memory(served: tuple[Server, Demo]) -> None:
    server, demo = served
    run = minutes("SOAK_MINUTES", 10)
    held_up(asyncio.run(drive(server, demo, run, float(os.environ.get("SOAK_RATE", 20)))))


def test_t22_an_hour_at_half_the_knee(served: tuple[Server, Demo]) -> None:
    server, demo = served
    run = minutes("SOAK_LONG_MINUTES", 60)
    held_up(asyncio.run(drive(server, demo, run, float(os.environ.get("SOAK_LONG_RATE", 10)))))


def test_t23_requests_at_the_size_limits_all_answered(served: tuple[Server, Demo]) -> None:
    server, demo = served
    row = "Cement OPC 53 grade   2523  50 bags  365.00  18,250.00\n"
    bill = ("TAX INVOICE\nInvoice No: 4471  Date: 04/01/2026\nBill To: Om Stores\n" + row * 200)[
        :10_000
    ]
    sentence = ("Invoice for Kapoor Electricals, 4 box LED bulb at 480 each, " * 40)[:2_000]
    kinds = [
        (0.5, "POST", "/api/v1/nlp/parse-invoice", {"text": bill}),
        (0.5, "POST", "/api/v1/invoice/generate", {"raw_input": sentence,
                                                   "business_id": demo.business_id}),
    ]  # fmt: skip
    run = minutes("SOAK_MAX_MINUTES", 5)
    live_ms: list[float] = []

    async def both() -> dict[str, Any]:
        async def probe() -> None:
            async with httpx.AsyncClient(base_url=server.base, timeout=10) as client:
                ends = time.monotonic() + run * 60
                while time.monotonic() < ends:
                    began = time.perf_counter()
                    await client.get("/health/live")
                    live_ms.append((time.perf_counter() - began) * 1000)
                    await asyncio.sleep(0.5)

        result, _ = await asyncio.gather(drive(server, demo, run, 5.0, kinds), probe())
        return result

    result = asyncio.run(both())
    print(f"/health/live during T23: p50 {percentile(live_ms, 0.5):.1f} ms, "
          f"p99 {percentile(live_ms, 0.99):.1f} ms over {len(live_ms)} probes")  # fmt: skip
    held_up(result)
