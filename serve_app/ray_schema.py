"""A serve.yaml checked as Ray itself reads it (ray.serve.schema.ServeDeploySchema) and then
for this project (serve_config.validate): what `fineasy config` and the bind site run. Apart
from the graph, so the check imports Ray's schema and not the deployments."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from ray.serve.schema import ServeDeploySchema

from serve_app import serve_config
from serve_app.serve_config import SERVE_YAML, ServeConfig, ServeConfigError


def checked(path: Path = SERVE_YAML) -> ServeConfig:
    """serve.yaml, valid for Ray and for this graph; ServeConfigError names the first bad
    field."""
    raw = serve_config.read(path)
    try:
        ServeDeploySchema.model_validate(raw)
    except ValidationError as exc:
        raise ServeConfigError(serve_config.field_errors(exc, "serve.yaml")) from exc
    return serve_config.validate(raw)
