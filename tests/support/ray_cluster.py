"""A Ray cluster of several nodes on this machine, as `ray start` builds one on many machines:
a head, then nodes that join it with `--address`, each its own process group with its own
resources, ports and temp folder. Started and stopped by PID here; joins nothing else.
Ray advertises the machine's address, not loopback, for a cluster that `--address` can join.

Every node gets the same environment (like the pods of one RayService): the Ray process
settings, the app's settings, and one token for Ray's token auth, so nothing is read from
~/.ray of whoever runs the tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from testkit.ports import free_port

BIN = Path(sys.executable).parent


@dataclass
class RayNode:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def processes(self) -> list[psutil.Process]:
        """Every process of this node: `ray start` starts the GCS, raylet and agents, the
        raylet starts the workers (actors), an actor may start more (HAProxy)."""
        with contextlib.suppress(psutil.Error):
            return psutil.Process(self.pid).children(recursive=True)
        return []

    def raylet(self) -> psutil.Process:
        for proc in self.processes():
            with contextlib.suppress(psutil.Error):
                if proc.name() == "raylet":
                    return proc
        raise LookupError(f"{self.name}: no raylet running\n{self.log.read_text()[-2000:]}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_nodes([self])


def stop_nodes(nodes: list[RayNode]) -> None:
    """SIGTERM to each node's `ray start` at once (their children share their fate), SIGKILL
    after 10 s to whatever of them is still running."""
    processes = [proc for node in nodes for proc in node.processes()]
    for node in nodes:
        if node.alive():
            node.process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=10)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    for node in nodes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            node.process.wait(timeout=5)
        if node.alive():
            node.process.kill()
            node.process.wait(timeout=5)


@dataclass
class RayCluster:
    env: Mapping[str, str]
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rc-", dir="/tmp")))
    token: str = field(default_factory=lambda: secrets.token_hex(32))
    gcs_port: int = field(default_factory=free_port)
    dashboard_port: int = field(default_factory=free_port)
    nodes: list[RayNode] = field(default_factory=list)

    @property
    def environ(self) -> dict[str, str]:
        return {**os.environ, **self.env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token}

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.gcs_port}"

    @property
    def dashboard(self) -> str:
        return f"http://127.0.0.1:{self.dashboard_port}"

    def start_head(
        self, num_cpus: float, name: str = "head", env: Mapping[str, str] | None = None
    ) -> RayNode:
        """The head, on this cluster's fixed GCS and dashboard ports (so a head started again,
        as a restarted head pod, is found where the other nodes look); `env` adds to the head's
        environment only (GCS fault tolerance's Redis)."""
        head = self._start(
            name,
            num_cpus,
            "--head",
            f"--port={self.gcs_port}",
            "--dashboard-host=127.0.0.1",
            f"--dashboard-port={self.dashboard_port}",
            "--disable-usage-stats",
            env=env,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if self.get("/api/version").status_code == 200 and self.alive_nodes():
                    return head
            self._check_running(head)
            time.sleep(0.5)
        raise TimeoutError(f"head did not come up\n{head.log.read_text()[-3000:]}")

    def add_node(self, name: str, num_cpus: float) -> RayNode:
        before = {n["node_id"] for n in self.alive_nodes()}
        node = self._start(name, num_cpus, f"--address={self.address}")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            joined = [n for n in self.alive_nodes() if n["node_id"] not in before]
            if joined:
                return node
            self._check_running(node)
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not join\n{node.log.read_text()[-3000:]}")

    def _start(
        self, name: str, num_cpus: float, *args: str, env: Mapping[str, str] | None = None
    ) -> RayNode:
        temp_dir = self.folder / name
        temp_dir.mkdir()
        log = self.folder / f"{name}.log"
        ports = {
            "--node-manager-port": free_port(),
            "--object-manager-port": free_port(),
            "--metrics-export-port": free_port(),
            "--dashboard-agent-listen-port": free_port(),
            "--dashboard-agent-grpc-port": free_port(),
            "--runtime-env-agent-port": free_port(),
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(BIN / "ray"),
                    "start",
                    "--block",
                    *args,
                    f"--num-cpus={num_cpus}",
                    "--node-ip-address=127.0.0.1",
                    f"--temp-dir={temp_dir}",
                    *(f"{flag}={port}" for flag, port in ports.items()),
                ],
                env={**self.environ, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a signal to the test run never reaches the cluster
            )
        node = RayNode(name, process, log)
        self.nodes.append(node)
        return node

    @staticmethod
    def _check_running(node: RayNode) -> None:
        if not node.alive():
            raise RuntimeError(f"{node.name} exited\n{node.log.read_text()[-3000:]}")

    def get(self, path: str) -> httpx.Response:
        return httpx.get(
            f"{self.dashboard}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )

    def alive_nodes(self) -> list[dict[str, Any]]:
        """Ray's state API: the nodes the GCS holds alive."""
        response = self.get("/api/v0/nodes?detail=1&limit=100")
        response.raise_for_status()
        nodes = response.json()["data"]["result"]["result"]
        return [n for n in nodes if n["state"] == "ALIVE"]

    def serve(self, *args: str, timeout_s: float = 180) -> str:
        done = subprocess.run(
            [str(BIN / "serve"), *args, "-a", self.dashboard],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        if done.returncode:
            raise RuntimeError(f"serve {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def serve_details(self) -> dict[str, Any]:
        """Serve's own view: applications, deployments, replicas with their node, proxies."""
        response = self.get("/api/serve/applications/")
        response.raise_for_status()
        details: dict[str, Any] = response.json()
        return details

    def shutdown(self) -> None:
        stop_nodes(self.nodes)
        shutil.rmtree(self.folder, ignore_errors=True)

    def describe(self) -> str:
        """For failure messages: the nodes and Serve's view."""
        with contextlib.suppress(Exception):
            return json.dumps(
                {"nodes": self.alive_nodes(), "serve": self.serve_details()}, indent=1
            )[:6000]
        return "(cluster not reachable)"
