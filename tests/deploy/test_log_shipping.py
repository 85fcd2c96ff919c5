"""Loki and Grafana Alloy configs, checked by structure: no registry package provides either
binary (Debian's `loki` is a genetics program), so nothing here runs them; Alloy's file is read by
tests/deploy/alloy.py, which refuses what it cannot read. What is checked is what the project
controls: Alloy's paths find exactly the files the app writes, every source reaches the JSON
pipeline and it reaches Loki, the JSON stage reads fields the app's lines carry, labels stay
bounded, it pushes to the compose service Loki listens as, and Loki keeps its data on the volume
compose mounts."""

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
from tests.deploy.alloy import Block, Reference, parse

ALLOY = PROJECT_ROOT / "monitoring" / "alloy" / "config.alloy"
LOKI = PROJECT_ROOT / "monitoring" / "loki" / "loki-config.yml"
MOUNT = "/var/log/ai-backend"
"""Where docker-compose.prod.yml mounts the ai-backend-logs volume in the Alloy container."""
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


def components() -> dict[tuple[str, str | None], Block]:
    return {(b.name, b.label): b for b in parse(ALLOY.read_text()).blocks}


def targets() -> dict[str, dict[str, str]]:
    """Each file_match component's one target: its labels, the path pattern among them."""
    found = {}
    for (name, label), block in components().items():
        if name == "local.file_match":
            (target,) = block.attributes["path_targets"]
            found[str(label)] = target
    return found


def matched(pattern: str, folder: Path) -> set[str]:
    assert pattern.startswith(MOUNT + "/")
    relative = pattern[len(MOUNT) + 1 :]
    return {
        str(p.relative_to(folder)) for p in folder.rglob("*") if fnmatch.fnmatch(
            str(p.relative_to(folder)), relative)
    }  # fmt: skip


def test_alloy_finds_exactly_the_files_the_app_writes(written: Path) -> None:
    found = {name: matched(target["__path__"], written) for name, target in targets().items()}
    assert found == {
        "app": {"ai_backend.log"},
        "audit": {"audit/ai_audit.log", "audit/ai_security.log"},
    }
    assert {t["job"] for t in targets().values()} == {"ai-backend", "ai-backend-audit"}


def test_every_file_flows_through_the_json_pipeline_to_loki() -> None:
    parts = components()
    pipeline = parts[("loki.process", "json_lines")]
    for label in targets():
        source = parts[("loki.source.file", label)]
        assert source.attributes["targets"] == Reference(f"local.file_match.{label}.targets")
        assert source.attributes["forward_to"] == [Reference("loki.process.json_lines.receiver")]
    assert pipeline.attributes["forward_to"] == [Reference("loki.write.loki.receiver")]
    assert ("loki.write", "loki") in parts


def test_the_json_stage_reads_fields_every_line_carries(written: Path) -> None:
    pipeline = components()[("loki.process", "json_lines")]
    expressions = pipeline.block("stage.json").attributes["expressions"]
    labels = pipeline.block("stage.labels").attributes["values"]
    for target in targets().values():
        assert set(labels) | set(target) <= BOUNDED_LABELS
    stamp = pipeline.block("stage.timestamp").attributes
    assert stamp["format"] == "RFC3339Nano"
    for filename in FILES.values():
        for line in (written / filename).read_text().splitlines():
            entry = json.loads(line)
            assert set(expressions.values()) <= set(entry)
            assert dt.datetime.fromisoformat(entry[stamp["source"]]).tzinfo is not None


def test_alloy_pushes_to_the_loki_compose_runs_and_keeps_its_place() -> None:
    endpoint = components()[("loki.write", "loki")].block("endpoint")
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.prod.yml").read_text())
    loki = load(LOKI)
    port = loki["server"]["http_listen_port"]
    assert endpoint.attributes["url"] == f"http://loki:{port}/loki/api/v1/push"
    services = compose["services"]
    assert services["loki"]["profiles"] == services["alloy"]["profiles"] == ["monitoring"]
    alloy = services["alloy"]
    assert f"logs:{MOUNT}:ro" in alloy["volumes"]
    assert "./monitoring/alloy/config.alloy:/etc/alloy/config.alloy:ro" in alloy["volumes"]
    storage = next(a.split("=", 1)[1] for a in alloy["command"] if a.startswith("--storage.path"))
    assert f"alloy_data:{storage}" in alloy["volumes"]  # read positions survive a restart
    assert alloy["command"][0] == "run" and alloy["command"][-1] == "/etc/alloy/config.alloy"
    assert "logs:/app/var/logs" in services["ai-backend"]["volumes"]  # the app's LOG_DIR
    assert "loki_data:/loki" in services["loki"]["volumes"]


def test_the_reader_refuses_what_it_cannot_read() -> None:
    with pytest.raises(SyntaxError):
        parse('loki.write "loki" { endpoint { url = "http://x" }')  # unclosed
    with pytest.raises(SyntaxError):
        parse('local.file_match "a" { path_targets = [{"__path__" "/x"}] }')  # no `=`
    assert parse("// nothing but a comment\n").blocks == []


def test_loki_keeps_its_data_on_the_volume_and_ages_it_out() -> None:
    loki = load(LOKI)
    assert loki["common"]["path_prefix"] == "/loki"
    storage = loki["common"]["storage"]["filesystem"]
    assert all(path.startswith("/loki/") for path in storage.values())
    (schema,) = loki["schema_config"]["configs"]
    assert (schema["store"], schema["schema"]) == ("tsdb", "v13")
    assert loki["compactor"]["retention_enabled"] is True
    assert loki["limits_config"]["retention_period"] == "744h"
