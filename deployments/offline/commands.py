"""The entry points every model's offline package (deployments.<model>.offline) exposes to
`fineasy train | evaluate | backtest` (ops/models.py), and what they are handed: ops finds the
package by the model's seam, loads artifacts, pins them and prints; the package knows how its
model is fitted and measured. Offline: no replica imports it.

    train(version, businesses, shipped) -> Trained      every model
    evaluate(run) -> Iterator[str]                      fineasy evaluate --model <model>
                                                        (insights: its backtest, also
                                                        `fineasy backtest`)

`evaluate` yields the report's lines as they are measured; ops prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from deployments.hosting.artifacts import Manifest
from kernel.tuning import ModelTuning

T = TypeVar("T", bound=ModelTuning)

Trained = tuple[Any, dict[str, Any], str]
"""(artifact payload, held-out metrics for its manifest, hash of the training data)"""


class Shipped(Protocol):
    """config/serve.yaml as ops read it (serve_app.serve_config.ServeConfig): a model is fitted
    and measured with the tuning it is deployed with, and offline code imports no serve_app."""

    def tuning(self, kind: type[T], **changes: Any) -> T: ...


@dataclass(frozen=True)
class Run:
    """An artifact to measure, as `fineasy evaluate` or `fineasy backtest` loaded it (sha256
    checked), and the command's options."""

    payload: Any
    """The model's fitted `*Models`."""
    manifest: Manifest
    """Its manifest: the version (--version), the metrics training wrote."""
    shipped: Shipped
    businesses: int
    """--businesses: how many held-out generated businesses to measure on (or a multiple)."""
    independent_businesses: int
    """--independent-businesses: how many of the independent world's (eval_world)."""
    count: int | None = None
    """--count (ocr): how many photographed invoices to read."""
    seed: int | None = None
    """--seed (ocr): another seed draws other invoices."""

    def tuning(self, kind: type[T], **changes: Any) -> T:
        """The shipped tuning of this version, with `changes`."""
        return self.shipped.tuning(kind, model_version=self.manifest.version, **changes)
