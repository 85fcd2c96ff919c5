"""RateModel: an item description -> which item of the curated GST rate table it is (hence its
HSN chapter and its rate on any date), with a probability. Plain: no Ray, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.pipeline import Pipeline


@dataclass
class RateModel:
    """Description -> rate-table item, with a probability."""

    version: str
    pipeline: Pipeline
    metrics: dict[str, object] = field(default_factory=dict)

    def readings(self, descriptions: Sequence[str]) -> list[Reading]:
        """Each description's class probabilities, from one call into the pipeline: per call,
        not per line, is what a vectoriser and a linear model cost (500 lines one at a time took
        0.7 s, together a tenth of it)."""
        if not descriptions:
            return []
        probabilities = self.pipeline.predict_proba([d.lower() for d in descriptions])
        classes = [str(c) for c in self.pipeline.classes_]
        return [Reading(classes, row) for row in probabilities]

    def predict(self, descriptions: Sequence[str]) -> list[tuple[str, float]]:
        return [reading.best() for reading in self.readings(descriptions)]

    def among(self, description: str, keys: Sequence[str]) -> tuple[str, float] | None:
        """The likeliest of `keys` (items sharing an HSN heading), renormalised over them."""
        return self.readings([description])[0].among(keys)


@dataclass(frozen=True)
class Reading:
    """What the model reads in one description: a probability per rate-table item."""

    classes: list[str]
    probabilities: np.ndarray

    def best(self) -> tuple[str, float]:
        i = int(self.probabilities.argmax())
        return self.classes[i], float(self.probabilities[i])

    def among(self, keys: Sequence[str]) -> tuple[str, float] | None:
        """The likeliest of `keys`, renormalised over them."""
        index = {c: i for i, c in enumerate(self.classes)}
        scored = [(k, float(self.probabilities[index[k]])) for k in keys if k in index]
        total = sum(p for _, p in scored)
        if not scored or total <= 0:
            return None
        key, p = max(scored, key=lambda kp: kp[1])
        return key, p / total
