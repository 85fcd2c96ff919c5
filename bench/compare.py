"""Same-run comparison of the Serve app with this project's own app on plain uvicorn.

    .venv/bin/python bench/compare.py [--seconds 8] [--servers U1,U2,UB,serve] [--endpoints ...]

One after another on this machine, over the same SQLite demo books and trained models
(var/models, `make train`): U1 (bench/plain_app.py on uvicorn, 1 worker), U2 (2 workers), UB (U1
with an asyncio micro-batcher in front of fraud scoring) and the real Serve app (`serve run` of
config/serve.yaml, with config/ray.env). Each is driven by wrk (`apt-get install wrk`) at
concurrency 1, 8, 32 and 64 on every model endpoint with a single-request form; per point it
records req/s, p50, p99, errors and CPU ms per request by process (psutil). Also: bulk scoring
(1,000 transactions a request), analysis latency cold and cached on the largest demo business,
start-to-ready time and the PSS of the server's whole process tree, idle and under load. Prints a
Markdown report and writes it with the raw JSON to var/bench/. Asserts nothing; not part of the
tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import TXN, percentile, touch, write_report
from bench.load import CONCURRENCY, endpoints, measured, wrk, wrk_script
from bench.servers import Demo, PssSampler, Server, chosen, pss_mib, start, stop


def analyses(server: Server, demo: Demo, cold_runs: int, cached_runs: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {demo.token}"}
    calls = {
        "fraud": ("POST", "/api/v1/fraud/analyze", {"business_id": demo.business_id}),
        "insights": ("GET", f"/api/v1/insights/{demo.business_id}", None),
        "compliance": ("POST", "/api/v1/compliance/check", {"invoice_id": demo.invoice_id}),
    }
    out = {}
    with httpx.Client(base_url=server.base, timeout=60, headers=headers) as client:
        for name, (method, path, body) in calls.items():
            cold, cached = [], []
            for _ in range(cold_runs):
                touch(demo.database, demo.business_id)
                started = time.perf_counter()
                response = client.request(method, path, json=body)
                cold.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            for _ in range(cached_runs):
                started = time.perf_counter()
                client.request(method, path, json=body).raise_for_status()
                cached.append((time.perf_counter() - started) * 1000)
            out[name] = {
                "cold_p50_ms": round(statistics.median(cold), 1),
                "cached_p50_ms": round(percentile(cached, 0.5), 1),
                "cached_p99_ms": round(percentile(cached, 0.99), 1),
            }
    return out


def load_point(
    server: Server, path: str, script: Path, clients: int, seconds: float
) -> Callable[[], dict[str, Any]]:
    return lambda: wrk(server.base + path, script, clients, seconds)


def bench_server(server: Server, demo: Demo, folder: Path, seconds: float, only: list[str]) -> None:
    start(server, folder)
    try:
        assert server.process is not None
        root = psutil.Process(server.process.pid)
        scripts = {
            name: (path, wrk_script(folder, name.replace(" ", "_"), body, demo.token))
            for name, (path, body) in endpoints(demo).items()
            if not only or name in only
        }
        for path, script in scripts.values():  # warm every path once
            wrk(server.base + path, script, 4, 2)
        server.results["ready_s"] = server.ready_s
        server.results["pss_idle_mib"] = pss_mib(root)
        points: dict[str, dict[str, Any]] = {}
        for name, (path, script) in scripts.items():
            for clients in CONCURRENCY:
                load = load_point(server, path, script, clients, seconds)
                if name == "fraud score" and clients == 32:
                    with PssSampler(root) as sampler:
                        point = measured(server, load)
                    server.results["pss_load_mib"] = sampler.peak
                else:
                    point = measured(server, load)
                points[f"{name} c={clients}"] = point
                print(
                    f"  {server.name:<6} {name:<20} c={clients:<3} {point['req_s']:>8.1f} req/s"
                    f"  p50 {point['p50_ms']:>7.1f}  p99 {point['p99_ms']:>7.1f}"
                    f"  errors {point['errors']}  cpu {point['cpu_ms_per_req_total']} ms/req"
                )
        server.results["points"] = points
        bulk = wrk_script(folder, "bulk", {"transactions": [TXN] * 1000}, demo.token)
        point = measured(server, load_point(server, "/api/v1/fraud/score", bulk, 2, seconds))
        point["transactions_s"] = round(point["req_s"] * 1000)
        server.results["bulk"] = point
        server.results["analysis"] = analyses(server, demo, cold_runs=5, cached_runs=30)
        print(
            f"  {server.name:<6} bulk {point['transactions_s']} txn/s; ready {server.ready_s} s;"
            f" PSS idle {server.results['pss_idle_mib']} MiB, under load"
            f" {server.results.get('pss_load_mib')} MiB; analysis {server.results['analysis']}"
        )
    finally:
        stop(server)


# -- report --------------------------------------------------------------------------------------
def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def cpu_cell(point: dict[str, Any]) -> str:
    """Total, then the processes that used at least 0.1 ms a request, largest first."""
    parts = sorted(point.get("cpu_ms_per_req", {}).items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{name} {ms:.1f}" for name, ms in parts if ms >= 0.1)
    return f"{point.get('cpu_ms_per_req_total', '-')} ({shown})" if parts else "-"


def report(results: dict[str, dict[str, Any]], commit: str, seconds: float) -> str:
    names = list(results)
    lines = [
        f"Commit `{commit}`, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"wrk 1 thread, {seconds:g} s a point.",
        "",
        "| endpoint | c | "
        + " | ".join(f"{n} req/s (p50/p99 ms)" for n in names)
        + " | serve/U1 | serve/U2 | serve/UB |",
        "|---|---|" + "---|" * (len(names) + 3),
    ]
    first = next(iter(results.values()))
    for key in first.get("points", {}):
        name, clients = key.rsplit(" c=", 1)
        cells = []
        for n in names:
            p = results[n].get("points", {}).get(key)
            cells.append(
                f"{p['req_s']:.0f} ({p['p50_ms']:.1f}/{p['p99_ms']:.0f})"
                + (f" {p['errors']} err" if p["errors"] else "")
                if p else "-"
            )  # fmt: skip
        rate = {n: results[n].get("points", {}).get(key, {}).get("req_s") for n in names}
        lines.append(
            f"| {name} | {clients} | " + " | ".join(cells) + " | "
            + " | ".join(ratio(rate.get("serve"), rate.get(b)) for b in ("U1", "U2", "UB")) + " |"
        )  # fmt: skip
    lines += ["", "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows = {
        "start to ready (s)": lambda r: r.get("ready_s"),
        "PSS idle (MiB)": lambda r: r.get("pss_idle_mib"),
        "PSS under load, fraud c=32 (MiB)": lambda r: r.get("pss_load_mib"),
        "bulk scoring (txn/s, 1,000 a request)": lambda r: r.get("bulk", {}).get("transactions_s"),
        "CPU ms/req, fraud score c=32, by process": lambda r: cpu_cell(
            r.get("points", {}).get("fraud score c=32", {})
        ),
    }
    for model in ("fraud", "insights", "compliance"):
        rows[f"{model} analysis cold p50 (ms)"] = lambda r, m=model: (
            r.get("analysis", {}).get(m, {}).get("cold_p50_ms")
        )
        rows[f"{model} analysis cached p50 (ms)"] = lambda r, m=model: (
            r.get("analysis", {}).get(m, {}).get("cached_p50_ms")
        )
    for label, pick in rows.items():
        lines.append(f"| {label} | " + " | ".join(str(pick(results[n])) for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--servers", default="U1,U2,UB,serve")
    parser.add_argument(
        "--endpoints", default="", help="comma-separated subset, e.g. 'fraud score' (default: all)"
    )
    args = parser.parse_args()
    commit, folder, demo, chosen_servers = chosen("compare", args.servers)
    results: dict[str, dict[str, Any]] = {}
    for server in chosen_servers:
        print(f"== {server.name}")
        only = [e for e in args.endpoints.split(",") if e]
        bench_server(server, demo, folder, args.seconds, only)
        results[server.name] = server.results
    write_report("compare", commit, results, report(results, commit, args.seconds))
    print(f"server logs in {folder}")


if __name__ == "__main__":
    main()
