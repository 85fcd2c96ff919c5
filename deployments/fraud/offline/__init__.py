"""The fraud model's offline code: training on generated books (`training`) and the evaluation
of its findings (`evaluation`); `train` makes the artifact `fineasy train` saves, `evaluate` the
report of `fineasy evaluate --model fraud`. No replica imports it."""

from __future__ import annotations

from collections.abc import Iterator

from deployments.fraud.offline import evaluation, training
from deployments.fraud.predictor import FraudPredictor
from deployments.offline import tables
from deployments.offline.commands import Run, Shipped, Trained
from kernel.models.fraud import FraudTuning

BOOTSTRAP = 1000
"""Resamples of the independent world's businesses behind each interval."""


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """Fits on `businesses` generated businesses (24) and measures on held-out ones: the
    manifest's metrics, and each exact rule's confidence."""
    tuning = shipped.tuning(FraudTuning, model_version=version)
    count = businesses or 24
    validation = training.labelled_books(training.VALIDATION_SEED, max(4, count))
    models, data_hash = training.fit_models(
        training.labelled_books(training.TRAIN_SEED, count), validation, version, tuning
    )
    metrics = evaluation.evaluate(FraudPredictor(models, tuning), validation)
    return models, {"held_out_seed": training.VALIDATION_SEED, **metrics}, data_hash


def evaluate(run: Run) -> Iterator[str]:
    """Per-type precision and recall on the training generator's held-out books at two
    confidence bars; then on the independent world with intervals, recall by kind of duplicate,
    false findings per 1,000 invoices and the calibration of the confidences."""
    data = training.labelled_books(training.EVAL_SEED, run.businesses)
    yield (
        f"fraud {run.manifest.version} on {run.businesses} held-out businesses of the training "
        f"generator (seed {training.EVAL_SEED}, never used in training)"
    )
    for threshold in (0.5, 0.7):
        tuning = run.tuning(FraudTuning, min_confidence=threshold)
        report = evaluation.evaluate(FraudPredictor(run.payload, tuning), data)
        yield from tables.counts(f"\nreported at confidence >= {threshold}", report)
    tuning = run.tuning(FraudTuning)
    seed = evaluation.INDEPENDENT_SEED
    cases = evaluation.independent_cases(seed, run.independent_businesses)
    result = evaluation.measure(FraudPredictor(run.payload, tuning), cases, resamples=BOOTSTRAP)
    yield (
        f"\nthe independent world (eval_world, seed {seed}): {result['businesses']} businesses, "
        f"{result['invoices']} invoices; shipped tuning (min_confidence {tuning.min_confidence}); "
        f"95% intervals from {BOOTSTRAP} bootstrap resamples of the businesses"
    )
    rates, spread = result["rates"], result["intervals"]
    yield from tables.intervals(rates, spread, evaluation.KINDS)
    for stratum, (found, total) in result["recall_by_stratum"].items():
        yield f"  duplicates of {stratum}: {found} of {total} found"
    overall = rates["all"]
    low, high = spread["all"]["false_per_1000_invoices"]
    yield (
        f"false findings per 1,000 invoices: {overall['false_per_1000_invoices']:.2f} "
        f"[{low:.2f}, {high:.2f}]"
    )
    low, high = spread["all"]["ece"]
    yield f"expected calibration error: {overall['ece']:.3f} [{low:.3f}, {high:.3f}]"
    yield "reliability: confidence bin, findings, mean confidence, share right"
    for span, count, confidence, right in result["reliability"]:
        yield f"  {span}  {count:>6}  {confidence:.3f}  {right:.3f}"
