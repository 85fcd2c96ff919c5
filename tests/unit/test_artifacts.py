from pathlib import Path

import pytest

from deployments.hosting.artifacts import (
    ARTIFACT_FILE,
    ArtifactError,
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
