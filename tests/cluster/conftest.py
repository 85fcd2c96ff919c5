"""Cluster tier: config/serve.yaml deployed with `serve deploy` to a Ray cluster of several
nodes on this machine, shaped like the RayService in k8s/: a head that runs Ray's control
processes, Serve's controller and its HTTP entry (HAProxy) but no replicas (`--num-cpus=0`),
keeping its GCS state in a Redis of its own (fault tolerance, as gcsFaultToleranceOptions),
and worker nodes that run every replica. Over real PostgreSQL and Redis."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import yaml

from testkit.ports import free_port
from tests.support.ray_cluster import RayCluster, RayNode
from tests.support.services import GcsRedis
from tests.support.stack import APP, Backing, app_healthy, start_backing, wait_until_healthy


@dataclass
class Served:
    backing: Backing
    ray: RayCluster
    head: RayNode
    base_url: str
    gcs_ft: dict[str, str]
    """The head's environment for GCS fault tolerance (a restarted head needs the same)."""

    def replicas(self) -> dict[str, list[dict[str, object]]]:
        """Per deployment, its replicas as Serve reports them (state, node_id, pid)."""
        deployments = self.ray.serve_details()["applications"][APP]["deployments"]
        return {name: d["replicas"] for name, d in deployments.items()}

    def healthy(self) -> bool:
        return app_healthy(self.ray.serve("status"))

    def wait_until_healthy(self) -> None:
        wait_until_healthy(lambda: self.ray.serve("status"))


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with contextlib.ExitStack() as cleanup:
        backing = start_backing(cleanup, tmp_path_factory)
        gcs_redis = GcsRedis()
        cleanup.callback(gcs_redis.destroy)
        gcs_redis.start()
        cluster = RayCluster(backing.environment())
        cleanup.callback(cluster.shutdown)
        head = cluster.start_head(num_cpus=0, env=gcs_redis.ft_env())
        cluster.add_node("worker-1", num_cpus=2)
        http_port = free_port()
        config_path = tmp_path_factory.mktemp("serve") / "serve.yaml"
        config_path.write_text(yaml.safe_dump(backing.serve_config(http_port)))
        cluster.serve("deploy", str(config_path))
        served = Served(backing, cluster, head, f"http://127.0.0.1:{http_port}", gcs_redis.ft_env())
        served.wait_until_healthy()
        yield served


@pytest.fixture
def http(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        yield client
