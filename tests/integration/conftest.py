"""Integration tier: a real Ray Serve app deployed with `serve deploy` from config/serve.yaml
(ports and model folder patched) on a one-node Ray, over real PostgreSQL and Redis started
here (tests/support/stack.py)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from deployments.hosting.artifacts import ARTIFACT_FILE, read_manifest
from testkit.factories import write_model
from testkit.ports import free_port
from tests.support.services import EdgeProxy, Postgres, RedisServer
from tests.support.stack import start_backing, wait_until_healthy

SERVE = str(Path(sys.executable).parent / "serve")


@dataclass
class Stack:
    postgres: Postgres
    redis: RedisServer
    models_dir: Path
    log_dir: Path
    base_url: str
    dashboard: str
    config: dict[str, Any]
    config_path: Path
    haproxy_stats: str
    edge_url: str
    """The shipped edge (config/edge.haproxy.cfg) in front of the Serve port, as in compose and
    on Kubernetes; base_url is the Serve port itself."""

    def deploy(self, **user_config: Any) -> None:
        """`serve deploy` of the real config, with `user_config` of FraudDeployment updated."""
        app = self.config["applications"][0]
        fraud = next(d for d in app["deployments"] if d["name"] == "FraudDeployment")
        fraud["user_config"].update(user_config)
        version = fraud["user_config"]["model_version"]
        fraud["user_config"]["model_sha256"] = read_manifest(
            self.models_dir, "fraud", version
        ).sha256
        self.config_path.write_text(yaml.safe_dump(self.config))
        done = subprocess.run(
            [SERVE, "deploy", str(self.config_path), "-a", self.dashboard],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"serve deploy failed:\n{done.stdout}\n{done.stderr}")

    def status(self) -> str:
        return subprocess.run(
            [SERVE, "status", "-a", self.dashboard],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    def wait_until_running(self) -> None:
        wait_until_healthy(self.status)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import ray

    # Every resource registers its own cleanup as soon as it exists, so a failure anywhere
    # in this setup still stops what was started (LIFO: Ray, env, Redis, PostgreSQL).
    with contextlib.ExitStack() as cleanup:
        backing = start_backing(cleanup, tmp_path_factory)
        write_model(backing.models_dir, "v2")
        write_model(backing.models_dir, "v9")
        tampered = backing.models_dir / "fraud" / "v9" / ARTIFACT_FILE
        tampered.write_bytes(tampered.read_bytes() + b"tampered")
        # Replicas inherit the environment of the raylet this process starts. ray.init turns
        # on token auth for a new local cluster and exports it to the serve CLI calls below.
        saved_environment = dict(os.environ)
        cleanup.callback(_restore_environment, saved_environment)
        os.environ.update(backing.environment())
        http_port, dashboard_port = free_port(), free_port()
        edge = EdgeProxy(f"127.0.0.1:{http_port}")
        cleanup.callback(edge.destroy)
        edge.start()
        cleanup.callback(ray.shutdown)
        ray.init(
            address="local",
            num_cpus=2,
            _node_ip_address="127.0.0.1",  # keep every Ray port on loopback
            include_dashboard=True,
            dashboard_host="127.0.0.1",
            dashboard_port=dashboard_port,
            log_to_driver=False,
        )
        # No serve.shutdown at the end: it stops each replica gracefully (30 s here, the
        # graceful stop has its own test); ray.shutdown stops every process of this local
        # cluster and stop_haproxy the HAProxy Ray started.
        stack = Stack(
            backing.postgres,
            backing.redis,
            backing.models_dir,
            backing.log_dir,
            f"http://127.0.0.1:{http_port}",
            f"http://127.0.0.1:{dashboard_port}",
            backing.serve_config(http_port),
            tmp_path_factory.mktemp("serve") / "serve.yaml",
            backing.haproxy_stats,
            edge.url,
        )
        _wait_for_dashboard(stack.dashboard)
        stack.deploy()
        stack.wait_until_running()
        yield stack


def _restore_environment(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)


def _wait_for_dashboard(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/version", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError("Ray dashboard did not come up")


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client
