"""The Ray nodes KubeRay v1.7.0 would start from the built overlays (tests/support/kuberay.py
renders what its operator does with each pod template): the exact `ray start` flags of the head
and the workers, and whether every Serve replica of serveConfigV2 can be placed on the workers
those flags describe. A worker whose rayStartParams leave no room for a replica is caught here,
before a cluster would sit with deployments waiting for resources."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run
from tests.deploy.test_k8s import build, by_kind
from tests.support.kuberay import (
    SERVE_PORT,
    container_environment,
    expand,
    quantity,
    ray_start_args,
    ray_start_params,
    readiness_commands,
)

HEAD_SERVICE = "ai-backend-head-svc.ai-backend.svc.cluster.local"
TEMPLATE = PROJECT_ROOT / "k8s" / "secrets" / "ai-backend-secrets.template.yaml"
SECRET_KEYS = (*yaml.safe_load(TEMPLATE.read_text())["stringData"], "database-url")
"""The Secret's keys as its template names them, and the optional one it shows commented out."""


def cluster_of(run: Run, overlay: str) -> dict[str, Any]:
    (service,) = by_kind(build(run, f"k8s-overlays/{overlay}"), "RayService")
    cluster: dict[str, Any] = service["spec"]["rayClusterConfig"]
    cluster["serve"] = yaml.safe_load(service["spec"]["serveConfigV2"])
    return cluster


def unplaceable(cluster: dict[str, Any]) -> list[str]:
    """Why some Serve replica of the cluster's serveConfigV2 cannot be placed on its workers at
    their minimum count (the head runs none: num-cpus 0), or [] when every one can."""
    nodes = []
    for group in cluster["workerGroupSpecs"]:
        params = ray_start_params(group, False, cluster, HEAD_SERVICE)
        nodes += [float(params.get("num-cpus", "0"))] * int(group["minReplicas"])
    problems = []
    free = list(nodes)
    for app in cluster["serve"]["applications"]:
        for deployment in app["deployments"]:
            cpus = deployment["ray_actor_options"]["num_cpus"]
            per_node = deployment.get("max_replicas_per_node", math.inf)
            count = deployment["autoscaling_config"]["min_replicas"]
            placed = 0
            for i, room in enumerate(free):
                here = 0
                while placed < count and here < per_node and room - cpus >= -1e-9:
                    room, here, placed = room - cpus, here + 1, placed + 1
                free[i] = room
            if placed < count:
                problems.append(
                    f"{deployment['name']}: {count - placed} of {count} replicas of"
                    f" {cpus} CPU find no worker (workers: {nodes})"
                )
    return problems


def test_quantities_round_up_as_kubernetes_does() -> None:
    assert [quantity(q) for q in ("500m", "2", "1.5", "3Gi", "256Mi", "1k")] == [
        1, 2, 2, 3 * 2**30, 256 * 2**20, 1000,
    ]  # fmt: skip
    with pytest.raises(ValueError):
        quantity("2 cores")


def test_the_head_starts_as_kuberay_starts_it(run: Run) -> None:
    cluster = cluster_of(run, "production")
    params = ray_start_params(cluster["headGroupSpec"], True, cluster, HEAD_SERVICE)
    assert ray_start_args(params, True) == [
        "--head",
        "--block",
        "--dashboard-agent-listen-port=52365",
        "--dashboard-host=0.0.0.0",
        f"--memory={3 * 2**30}",
        "--metrics-export-port=8080",
        "--no-monitor",  # the autoscaler runs beside it (enableInTreeAutoscaling)
        "--num-cpus=0",  # no replica on the head
        "--redis-password=$REDIS_PASSWORD",  # GCS fault tolerance
    ]
    assert readiness_commands(True, params, SERVE_PORT) == ["http://localhost:52365/api/healthz"]


@pytest.mark.parametrize(("overlay", "cpus"), [("staging", 2), ("production", 2)])
def test_each_worker_starts_as_kuberay_starts_it(run: Run, overlay: str, cpus: int) -> None:
    cluster = cluster_of(run, overlay)
    (group,) = cluster["workerGroupSpecs"]
    params = ray_start_params(group, False, cluster, HEAD_SERVICE)
    assert ray_start_args(params, False) == [
        f"--address={HEAD_SERVICE}:6379",
        "--block",
        "--dashboard-agent-listen-port=52365",
        f"--memory={4 * 2**30}",
        "--metrics-export-port=8080",
        f"--num-cpus={cpus}",
    ]
    assert readiness_commands(False, params, SERVE_PORT) == [
        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
        "wget --tries 1 -T 10 -q -O- http://localhost:8000/-/healthz | grep success",
    ]


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_every_serve_replica_finds_a_worker_at_the_groups_minimum(run: Run, overlay: str) -> None:
    assert unplaceable(cluster_of(run, overlay)) == []


def test_a_worker_with_no_room_for_a_replica_is_caught(run: Run) -> None:
    """Planted: the workers' rayStartParams say num-cpus 0 (as the head's do)."""
    cluster = cluster_of(run, "production")
    cluster["workerGroupSpecs"][0]["rayStartParams"] = {"num-cpus": "0"}
    problems = unplaceable(cluster)
    assert len(problems) == 7 and problems[0].startswith("Ingress: 2 of 2 replicas of 0.25 CPU")
    cluster = cluster_of(run, "production")
    cluster["workerGroupSpecs"][0]["minReplicas"] = 1  # two replicas apart need two nodes
    assert unplaceable(cluster)[0].startswith("Ingress: 1 of 2 replicas")


def test_kubernetes_expands_a_variable_defined_before_it() -> None:
    assert expand("redis://:$(REDIS_PASSWORD)@r:6379/1", {"REDIS_PASSWORD": "pw"}) == (
        "redis://:pw@r:6379/1"
    )
    assert expand("$$(KEPT) $(UNDEFINED)", {}) == "$(KEPT) $(UNDEFINED)"


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_each_ray_container_starts_with_the_environment_the_manifests_give(
    run: Run, overlay: str
) -> None:
    """The ConfigMaps (the Ray settings of config/ray.env, the app's), the Secret's keys (test
    values) and the app's REDIS_URL with the password Kubernetes puts in."""
    docs = build(run, f"k8s-overlays/{overlay}")
    maps = {d["metadata"]["name"]: d["data"] for d in by_kind(docs, "ConfigMap")}
    secrets = {"ai-backend-secrets": {key: f"test-{key}" for key in SECRET_KEYS}}
    cluster = cluster_of(run, overlay)
    for group in (cluster["headGroupSpec"], *cluster["workerGroupSpecs"]):
        (container,) = group["template"]["spec"]["containers"]
        environ = container_environment(container, maps, secrets)
        assert environ["REDIS_URL"] == "redis://:test-redis-password@ai-backend-redis:6379/1"
        assert environ["MALLOC_ARENA_MAX"] == "2" and environ["RAY_LOG_TO_STDERR"] == "1"
        assert environ["ENVIRONMENT"] == overlay and "DATABASE_URL" in environ
    with pytest.raises(KeyError, match="ops-token"):
        secrets["ai-backend-secrets"].pop("ops-token")
        container_environment(container, maps, secrets)
