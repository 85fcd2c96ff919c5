"""The seam between the ingress and each model: one module per model (`fraud`, `insights`,
`compliance`, `invoice`, `assistant`, `ocr`) holds what crosses its DeploymentHandle (the wire
types), the methods the ingress calls (a Protocol), the deployment's name in config/serve.yaml,
its `user_config` type and how its held-out accuracy is read from its artifact's manifest, all
in one `Seam` named after the model (`fraud.FRAUD`, `ocr.OCR`...). The predictor implements
the Protocol's methods (synchronously), the Serve shell serves them, the ingress calls them
through a generic handle client (serve_app/ingress.py), tests and the plain-uvicorn baseline
through a generic in-process host (deployments/hosting/local.py). `registry.SEAMS` lists them
all. No Ray, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field

from kernel.tuning import ModelTuning

M = TypeVar("M")


class ModelInfo(BaseModel):
    """What a model deployment has loaded, for health and cache keys."""

    name: str
    version: str
    config_hash: str
    loaded_at: dt.datetime
    replica_id: str = ""
    load_error: str | None = None
    """Set when the last requested version was refused; the previous one still serves."""
    metrics: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Seam(Generic[M]):
    """One model as both sides of its DeploymentHandle know it."""

    name: str
    """Its folder under models_dir, its metrics tag, its cache-key prefix."""
    deployment: str
    """Its deployment's name in config/serve.yaml."""
    tuning: type[ModelTuning]
    """Its `user_config`."""
    protocol: type
    """M, the methods the ingress calls (async); the predictor has each (sync), with the same
    parameters, and so does the shell (tests/unit/test_seams.py). (A Protocol cannot be a
    `type[M]` argument, so each seam states M: `FRAUD: Seam[FraudModel] = ...`.)"""
    held_out_accuracy: Callable[[dict[str, Any]], float | None]
    """The share of its held-out predictions a user would call right, from its manifest's
    metrics (the ingress blends it with feedback); None where the model states no such figure."""

    @property
    def methods(self) -> list[str]:
        """The Protocol's methods besides `info` (which every model deployment answers)."""
        return sorted(
            {
                name
                for klass in self.protocol.__mro__
                if klass not in (object, Protocol, Generic)
                for name, value in vars(klass).items()
                if callable(value) and not name.startswith("_") and name != "info"
            }
        )
