"""Soak: mixed traffic at a fixed arrival rate for minutes; errors, latency drift and memory growth
per deployment, the Serve app beside this project's app on plain uvicorn in the same run.

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 30] [--servers U1,serve]

Open loop (requests leave on schedule whatever the answers, so a slow server cannot hide its
latency by slowing the client): fraud scores, compliance validations, forecasts, invoice drafts
(some saved, each with its own Idempotency-Key), the business analyses (cached after the first),
and the public parser. Every 20 s each process's resident memory is sampled by role (a
deployment, the proxy, Ray's own processes); after a 2-minute warm-up a least-squares line gives
MiB per minute. Replica restarts are counted from replica PIDs that change. Prints a Markdown
report and writes it with the raw JSON to var/bench/. Asserts nothing; not part of the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, write_report
from bench.load import endpoints
from bench.servers import Demo, Server, chosen, role, start, stop, tree

SAMPLE_S = 20.0
WARM_UP_S = 120.0
LEGACY_TEXT = "Bill Sharma ji for 10 bags cement at 380 each and 2 tins paint at 1250"


def mix(demo: Demo) -> list[tuple[float, str, str, dict[str, Any] | None]]:
    """(share, method, path, body) of each kind of request."""
    models = endpoints(demo)
    saved = {**models["invoice generate"][1], "save_draft": True}
    return [
        (0.30, "POST", *models["fraud score"]),
        (0.05, "POST", *models["assistant text"]),
        (0.15, "POST", *models["compliance validate"]),
        (0.10, "POST", *models["insights forecast"]),
        (0.12, "POST", *models["invoice generate"]),
        (0.02, "POST", *models["ocr extract"]),
        # A saved draft changes the books, so the next analyses are computed afresh: at 1 in
        # 100 requests, a busy shop's day in minutes, not every analysis recomputed.
        (0.01, "POST", "/api/v1/invoice/generate", saved),
        (0.10, "GET", f"/api/v1/insights/{demo.business_id}", None),
        (0.05, "POST", "/api/v1/fraud/analyze", {"business_id": demo.business_id}),
        (0.05, "POST", "/api/v1/compliance/check", {"invoice_id": demo.invoice_id}),
        (0.05, "POST", "/api/v1/nlp/parse-invoice", {"text": LEGACY_TEXT}),
    ]


def memory_by_role(root: psutil.Process) -> tuple[dict[str, float], dict[str, set[int]]]:
    rss: dict[str, float] = defaultdict(float)
    pids: dict[str, set[int]] = defaultdict(set)
    for proc in tree(root):
        try:
            name = role(proc)
            rss[name] += proc.memory_info().rss / 2**20
            pids[name].add(proc.pid)
        except psutil.NoSuchProcess:
            continue
    return dict(rss), dict(pids)


def slope(points: list[tuple[float, float]]) -> float | None:
    """MiB per minute, least squares over (seconds, MiB)."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(m for _, m in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    return None if var == 0 else 60 * sum((t - mx) * (m - my) for t, m in points) / var


Kind = tuple[float, str, str, dict[str, Any] | None]


async def drive(
    server: Server, demo: Demo, minutes: float, rate: float, kinds: list[Kind] | None = None
) -> dict[str, Any]:
    """`kinds` (share, method, path, body), by default the mixed traffic of `mix`."""
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    kinds = kinds or mix(demo)
    weights = [k[0] for k in kinds]
    rng = random.Random(7)
    headers = {"Authorization": f"Bearer {demo.token}"}
    statuses: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    kind_ms: dict[str, list[float]] = defaultdict(list)
    latencies: list[tuple[float, float]] = []  # (sent at, ms)
    samples: list[tuple[float, dict[str, float]]] = []
    replica_pids: dict[str, set[int]] = defaultdict(set)
    began = time.monotonic()
    end = began + minutes * 60
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=server.base, timeout=30, limits=limits) as client:

        async def one(kind: Kind, at: float) -> None:
            _, method, path, body = kind
            sent = dict(headers)
            label = f"{method} {path.replace(demo.business_id, '{id}')}"
            if body is not None and body.get("save_draft"):
                sent["Idempotency-Key"] = uuid.uuid4().hex
                label += " (saved)"
            t0 = time.perf_counter()
            try:
                response = await client.request(method, path, json=body, headers=sent)
                outcome = str(response.status_code)
                if response.status_code >= 400:
                    outcome += f" {response.json().get('code', '')}".rstrip()
            except (httpx.HTTPError, ValueError) as exc:
                outcome = type(exc).__name__
            statuses[outcome.split()[0]] += 1
            by_kind[label][outcome] += 1
            elapsed = (time.perf_counter() - t0) * 1000
            latencies.append((at - began, elapsed))
            kind_ms[label].append(elapsed)

        async def sampler() -> None:
            while time.monotonic() < end:
                rss, pids = await asyncio.to_thread(memory_by_role, root)
                samples.append((time.monotonic() - began, rss))
                for name, found in pids.items():
                    replica_pids[name] |= found
                await asyncio.sleep(SAMPLE_S)

        tasks: set[asyncio.Task[None]] = set()
        sampling = asyncio.create_task(sampler())
        n = 0
        while (now := time.monotonic()) < end:
            due = began + n / rate
            if due > now:
                await asyncio.sleep(due - now)
            task = asyncio.create_task(one(rng.choices(kinds, weights)[0], due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
        await asyncio.gather(*tasks)
        await sampling
    result = summarise(statuses, latencies, samples, replica_pids, minutes)
    result["by_kind"] = {
        label: {
            "outcomes": dict(by_kind[label]),
            "p50_ms": round(percentile(kind_ms[label], 0.5), 1),
            "p95_ms": round(percentile(kind_ms[label], 0.95), 1),
        }
        for label in sorted(by_kind)
    }
    return result


def summarise(
    statuses: Counter[str],
    latencies: list[tuple[float, float]],
    samples: list[tuple[float, dict[str, float]]],
    replica_pids: dict[str, set[int]],
    minutes: float,
) -> dict[str, Any]:
    total = sum(statuses.values())
    failed = sum(c for s, c in statuses.items() if not s.startswith(("2", "4")))
    window = min(120.0, minutes * 60 / 4)
    first = [ms for at, ms in latencies if at < window]
    last = [ms for at, ms in latencies if at >= minutes * 60 - window]
    by_role: dict[str, dict[str, float | None]] = {}
    for name in sorted({n for _, rss in samples for n in rss}):
        points = [(t, rss[name]) for t, rss in samples if name in rss and t >= WARM_UP_S]
        if not points:
            continue
        by_role[name] = {
            "start_mib": round(points[0][1], 1),
            "end_mib": round(points[-1][1], 1),
            "slope_mib_per_min": None if (s := slope(points)) is None else round(s, 3),
            "processes": len(replica_pids.get(name, ())),
        }
    return {
        "requests": total,
        "statuses": dict(statuses),
        "error_rate": round(failed / max(total, 1), 5),
        "p50_ms_first": round(percentile(first, 0.5), 1) if first else None,
        "p95_ms_first": round(percentile(first, 0.95), 1) if first else None,
        "p50_ms_last": round(percentile(last, 0.5), 1) if last else None,
        "p95_ms_last": round(percentile(last, 0.95), 1) if last else None,
        "memory": by_role,
    }


def report(results: dict[str, dict[str, Any]], commit: str, minutes: float, rate: float) -> str:
    lines = [
        f"# Soak, commit {commit}: {minutes:g} min at {rate:g} req/s, mixed traffic",
        "",
        "| server | requests | statuses | 5xx + transport error rate | p50/p95 ms first 2 min |"
        " p50/p95 ms last 2 min |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        statuses = ", ".join(f"{s}: {c}" for s, c in sorted(r["statuses"].items()))
        lines.append(
            f"| {name} | {r['requests']} | {statuses} | {r['error_rate']:.3%} | "
            f"{r['p50_ms_first']}/{r['p95_ms_first']} | {r['p50_ms_last']}/{r['p95_ms_last']} |"
        )
    lines += [
        "",
        "Per request kind: outcomes (status and error code) and latency. Then resident memory",
        "by process role after the warm-up (MiB; slope by least squares); a role's processes",
        "count the PIDs seen, so more than it runs means a restart.",
    ]
    lines += ["", "| server | request | outcomes | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    for name, r in results.items():
        for label, k in r["by_kind"].items():
            outcomes = ", ".join(f"{o}: {c}" for o, c in sorted(k["outcomes"].items()))
            lines.append(f"| {name} | {label} | {outcomes} | {k['p50_ms']} | {k['p95_ms']} |")
    lines += [
        "",
        "| server | role | processes | start MiB | end MiB | MiB/min |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        for part, m in r["memory"].items():
            lines.append(
                f"| {name} | {part} | {m['processes']} | {m['start_mib']} | {m['end_mib']} | "
                f"{m['slope_mib_per_min']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=30, help="requests per second, all kinds")
    parser.add_argument("--servers", default="U1,serve")
    args = parser.parse_args()
    commit, folder, demo, chosen_servers = chosen("soak", args.servers)
    results: dict[str, dict[str, Any]] = {}
    for server in chosen_servers:
        server.env["RATE_LIMIT_PER_ADDRESS"] = "100000"  # one address sends all the load
        print(f"== {server.name}", flush=True)
        start(server, folder)
        try:
            results[server.name] = asyncio.run(drive(server, demo, args.minutes, args.rate))
        finally:
            stop(server)
        print(json.dumps(results[server.name], indent=2), flush=True)
    write_report("soak", commit, results, report(results, commit, args.minutes, args.rate))
    print(f"server logs in {folder}")


if __name__ == "__main__":
    main()
