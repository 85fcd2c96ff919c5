"""What a served app runs over in the integration and cluster tiers: real PostgreSQL (migrated,
seeded with the demo books) and Redis, small models of every capability, a log folder, and
config/serve.yaml as `serve deploy` reads it with the ports and model folder of this run."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from deployments.hosting.artifacts import read_manifest
from serve_app.serve_config import SERVE_YAML, ray_env
from testkit.factories import SECRET, write_model
from testkit.stores import seeded_store, setup_settings
from tests.support.services import Postgres, RedisServer, haproxy_env, stop_haproxy

MODEL_NAMES = ("fraud", "insights", "compliance", "invoice", "assistant", "ocr")
APP = "fineasy"


def app_healthy(status_text: str) -> bool:
    """From `serve status` output: the app RUNNING with every deployment HEALTHY. A failed
    deploy raises with the status, which names the replica's error."""
    app = (yaml.safe_load(status_text).get("applications") or {}).get(APP, {})
    if app.get("status") == "DEPLOY_FAILED":
        raise RuntimeError(f"deploy failed:\n{status_text}")
    deployments = app.get("deployments") or {}
    return (
        app.get("status") == "RUNNING"
        and bool(deployments)
        and all(d.get("status") == "HEALTHY" for d in deployments.values())
    )


def wait_until_healthy(status: Callable[[], str], timeout_s: float = 240) -> None:
    """Polls `status` (a `serve status` call) until `app_healthy`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app_healthy(status()):
            return
        time.sleep(1)
    raise TimeoutError(f"{APP} not RUNNING:\n{status()}")


@dataclass
class Backing:
    postgres: Postgres
    redis: RedisServer
    models_dir: Path
    log_dir: Path
    haproxy: dict[str, str]

    def environment(self) -> dict[str, str]:
        """What every Ray node's processes get: the Ray settings the app ships with
        (config/ray.env), HAProxy's files and ports of this run, and the app's settings."""
        return {
            **ray_env(),
            **self.haproxy,
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "SUPABASE_JWT_SECRET": SECRET,
            "LOG_DIR": str(self.log_dir),
            "ENVIRONMENT": "development",
            # Ray's HAProxy reaches the Ingress replicas from loopback; the edge in front of it
            # (config/edge.haproxy.cfg) names the caller in X-Forwarded-For.
            "TRUSTED_PROXIES": "127.0.0.1/32",
        }

    @property
    def haproxy_stats(self) -> str:
        return f"http://127.0.0.1:{self.haproxy['RAY_SERVE_HAPROXY_STATS_PORT']}/stats;csv"

    def serve_config(self, http_port: int) -> dict[str, Any]:
        """config/serve.yaml, served on loopback at `http_port` from this run's models."""
        config: dict[str, Any] = yaml.safe_load(SERVE_YAML.read_text())
        config["http_options"].update({"host": "127.0.0.1", "port": http_port})
        config["applications"][0]["args"] = {"models": {"models_dir": str(self.models_dir)}}
        for deployment in config["applications"][0]["deployments"]:
            tuned = deployment.get("user_config")
            if tuned is not None:  # pinned to this run's small models, as training pins its own
                model = deployment["name"].removesuffix("Deployment").lower()
                tuned["model_sha256"] = self.pin(model, tuned["model_version"])
        return config

    def pin(self, model: str, version: str) -> str:
        """The sha256 of this run's `model` `version`, as `fineasy train` pins it."""
        return read_manifest(self.models_dir, model, version).sha256


def start_backing(cleanup: contextlib.ExitStack, tmp: pytest.TempPathFactory) -> Backing:
    """Each part registers its own cleanup on `cleanup` as soon as it exists."""
    postgres = Postgres()
    cleanup.callback(postgres.destroy)
    postgres.start()
    redis = RedisServer()
    cleanup.callback(redis.destroy)
    redis.start()
    models_dir = tmp.mktemp("models")
    for name in MODEL_NAMES:
        write_model(models_dir, "v1", name=name)

    async def seed() -> None:
        store = await seeded_store(setup_settings(postgres.url))
        await store.close()

    asyncio.run(seed())
    # Short: HAProxy refuses socket paths over 97 characters, and Ray adds a 56-character
    # folder of its own below this one.
    haproxy_dir = Path(tempfile.mkdtemp(prefix="hap-", dir="/tmp"))
    cleanup.callback(shutil.rmtree, haproxy_dir, ignore_errors=True)
    cleanup.callback(stop_haproxy, haproxy_dir)  # runs first, after Ray has stopped
    return Backing(postgres, redis, models_dir, tmp.mktemp("logs"), haproxy_env(haproxy_dir))
