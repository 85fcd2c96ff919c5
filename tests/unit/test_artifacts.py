import json
from pathlib import Path

import pytest

from deployments.hosting.artifacts import (
    ARTIFACT_FILE,
    ArtifactError,
    file_sha256,
    list_versions,
    load_artifact,
    save_artifact,
)


def test_round_trip_keeps_version_metrics_and_hashes(tmp_path: Path) -> None:
    manifest = save_artifact(
        tmp_path,
        "fraud",
        "v3",
        {"weights": [1, 2]},
        metrics={"recall": 0.97},
        training_data_hash="abc",
    )
    payload, loaded = load_artifact(tmp_path, "fraud", "v3", manifest.sha256)
    assert payload == {"weights": [1, 2]}
    assert (loaded.version, loaded.metrics, loaded.training_data_hash) == (
        "v3",
        {"recall": 0.97},
        "abc",
    )
    assert list_versions(tmp_path, "fraud") == ["v3"]


def test_tampered_artifact_is_refused_before_unpickling(tmp_path: Path) -> None:
    save_artifact(tmp_path, "fraud", "v1", {"ok": True}, metrics={}, training_data_hash="h")
    path = tmp_path / "fraud" / "v1" / ARTIFACT_FILE
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ArtifactError, match="manifest"):
        load_artifact(tmp_path, "fraud", "v1")


def test_pinned_digest_must_match(tmp_path: Path) -> None:
    save_artifact(tmp_path, "fraud", "v1", {"ok": True}, metrics={}, training_data_hash="h")
    with pytest.raises(ArtifactError, match="config"):
        load_artifact(tmp_path, "fraud", "v1", expected_sha256="0" * 64)


def test_missing_version_is_an_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError):
        load_artifact(tmp_path, "fraud", "v9")


def test_an_intact_artifact_of_moved_code_is_refused_with_how_to_retrain(tmp_path: Path) -> None:
    save_artifact(tmp_path, "fraud", "v1", {"a": 1}, metrics={}, training_data_hash="abc")
    path = tmp_path / "fraud" / "v1" / ARTIFACT_FILE
    path.write_bytes(b"cdeployments.fraud_predictor\nFraudModels\n.")  # a pickle of a moved class
    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["sha256"] = file_sha256(path)  # intact: the digest matches
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="fineasy train --model fraud --version v1 --force"):
        load_artifact(tmp_path, "fraud", "v1")
