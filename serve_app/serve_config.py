"""config/serve.yaml, the one place deployment settings are written: read and validated against
this project's models (each model deployment's `user_config` by its seam, kernel/models), with
errors that name the field.

`serve run` and `serve deploy` read the file themselves; Python callers (training, the
RayService generator, benchmarks, tests) `load` it here, with no Ray import; `fineasy config`
adds Ray's own schema (serve_app/ray_schema.py), and `serve_app.app.app_from_config` runs the
same graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from kernel.models.registry import TUNINGS
from kernel.paths import PROJECT_ROOT
from kernel.tuning import ModelTuning
from serve_app.infra.settings import AppArgs

SERVE_YAML = PROJECT_ROOT / "config" / "serve.yaml"
RAY_ENV = PROJECT_ROOT / "config" / "ray.env"
"""Ray process settings (KEY=VALUE lines) for the environment of every Ray node."""
APP_NAME = "fineasy"
IMPORT_PATH = "serve_app.app:build_app"
INGRESS = "Ingress"
T = TypeVar("T", bound=ModelTuning)


class ServeConfigError(ValueError):
    """A serve.yaml that Ray or this project would refuse; the message names the field."""


@dataclass(frozen=True)
class ServeConfig:
    raw: dict[str, Any]
    args: AppArgs
    options: dict[str, dict[str, Any]]
    """Per deployment name, the keywords of `Deployment.options()` (user_config included)."""
    tunings: dict[str, ModelTuning]
    """Per model deployment name, its user_config, validated."""

    def tuning(self, kind: type[T], **changes: Any) -> T:
        """The user_config of the deployment tuned by `kind`, with `changes` (validated)."""
        base = next(t for t in self.tunings.values() if type(t) is kind)
        return kind.model_validate({**base.model_dump(), **changes})


def field_errors(exc: ValidationError, where: str) -> str:
    return "; ".join(
        f"{where}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
        if err["loc"]
        else f"{where}: {err['msg']}"
        for err in exc.errors()
    )


def validate(
    raw: Mapping[str, Any], tuning_types: Mapping[str, type[ModelTuning]] = TUNINGS
) -> ServeConfig:
    """`raw` (a parsed serve.yaml) checked for this project: its app's
    `args` against AppArgs, its deployments against the graph, and each model deployment's
    `user_config` against that deployment's tuning type."""
    apps = [a for a in raw.get("applications") or [] if a.get("name") == APP_NAME]
    if len(apps) != 1 or apps[0].get("import_path") != IMPORT_PATH:
        raise ServeConfigError(f"applications: one app {APP_NAME!r} with {IMPORT_PATH}")
    app = apps[0]
    where = f"applications[{APP_NAME}]"
    try:
        args = AppArgs.model_validate(app.get("args") or {})
    except ValidationError as exc:
        raise ServeConfigError(field_errors(exc, f"{where}.args")) from exc
    options = {
        d["name"]: {k: v for k, v in d.items() if k != "name"} for d in app.get("deployments") or []
    }
    expected = {INGRESS, *tuning_types}
    if set(options) != expected:
        raise ServeConfigError(
            f"{where}.deployments: names {sorted(options)}, expected {sorted(expected)}"
        )
    if "user_config" in options[INGRESS]:
        raise ServeConfigError(f"{where}.deployments[{INGRESS}].user_config: the ingress has none")
    tunings: dict[str, ModelTuning] = {}
    for name, kind in tuning_types.items():
        field = f"{where}.deployments[{name}].user_config"
        try:
            tunings[name] = kind.model_validate(options[name].get("user_config") or {})
        except ValidationError as exc:
            raise ServeConfigError(field_errors(exc, field)) from exc
    return ServeConfig(dict(raw), args, options, tunings)


def load(path: Path = SERVE_YAML) -> ServeConfig:
    """A serve.yaml, read and checked for this project (not against Ray's own schema)."""
    return validate(read(path))


def read(path: Path = SERVE_YAML) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    if not isinstance(loaded, dict):
        raise ServeConfigError(f"{path}: not a YAML mapping")
    return loaded


def ray_env(path: Path = RAY_ENV) -> dict[str, str]:
    """config/ray.env as a mapping: KEY=VALUE lines; blank lines and # comments skipped."""
    pairs = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ServeConfigError(f"{path}:{number}: expected KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs
