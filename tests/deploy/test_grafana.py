"""Grafana dashboards and provisioning, checked without a Grafana server (none is installable
here): the JSON is a dashboard Grafana loads (uid, unique panel ids, panels inside the
24-column grid), every panel reads a provisioned data source, every PromQL expression parses
(promtool, the real Prometheus parser), and the provisioning paths are the compose mounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool

GRAFANA = PROJECT_ROOT / "monitoring" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))


def sources() -> dict[str, str]:
    provisioned = yaml.safe_load((GRAFANA / "provisioning/datasources/datasources.yml").read_text())
    return {d["uid"]: d["type"] for d in provisioned["datasources"]}


def test_there_are_dashboards() -> None:
    assert [p.name for p in DASHBOARDS] == [
        "ai-backend-business.json",
        "ai-backend-models.json",
        "ai-backend-performance.json",
        "ai-backend-resources.json",
        "ai-backend-service.json",
    ]


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_each_dashboard_is_well_formed(path: Path) -> None:
    dashboard: dict[str, Any] = json.loads(path.read_text())
    assert dashboard["title"] and 0 < len(dashboard["uid"]) <= 40
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    known = sources()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        for target in [panel, *panel["targets"]]:
            source = target["datasource"]
            assert known.get(source["uid"]) == source["type"], panel["title"]
        assert [t["refId"] for t in panel["targets"]] == sorted(
            {t["refId"] for t in panel["targets"]}
        )


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_every_expression_parses(run: Run, tmp_path: Path, path: Path) -> None:
    dashboard = json.loads(path.read_text())
    rules = [
        {"record": f"panel_{p['id']}_{t['refId']}", "expr": t["expr"]}
        for p in dashboard["panels"]
        for t in p["targets"]
        if t["datasource"]["type"] == "prometheus"
    ]
    assert rules
    file = tmp_path / "panels.yml"
    file.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    done = run(tool("promtool"), "check", "rules", str(file))
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump({"groups": [{"name": "b", "rules": [
        {"record": "b", "expr": "sum(rate(x[5m])"}]}]}))  # fmt: skip
    assert run(tool("promtool"), "check", "rules", str(broken)).returncode != 0


def test_provisioning_points_at_the_compose_mounts() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.prod.yml").read_text())
    volumes = compose["services"]["grafana"]["volumes"]
    assert "./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes
    assert "./monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro" in volumes
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/dashboards.yml").read_text())
    assert providers["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    urls = {
        d["uid"]: d["url"]
        for d in yaml.safe_load((GRAFANA / "provisioning/datasources/datasources.yml").read_text())[
            "datasources"
        ]
    }
    assert urls == {"prometheus": "http://prometheus:9090", "loki": "http://loki:3100"}


def test_rays_own_dashboards_are_the_pinned_rays(run: Run) -> None:
    """monitoring/grafana/dashboards/ray/ is what Ray's factory makes (a new Ray pin rewrites
    it: `fineasy ray-dashboards`): the cluster, Serve and Serve's deployments."""
    from ops import ray_dashboards

    assert ray_dashboards.drifted() == []
    titles = {
        p.name: json.loads(p.read_text())["title"] for p in sorted(ray_dashboards.FOLDER.glob("*"))
    }
    assert set(titles) == {"ray-default.json", "ray-serve.json", "ray-serve-deployment.json"}
    assert all(titles.values())


def test_on_kubernetes_every_dashboard_is_a_configmap_for_grafanas_sidecar(run: Run) -> None:
    """kube-prometheus-stack's Grafana loads ConfigMaps labelled grafana_dashboard=1; one per
    file, each under Kubernetes' 1 MiB, valid for Kubernetes' strict schema."""
    from tests.deploy.test_k8s import build, validate_core

    docs = [d for d in build(run, "k8s/monitoring") if d["kind"] == "ConfigMap"]
    files = sorted((GRAFANA / "dashboards").rglob("*.json"))
    shown = {name: text for d in docs for name, text in d["data"].items()}
    assert sorted(shown) == sorted(p.name for p in files) and len(files) == 8
    assert all(shown[p.name] == p.read_text() for p in files)
    assert all(d["metadata"]["labels"]["grafana_dashboard"] == "1" for d in docs)
    assert max(len(yaml.safe_dump(d).encode()) for d in docs) < 2**20
    validate_core(run, str(PROJECT_ROOT / "k8s" / "monitoring" / "grafana-dashboards.yaml"))
