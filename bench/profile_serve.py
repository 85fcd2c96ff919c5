"""Where a request's milliseconds go on the Serve path, for `POST /api/v1/fraud/score` at 1 and
32 clients: CPU per request of each process (psutil), the part of it spent in Python holding the
GIL split by what that Python was doing (py-spy --gil samples of the proxy, the Ingress and the
FraudDeployment replica), and the rest: native code that releases the GIL (Ray's C++ core and
gRPC threads, SQLite, BLAS).

    .venv/bin/python bench/profile_serve.py [--seconds 15] [--clients 1,32]

Starts the real Serve app from config/serve.yaml (as bench/compare.py does), stops it by PID.
Needs wrk and py-spy (in the dev extra); run as root or with ptrace permission. Prints Markdown
and writes it to var/bench/. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import OUT, TXN, head_commit
from bench.load import measured, wrk, wrk_script
from bench.servers import BIN, role, seed, servers, start, stop, tree

PROFILED = ("haproxy", "proxy", "Ingress", "FraudDeployment")
RATE = 200
"""py-spy samples a second: one sample holding the GIL is 5 ms of Python on the CPU."""
ACTIVITIES = (
    # (what the request is doing, a marker in a frame), innermost frame first wins
    ("health checks", "serve_app/health.py"),
    ("SQL (the audit row; score reads nothing)", "aiosqlite"),
    ("SQL (the audit row; score reads nothing)", "sqlalchemy/"),
    ("audit", "serve_app/infra/auditing.py"),
    ("auth (JWT)", "serve_app/infra/auth.py"),
    ("request metrics", "serve_app/ray_telemetry.py"),
    ("Ray metrics", "ray/util/metrics"),
    ("model (predictor, numpy, sklearn)", "deployments/fraud/"),
    ("model (predictor, numpy, sklearn)", "sklearn/"),
    ("logging", "logging/"),
    ("pickle / serialization", "serialization"),
    ("pickle / serialization", "pickle"),
    ("pydantic (bodies, domain)", "pydantic"),
    ("app routes and services", "serve_app/"),
    ("ASGI / HTTP (uvicorn, starlette, fastapi)", "starlette/"),
    ("ASGI / HTTP (uvicorn, starlette, fastapi)", "uvicorn/"),
    ("ASGI / HTTP (uvicorn, starlette, fastapi)", "fastapi/"),
    ("ASGI / HTTP (uvicorn, starlette, fastapi)", "h11"),
    ("ASGI / HTTP (uvicorn, starlette, fastapi)", "httptools"),
    ("Serve router, handle, replica", "ray/serve/"),
    ("Ray core (actor calls, gRPC, object refs)", "ray/"),
    ("Ray core (actor calls, gRPC, object refs)", "grpc"),
    ("asyncio", "asyncio/"),
)


def activity(stack: list[str]) -> str:
    for frame in reversed(stack):
        for name, marker in ACTIVITIES:
            if marker in frame:
                return name
    return "other"


def record(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "py-spy"), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", str(RATE),
         "-f", "raw", "-o", str(out), "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def shares(raw: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not raw.exists():
        return counts
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            counts[activity(stack.split(";"))] += int(n)
    return counts


def profile(server: Any, demo: Any, folder: Path, clients: int, seconds: float) -> str:
    root = psutil.Process(server.process.pid)
    pids = {role(p): p.pid for p in tree(root) if role(p) in PROFILED}
    script = wrk_script(folder, "score", {"transactions": [TXN]}, demo.token)
    url = server.base + "/api/v1/fraud/score"
    spies = {
        name: record(pid, seconds, folder / f"{name}-{clients}.txt") for name, pid in pids.items()
    }
    point = measured(server, lambda: wrk(url, script, clients, seconds))
    for spy in spies.values():
        spy.wait(timeout=60)
    lines = [
        f"### {clients} client{'s' if clients > 1 else ''}: {point['req_s']} req/s, "
        f"p50 {point['p50_ms']} ms, p99 {point['p99_ms']} ms, "
        f"{point['cpu_ms_per_req_total']} ms CPU per request in all",
        "",
        "| process | CPU ms/req | Python holding the GIL, by activity (ms/req) | native, no GIL |",
        "|---|---:|---|---:|",
    ]
    cpu = point["cpu_ms_per_req"]
    done = max(point["requests"], 1)
    for name in PROFILED:
        counts = shares(folder / f"{name}-{clients}.txt")
        python_ms = sum(counts.values()) * 1000 / RATE / done
        parts = ", ".join(
            f"{what} {n * 1000 / RATE / done:.2f}" for what, n in counts.most_common(9)
        )
        native = max(0.0, cpu.get(name, 0) - python_ms)
        lines.append(
            f"| {name} | {cpu.get(name, 0):.2f} | {python_ms:.2f}: {parts} | {native:.2f} |"
        )
    rest = {k: v for k, v in cpu.items() if k not in PROFILED}
    lines.append(
        "| everything else | "
        f"{sum(rest.values()):.2f} | "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(rest.items(), key=lambda kv: -kv[1]))
        + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", default="1,32", help="comma-separated, e.g. 1,32,64")
    args = parser.parse_args()
    commit = head_commit()
    folder = Path(tempfile.mkdtemp(prefix="fineasy-profile-"))
    demo = seed(folder)
    server = next(s for s in servers(folder, demo) if s.name == "serve")
    start(server, folder)
    try:
        script = wrk_script(folder, "warm", {"transactions": [TXN]}, demo.token)
        wrk(server.base + "/api/v1/fraud/score", script, 8, 3)
        clients = [int(c) for c in args.clients.split(",")]
        sections = [profile(server, demo, folder, c, args.seconds) for c in clients]
    finally:
        stop(server)
    text = "\n\n".join(
        [
            f"Commit `{commit}`, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: "
            "`POST /api/v1/fraud/score`, one transaction, through `serve run config/serve.yaml`; "
            "CPU by process from psutil; Python time from py-spy samples holding the GIL "
            f"({RATE} Hz); native = CPU - Python.",
            *sections,
        ]
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"profile-{commit}.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
