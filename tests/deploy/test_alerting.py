"""Alertmanager: compose's monitoring/alertmanager.yml and, on Kubernetes, the
AlertmanagerConfig that routes the PrometheusRule's alerts to Slack, both checked by the real
amtool (Debian's prometheus-alertmanager). The AlertmanagerConfig is checked as the Prometheus
operator would hand it to Alertmanager (its fields in Alertmanager's own names, the Secret's URL
in place); its CRD is not at hand here, so its field names are the operator's documented ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool
from tests.deploy.test_deploy_script import OTHER_SECRETS, SECRETS, deploy

COMPOSE_CONFIG = PROJECT_ROOT / "monitoring" / "alertmanager.yml"
K8S_CONFIG = PROJECT_ROOT / "k8s" / "monitoring" / "alerting" / "alertmanagerconfig.yaml"
RENAMED = {"apiURL": "api_url"}


def snake(name: str) -> str:
    return RENAMED.get(name) or re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name).lower()


def as_alertmanager(value: Any) -> Any:
    """An AlertmanagerConfig spec in Alertmanager's own field names; a Secret reference becomes
    a URL, as the operator puts the Secret's value there."""
    if isinstance(value, dict):
        if set(value) == {"name", "key"}:
            return "https://hooks.slack.com/services/T000/B000/XXXX"
        return {snake(k): as_alertmanager(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_alertmanager(v) for v in value]
    return value


def amtool(run: Run, path: Path) -> Any:
    return run(tool("amtool"), "check-config", str(path))


def test_the_compose_alertmanager_config_loads(run: Run, tmp_path: Path) -> None:
    done = amtool(run, COMPOSE_CONFIG)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("route: {receiver: nowhere}\nreceivers: [{name: default}]\n")
    assert amtool(run, broken).returncode != 0  # amtool is awake


def test_the_kubernetes_alertmanagerconfig_is_one_alertmanager_loads(
    run: Run, tmp_path: Path
) -> None:
    (config,) = [d for d in yaml.safe_load_all(K8S_CONFIG.read_text()) if d]
    assert (config["apiVersion"], config["kind"]) == (
        "monitoring.coreos.com/v1alpha1",
        "AlertmanagerConfig",
    )
    spec = as_alertmanager(config["spec"])
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(spec))
    done = amtool(run, path)
    assert done.returncode == 0, done.stdout + done.stderr
    compose = yaml.safe_load(COMPOSE_CONFIG.read_text())
    assert spec["route"]["group_by"] == compose["route"]["group_by"]
    secret = config["spec"]["receivers"][0]["slackConfigs"][0]["apiURL"]
    assert secret == {"name": "ai-backend-alerting", "key": "slack-webhook-url"}
    kustomization = (PROJECT_ROOT / "k8s" / "monitoring" / "kustomization.yaml").read_text()
    assert "alerting" not in kustomization  # applied by deploy.sh only with a webhook


def test_deploy_makes_the_webhook_secret_and_routes_alerts_only_with_a_webhook(
    run: Run,
    checkout: Path,
) -> None:
    common = {"DEPLOY_TARGET": "kubernetes", "OPS_TOKEN": OTHER_SECRETS[1], **SECRETS}
    hook = "https://hooks.slack.com/services/T1/B2/secret-part"
    code, out, _ = deploy(run, checkout, "--dry-run", "monitoring", SLACK_WEBHOOK=hook, **common)
    assert code == 0 and not [line for line in out if "secret-part" in line]
    assert (
        "+ kubectl -n ai-backend create secret generic ai-backend-alerting"
        " --from-literal=slack-webhook-url=*** --dry-run=client -o yaml"
    ) in out
    assert "+ kubectl -n ai-backend apply -f k8s/monitoring/alerting/" in out
    code, out, _ = deploy(run, checkout, "--dry-run", "monitoring", **common)
    assert code == 0 and not [line for line in out if "alerting" in line]
