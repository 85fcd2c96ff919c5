"""Logs on Kubernetes: every Ray container hands its processes' streams to the pod's (so the
replicas' JSON lines reach `kubectl logs`; Ray writes them into files in its temp folder
otherwise) and the app writes no file that would grow unrotated in the pod's volume."""

from __future__ import annotations

import pytest

from tests.deploy.conftest import Run
from tests.deploy.test_k8s import build, by_kind, started_environment


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_every_ray_container_logs_to_the_pods_stream_only(run: Run, overlay: str) -> None:
    from serve_app.infra.settings import load_settings

    docs = build(run, f"k8s-overlays/{overlay}")
    (service,) = by_kind(docs, "RayService")
    configs = by_kind(docs, "ConfigMap")
    (config,) = [d for d in configs if d["metadata"]["name"] == "ai-backend-config"]
    cluster = service["spec"]["rayClusterConfig"]
    for group in (cluster["headGroupSpec"], *cluster["workerGroupSpecs"]):
        (container,) = group["template"]["spec"]["containers"]
        environ = started_environment(container, config["data"])
        assert environ["RAY_LOG_TO_STDERR"] == "1"
        assert load_settings(environ).LOG_FILES is False
