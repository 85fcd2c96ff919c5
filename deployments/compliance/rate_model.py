"""RateModel: an item description -> which item of the curated GST rate table it is (hence its
HSN chapter and its rate on any date), with a probability. Plain: no Ray, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sklearn.pipeline import Pipeline


@dataclass
class RateModel:
    """Description -> rate-table item, with a probability."""

    version: str
    pipeline: Pipeline
    metrics: dict[str, object] = field(default_factory=dict)

    def predict(self, descriptions: Sequence[str]) -> list[tuple[str, float]]:
        if not descriptions:
            return []
        probabilities = self.pipeline.predict_proba([d.lower() for d in descriptions])
        classes = self.pipeline.classes_
        best = probabilities.argmax(axis=1)
        return [(str(classes[i]), float(p[i])) for i, p in zip(best, probabilities, strict=True)]

    def among(self, description: str, keys: Sequence[str]) -> tuple[str, float] | None:
        """The likeliest of `keys` (items sharing an HSN heading), renormalised over them."""
        probabilities = self.pipeline.predict_proba([description.lower()])[0]
        index = {str(c): i for i, c in enumerate(self.pipeline.classes_)}
        scored = [(k, float(probabilities[index[k]])) for k in keys if k in index]
        total = sum(p for _, p in scored)
        if not scored or total <= 0:
            return None
        key, p = max(scored, key=lambda kp: kp[1])
        return key, p / total
