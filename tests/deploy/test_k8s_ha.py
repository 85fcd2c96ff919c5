"""Production's availability on Kubernetes, as `kubectl kustomize k8s-overlays/production`
builds it: every Serve deployment keeps two replicas on two nodes, there are workers enough to
place them, and a voluntary disruption takes one worker at a time without ever being blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ops import k8s
from serve_app import ray_schema
from tests.deploy.conftest import Run
from tests.deploy.test_k8s import build, by_kind


def served(docs: list[dict[str, Any]]) -> dict[str, Any]:
    (service,) = by_kind(docs, "RayService")
    config: dict[str, Any] = yaml.safe_load(service["spec"]["serveConfigV2"])
    return config


def deployments(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for app in config["applications"] for d in app["deployments"]}


def without_ha(config: dict[str, Any]) -> dict[str, Any]:
    """The config with the HA fields taken out, to compare with the base's."""
    for deployment in deployments(config).values():
        deployment.pop("max_replicas_per_node", None)
        deployment["autoscaling_config"].pop("min_replicas")
        deployment["autoscaling_config"].pop("max_replicas")
    return config


def test_in_production_every_deployment_has_two_replicas_on_two_nodes(
    run: Run, tmp_path: Path
) -> None:
    production = served(build(run, "k8s-overlays/production"))
    for name, deployment in deployments(production).items():
        scaling = deployment["autoscaling_config"]
        assert scaling["min_replicas"] >= k8s.HA_REPLICAS, name
        assert scaling["max_replicas"] >= scaling["min_replicas"], name
        assert deployment["max_replicas_per_node"] == 1, name
    # the rest is config/serve.yaml's, and Ray and this project accept it as a deploy would
    staging = served(build(run, "k8s-overlays/staging"))
    assert without_ha(production) == without_ha(staging)
    path = tmp_path / "serve.yaml"
    path.write_text(yaml.safe_dump(served(build(run, "k8s-overlays/production"))))
    ray_schema.checked(path)


def test_staging_keeps_one_replica_of_each(run: Run) -> None:
    staging = served(build(run, "k8s-overlays/staging"))
    assert {d["autoscaling_config"]["min_replicas"] for d in deployments(staging).values()} == {1}


def test_production_always_has_nodes_for_two_replicas_apart(run: Run) -> None:
    (service,) = by_kind(build(run, "k8s-overlays/production"), "RayService")
    (workers,) = service["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    assert workers["minReplicas"] >= k8s.HA_REPLICAS


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_a_drain_takes_one_worker_at_a_time_and_is_never_blocked(run: Run, overlay: str) -> None:
    """minAvailable 1 with a single worker (staging) would block every drain for good."""
    budgets = by_kind(build(run, f"k8s-overlays/{overlay}"), "PodDisruptionBudget")
    (budget,) = [b for b in budgets if b["metadata"]["name"] == "ai-backend-workers"]
    assert budget["spec"] == {
        "maxUnavailable": 1,
        "selector": {
            "matchLabels": {
                "app.kubernetes.io/name": "ai-backend",
                "app.kubernetes.io/component": "ray-worker",
            }
        },
    }
