"""Training of the learned rate check (`deployments/compliance/rate_model.py`): item description
-> which item of the curated GST rate table it is (hence its HSN chapter and its rate on any
date). Offline: no replica imports it.

Trained on descriptions generated from `deployments/offline/data/rate_vocabulary.json` (names,
Hinglish names, pack sizes, shop-style noise) with one seed; measured on descriptions generated
with another and on `deployments/compliance/data/rate_holdout.csv`, written by hand with real
brand names.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from deployments.compliance.rate_model import RateModel
from deployments.offline.vocabulary import rate_vocabulary
from kernel import gst_rules
from kernel.gst_rules import LOOSE

DATA = Path(__file__).parents[1] / "data"
TRAIN_SEED, HELD_OUT_SEED = 7101, 8202
BRANDS = [
    "shree", "royal", "super", "premium", "gold", "star", "classic", "fresh", "desi", "new",
    "best", "a1", "sai", "balaji", "om", "jai", "laxmi", "ganesh", "national", "popular",
]  # fmt: skip
SIZES = [
    "1kg", "500g", "5 kg", "1 l", "200 ml", "pack of 10", "50kg bag", "box", "carton", "2 pcs",
    "12mm", "size l", "set", "1 nos", "10 kg", "250 gm", "family pack", "1 dozen", "per kg",
]  # fmt: skip
TEMPLATES = [
    "{name}", "{brand} {name}", "{name} {size}", "{brand} {name} {size}", "{name} ({size})",
    "{name} - {size}", "{size} {name}", "{name} {brand}", "{brand} brand {name}",
]  # fmt: skip


def _noisy(rng: np.random.Generator, text: str) -> str:
    """Shop-counter spelling: case, a dropped or doubled letter now and then."""
    if len(text) > 5 and rng.random() < 0.15:
        i = int(rng.integers(1, len(text) - 1))
        text = text[:i] + text[i + 1 :] if rng.random() < 0.5 else text[:i] + text[i] + text[i:]
    roll = rng.random()
    return text.upper() if roll < 0.15 else text.title() if roll < 0.5 else text


def generated(seed: int, per_key: int) -> list[tuple[str, str]]:
    """(description, key) pairs, `per_key` for every item of the rate table (twice as many as
    it has names where that is more: "other" has many)."""
    rng = np.random.default_rng(seed)
    out = []
    for key, names in sorted(rate_vocabulary().items()):
        for _ in range(max(per_key, 2 * len(names))):
            template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
            text = template.format(
                name=names[int(rng.integers(len(names)))],
                brand=BRANDS[int(rng.integers(len(BRANDS)))],
                size=SIZES[int(rng.integers(len(SIZES)))],
            )
            out.append((_noisy(rng, text), key))
    return out


def hand_written() -> list[tuple[str, str]]:
    with (DATA / "rate_holdout.csv").open(newline="") as handle:
        return [(row["description"], row["key"]) for row in csv.DictReader(handle)]


def fit(pairs: Sequence[tuple[str, str]], version: str) -> RateModel:
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )
    pipeline = Pipeline(
        [("features", features), ("model", LogisticRegression(C=20.0, max_iter=3000))]
    )
    pipeline.fit([d.lower() for d, _ in pairs], [k for _, k in pairs])
    return RateModel(version, pipeline)


def accuracy(model: RateModel, pairs: Sequence[tuple[str, str]], goods: bool = False) -> float:
    """Top-1 accuracy; with `goods`, an item's loose and pre-packaged rows count as one (the
    checker takes the form from the description's words, not from the model)."""
    predicted = model.predict([d for d, _ in pairs])

    def same(a: str, b: str) -> bool:
        return a == b or (goods and a.removesuffix(LOOSE) == b.removesuffix(LOOSE))

    return float(np.mean([same(p, k) for (p, _), (_, k) in zip(predicted, pairs, strict=True)]))


def train(version: str, per_key: int = 60) -> tuple[RateModel, str]:
    pairs = generated(TRAIN_SEED, per_key)
    model = fit(pairs, version)
    model.metrics = {
        "top1_generated_held_out": round(accuracy(model, generated(HELD_OUT_SEED, 20)), 4),
        "top1_hand_written": round(accuracy(model, hand_written()), 4),
        "top1_hand_written_goods": round(accuracy(model, hand_written(), goods=True), 4),
        "classes": len(model.pipeline.classes_),
        "rate_table_version": gst_rules.rules()["version"],
    }  # no date: the same training gives the same bytes (the manifest says when it was made)
    digest = hashlib.sha256("\n".join(f"{d}\t{k}" for d, k in pairs).encode()).hexdigest()
    return model, digest
