"""Prometheus config and alert rules, checked with the real promtool (installed by
`scripts/setup.sh --test`), and held to the metric names the code actually emits."""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
MONITORING = ROOT / "monitoring"
EMITTERS = [
    ROOT / "serve_app" / "metrics.py",
    ROOT / "serve_app" / "ray_telemetry.py",
    ROOT / "serve_app" / "infra" / "telemetry.py",
    ROOT / "deployments" / "hosting" / "host.py",
]


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    assert binary, "promtool is missing: run scripts/setup.sh --test (apt prometheus)"
    return subprocess.run([binary, *args], cwd=MONITORING, capture_output=True, text=True)


def test_prometheus_config_is_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_pass_their_unit_tests() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_only_use_metrics_the_backend_emits() -> None:
    emitted = {
        name
        for path in EMITTERS
        for name in re.findall(r'"(ai_backend_[a-z_]+)"', path.read_text())
    }
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"][0]["rules"]
    used = {
        re.sub(r"_(total|bucket|sum|count)$", "", name)
        for rule in rules
        for name in re.findall(r"\b(ai_backend_[a-z_]+)", rule["expr"])
    }
    assert used and used <= emitted, used - emitted
