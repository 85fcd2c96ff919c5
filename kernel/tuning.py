"""What a model deployment is told: where artifacts live (bind-time) and how to decide
(`user_config`, live: what every model's tuning shares; each model's own is in its seam,
kernel/models/). Shared by the shells, the predictors and the ingress; no Ray import.

The tunings have no defaults on purpose: their values are written once, in each deployment's
`user_config` in config/serve.yaml, which operators edit; tests and tools read them from there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kernel.paths import PROJECT_ROOT


class ModelTuning(BaseModel):
    """The `user_config` every model deployment shares: changed live by `serve deploy`, no
    replica restart. An unknown key is an error (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    model_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The artifact must hash to exactly this, whatever its own manifest says: `fineasy train`
    writes it here, so whoever can write the models' volume cannot swap in a model (and run
    code through unpickling) without also changing this file."""


class ModelsConfig(BaseModel):
    """Where model deployments load artifacts from: bind-time, a change restarts the replicas."""

    model_config = ConfigDict(extra="forbid")

    models_dir: str = str(PROJECT_ROOT / "var" / "models")
