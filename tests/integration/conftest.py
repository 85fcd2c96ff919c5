"""Integration tier: a real Ray Serve app deployed with `serve deploy` from config/serve.yaml
(ports and model folder patched), over real PostgreSQL and Redis started here."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from deployments.hosting.artifacts import ARTIFACT_FILE
from kernel.paths import PROJECT_ROOT
from serve_app.serve_config import ray_env
from tests.support.factories import SECRET, write_model
from tests.support.services import Postgres, RedisServer, free_port, haproxy_env
from tests.support.stores import seeded_store, settings_for

SERVE = str(Path(sys.executable).parent / "serve")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


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

    def deploy(self, **user_config: Any) -> None:
        """`serve deploy` of the real config, with `user_config` of FraudDeployment updated."""
        app = self.config["applications"][0]
        fraud = next(d for d in app["deployments"] if d["name"] == "FraudDeployment")
        fraud["user_config"].update(user_config)
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

    def wait_until_running(self, timeout_s: float = 180) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = yaml.safe_load(self.status())
            app = (status.get("applications") or {}).get("fineasy", {})
            deployments = app.get("deployments", {})
            if (
                app.get("status") == "RUNNING"
                and deployments
                and all(d.get("status") == "HEALTHY" for d in deployments.values())
            ):
                return
            if app.get("status") == "DEPLOY_FAILED":
                raise RuntimeError(f"deploy failed:\n{self.status()}")
            time.sleep(1)
        raise TimeoutError(f"app not RUNNING:\n{self.status()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import ray
    from ray import serve

    # Every resource registers its own cleanup as soon as it exists, so a failure anywhere
    # in this setup still stops what was started (LIFO: Serve, Ray, env, Redis, PostgreSQL).
    with contextlib.ExitStack() as cleanup:
        postgres = Postgres()
        cleanup.callback(postgres.destroy)
        postgres.start()
        redis = RedisServer()
        cleanup.callback(redis.destroy)
        redis.start()
        models_dir = tmp_path_factory.mktemp("models")
        log_dir = tmp_path_factory.mktemp("logs")
        write_model(models_dir, "v1")
        write_model(models_dir, "v2")
        write_model(models_dir, "v9")
        write_model(models_dir, "v1", name="insights")
        write_model(models_dir, "v1", name="compliance")
        write_model(models_dir, "v1", name="invoice")
        tampered = models_dir / "fraud" / "v9" / ARTIFACT_FILE
        tampered.write_bytes(tampered.read_bytes() + b"tampered")

        async def seed() -> None:
            store = await seeded_store(settings_for(postgres.url))
            await store.close()

        asyncio.run(seed())
        # Replicas inherit the environment of the raylet this process starts. ray.init turns
        # on token auth for a new local cluster and exports it to the serve CLI calls below.
        # Short: HAProxy refuses socket paths over 97 characters, and Ray adds a 56-character
        # folder of its own below this one.
        haproxy_dir = Path(tempfile.mkdtemp(prefix="hap-", dir="/tmp"))
        cleanup.callback(shutil.rmtree, haproxy_dir, ignore_errors=True)
        haproxy = haproxy_env(haproxy_dir)
        saved_environment = dict(os.environ)
        cleanup.callback(_restore_environment, saved_environment)
        os.environ.update(
            {
                **ray_env(),  # the Ray process settings the app ships with
                **haproxy,
                "DATABASE_URL": postgres.url,
                "REDIS_URL": redis.url,
                "SUPABASE_JWT_SECRET": SECRET,
                "LOG_DIR": str(log_dir),
                "ENVIRONMENT": "development",
            }
        )
        http_port, dashboard_port = free_port(), free_port()
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
        cleanup.callback(serve.shutdown)
        config = yaml.safe_load((PROJECT_ROOT / "config" / "serve.yaml").read_text())
        config["http_options"].update({"host": "127.0.0.1", "port": http_port})
        config["applications"][0]["args"] = {"models": {"models_dir": str(models_dir)}}
        stack = Stack(
            postgres,
            redis,
            models_dir,
            log_dir,
            f"http://127.0.0.1:{http_port}",
            f"http://127.0.0.1:{dashboard_port}",
            config,
            tmp_path_factory.mktemp("serve") / "serve.yaml",
            f"http://127.0.0.1:{haproxy['RAY_SERVE_HAPROXY_STATS_PORT']}/stats;csv",
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
