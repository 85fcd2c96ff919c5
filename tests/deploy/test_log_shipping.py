"""Loki and Promtail configs, checked by structure: no registry package provides either binary
(Debian's `loki` is a genetics program), so nothing here runs them. What is checked is what the
project controls: Promtail's paths find exactly the files the app writes, its JSON stage reads
fields the app's lines carry, labels stay bounded, it pushes to the compose service Loki listens
as, and Loki keeps its data on the volume compose mounts."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from serve_app.infra.logs import FILES

PROMTAIL = PROJECT_ROOT / "monitoring" / "promtail" / "promtail-config.yml"
LOKI = PROJECT_ROOT / "monitoring" / "loki" / "loki-config.yml"
MOUNT = "/var/log/ai-backend"
"""Where docker-compose.prod.yml mounts the ai-backend-logs volume in the Promtail container."""
BOUNDED_LABELS = {"job", "level", "logger", "__path__"}


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


WRITE_ONE_OF_EACH = """
import logging, sys
from serve_app.infra.logs import audit, configure_logging
configure_logging(sys.argv[1])
logging.getLogger("ai_backend").info("started")
audit("fraud_analysis", caller="u", business_id="b")
logging.getLogger("ai_backend.security").warning("denied", extra={"event": "tenancy_denied"})
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A log folder as the app leaves it: a fresh process writes one line of each kind."""
    folder = tmp_path_factory.mktemp("logs")
    subprocess.run(
        [sys.executable, "-c", WRITE_ONE_OF_EACH, str(folder)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert all((folder / name).read_text().strip() for name in FILES.values())
    return folder


def jobs() -> dict[str, dict[str, Any]]:
    return {job["job_name"]: job for job in load(PROMTAIL)["scrape_configs"]}


def matched(job: dict[str, Any], folder: Path) -> set[str]:
    pattern = job["static_configs"][0]["labels"]["__path__"]
    assert pattern.startswith(MOUNT + "/")
    relative = pattern[len(MOUNT) + 1 :]
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if fnmatch.fnmatch(
            str(p.relative_to(folder)), relative)
    }  # fmt: skip


def test_promtail_finds_exactly_the_files_the_app_writes(written: Path) -> None:
    found = {name: matched(job, written) for name, job in jobs().items()}
    assert found == {
        "ai-backend": {"ai_backend.log"},
        "ai-backend-audit": {"audit/ai_audit.log", "audit/ai_security.log"},
    }
    assert {job["static_configs"][0]["labels"]["job"] for job in jobs().values()} == {
        "ai-backend",
        "ai-backend-audit",
    }


def test_the_json_stage_reads_fields_every_line_carries(written: Path) -> None:
    for job in jobs().values():
        stages = job["pipeline_stages"]
        expressions = next(s["json"]["expressions"] for s in stages if "json" in s)
        labels = next(s["labels"] for s in stages if "labels" in s)
        assert set(labels) | set(job["static_configs"][0]["labels"]) <= BOUNDED_LABELS
        stamp = next(s["timestamp"] for s in stages if "timestamp" in s)
        assert stamp["format"] == "RFC3339Nano"
        for filename in FILES.values():
            for line in (written / filename).read_text().splitlines():
                entry = json.loads(line)
                assert set(expressions.values()) <= set(entry)
                assert dt.datetime.fromisoformat(entry[stamp["source"]]).tzinfo is not None


def test_promtail_pushes_to_the_loki_compose_runs() -> None:
    (client,) = load(PROMTAIL)["clients"]
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.prod.yml").read_text())
    loki = load(LOKI)
    port = loki["server"]["http_listen_port"]
    assert client["url"] == f"http://loki:{port}/loki/api/v1/push"
    services = compose["services"]
    assert services["loki"]["profiles"] == services["promtail"]["profiles"] == ["monitoring"]
    assert f"logs:{MOUNT}:ro" in services["promtail"]["volumes"]
    assert "logs:/app/var/logs" in services["ai-backend"]["volumes"]  # the app's LOG_DIR
    assert "loki_data:/loki" in services["loki"]["volumes"]


def test_loki_keeps_its_data_on_the_volume_and_ages_it_out() -> None:
    loki = load(LOKI)
    assert loki["common"]["path_prefix"] == "/loki"
    storage = loki["common"]["storage"]["filesystem"]
    assert all(path.startswith("/loki/") for path in storage.values())
    (schema,) = loki["schema_config"]["configs"]
    assert (schema["store"], schema["schema"]) == ("tsdb", "v13")
    assert loki["compactor"]["retention_enabled"] is True
    assert loki["limits_config"]["retention_period"] == "744h"
