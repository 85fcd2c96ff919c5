"""The shipped config/serve.yaml as the tests read it: every tuning value comes from there, so
tests exercise what operators deploy, and no second copy of a default exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from deployments.hosting.artifacts import read_manifest
from kernel.tuning import ModelTuning
from serve_app import serve_config

SHIPPED = serve_config.load()
T = TypeVar("T", bound=ModelTuning)


def tuning(kind: type[T], **changes: Any) -> T:
    """The shipped tuning of type `kind`, with `changes`."""
    return SHIPPED.tuning(kind, **changes)


def user_config(deployment: str, **changes: Any) -> dict[str, Any]:
    """The shipped user_config of `deployment` (as serve.yaml writes it), with `changes`."""
    return {**SHIPPED.options[deployment]["user_config"], **changes}


def pinned_config(
    models_dir: str | Path, deployment: str, version: str, **changes: Any
) -> dict[str, Any]:
    """The shipped user_config of `deployment` serving `version` from `models_dir`, pinned to
    the sha256 its manifest in that folder states (as `fineasy train` pins the shipped ones)."""
    model = deployment.removesuffix("Deployment").lower()
    digest = read_manifest(models_dir, model, version).sha256
    return user_config(deployment, **{"model_version": version, "model_sha256": digest, **changes})
