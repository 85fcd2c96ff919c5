"""Versioned model artifacts: `<models_dir>/<name>/<version>/{model.joblib,manifest.json}`.

The one joblib touchpoint. A file is unpickled only after its sha256 matches the manifest
and, when a deployment loads it, the digest pinned in its config (`user_config.model_sha256`).
The same training makes the same bytes (`_reproducible`), so the pins written in the repository
are the digests of what any machine trains, the image's build included. No Ray import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import joblib
import sklearn
from pydantic import BaseModel

from kernel.models import Seam

ARTIFACT_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"


class ArtifactError(RuntimeError):
    """Missing, unreadable or tampered artifact. Never unpickled in that case."""


class Manifest(BaseModel):
    name: str
    version: str
    created_at: dt.datetime
    sha256: str
    training_data_hash: str
    metrics: dict[str, Any]
    sklearn_version: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def artifact_dir(models_dir: str | Path, name: str, version: str) -> Path:
    return Path(models_dir) / name / version


def _reproducible(payload: Any) -> None:
    """Drops what would make the same training pickle to other bytes: scikit-learn's text
    vectorizers remember `id(stop_words)`, a memory address that differs in every process, as
    `_stop_words_id` (a cache of a check they redo when it is missing)."""
    seen: set[int] = set()

    def visit(node: Any, depth: int) -> None:
        if depth > 16 or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, dict):
            children: list[Any] = list(node.values())
        elif isinstance(node, list | tuple):
            children = list(node)
        elif hasattr(node, "__dict__") and not isinstance(node, type):
            vars(node).pop("_stop_words_id", None)
            children = list(vars(node).values())
        else:
            return
        for child in children:
            visit(child, depth + 1)

    visit(payload, 0)


def reported(seam: Seam[Any], manifest: Manifest) -> dict[str, Any]:
    """What a model deployment says of the artifact it serves (ModelInfo.metrics): its digest,
    its held-out figures, the accuracy its seam reads from them, when it was trained."""
    return {
        "sha256": manifest.sha256,
        "held_out": manifest.metrics,
        "accuracy": seam.held_out_accuracy(manifest.metrics),
        "created_at": manifest.created_at.isoformat(),
    }


def save_artifact(
    models_dir: str | Path,
    name: str,
    version: str,
    payload: Any,
    *,
    metrics: dict[str, Any],
    training_data_hash: str,
) -> Manifest:
    folder = artifact_dir(models_dir, name, version)
    folder.mkdir(parents=True, exist_ok=True)
    _reproducible(payload)
    joblib.dump(payload, folder / ARTIFACT_FILE, compress=3)
    manifest = Manifest(
        name=name,
        version=version,
        created_at=dt.datetime.now(dt.UTC),
        sha256=file_sha256(folder / ARTIFACT_FILE),
        training_data_hash=training_data_hash,
        metrics=metrics,
        sklearn_version=sklearn.__version__,
    )
    (folder / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")
    return manifest


def read_manifest(models_dir: str | Path, name: str, version: str) -> Manifest:
    path = artifact_dir(models_dir, name, version) / MANIFEST_FILE
    try:
        return Manifest.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"no readable manifest for {name} {version} at {path}") from exc


def load_artifact(
    models_dir: str | Path, name: str, version: str, expected_sha256: str | None = None
) -> tuple[Any, Manifest]:
    manifest = read_manifest(models_dir, name, version)
    path = artifact_dir(models_dir, name, version) / ARTIFACT_FILE
    if not path.is_file():
        raise ArtifactError(f"artifact file missing: {path}")
    actual = file_sha256(path)
    for label, wanted in (("manifest", manifest.sha256), ("config", expected_sha256)):
        if wanted is not None and actual != wanted:
            raise ArtifactError(f"{name} {version}: sha256 {actual} does not match the {label}")
    try:
        payload = joblib.load(path)
    except (ImportError, AttributeError, pickle.UnpicklingError, EOFError) as exc:
        # Intact, but written by code whose classes have moved or gone: retrain it.
        raise ArtifactError(
            f"{name} {version} cannot be read by this code ({type(exc).__name__}: {exc}); "
            f"retrain it: fineasy train --model {name} --version {version} --force"
        ) from exc
    return payload, manifest


def list_versions(models_dir: str | Path, name: str) -> list[str]:
    root = Path(models_dir) / name
    return (
        sorted(p.name for p in root.iterdir() if (p / MANIFEST_FILE).is_file())
        if root.is_dir()
        else []
    )
