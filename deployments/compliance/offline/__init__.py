"""The compliance model's offline code: training of the learned rate check (`rate_training`),
the generated labelled invoices (`labelled`) and the checker's evaluation on them and on the
independent world (`evaluation`); `train` makes the artifact `fineasy train` saves, `evaluate`
the report of `fineasy evaluate --model compliance`. No replica imports it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.offline import evaluation, rate_training
from deployments.compliance.offline.labelled import ISSUE_TYPES, labelled_invoices
from deployments.compliance.rate_model import RateModel
from deployments.offline import tables
from deployments.offline.commands import Run, Shipped, Trained
from kernel.models.compliance import ComplianceTuning

SEVERITIES = ("critical", "high", "medium", "low")


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """The rate model, trained on described items (not on businesses); the rules need none."""
    del businesses, shipped
    model, data_hash = rate_training.train(version)
    return model, model.metrics, data_hash


def evaluate(run: Run) -> Iterator[str]:
    """Per issue type on generated labelled invoices, then on the independent world with
    intervals; the findings on hand-written correct invoices; the rate model's accuracy."""
    count = run.businesses * 50 if run.businesses else 500
    data = labelled_invoices(evaluation.EVAL_SEED, count)
    checker = ComplianceChecker(run.payload, run.tuning(ComplianceTuning))
    planted = sum(bool(d.planted) for d in data)
    after = sum(
        d.invoice.invoice_date is not None and d.invoice.invoice_date.isoformat() >= "2025-09-22"
        for d in data
    )
    report = evaluation.evaluate(checker, data)
    clean = report.pop("clean_invoices")
    yield from tables.counts(
        f"compliance {run.manifest.version} on {count} labelled invoices (seed "
        f"{evaluation.EVAL_SEED}): {planted} with planted issues, {count - planted} clean; "
        f"{after} dated from 22-09-2025, {count - after} before",
        report,
    )
    yield f"clean invoices flagged: {int(clean['flagged'])} of {int(clean['count'])}"
    world = evaluation.independent_invoices(evaluation.INDEPENDENT_SEED, count)
    point, spread = evaluation.measure(checker, world)
    yield (
        f"\nthe independent world (eval_world.gst, seed {evaluation.INDEPENDENT_SEED}): {count} "
        f"invoices, {sum(bool(d.planted) for d in world)} with one planted error; 95% intervals "
        "from 1000 bootstrap resamples of the invoices"
    )
    yield from tables.intervals(point, spread, ISSUE_TYPES)
    world_clean = point["clean_invoices"]
    yield f"clean invoices flagged: {int(world_clean['flagged'])} of {int(world_clean['count'])}"
    worst = evaluation.findings_on_correct(checker, dt.date.today())
    total = sum(len(v) for v in worst.values())
    yield (
        f"hand-written correct invoices (eval_world/data/gst_correct_invoices.jsonl, {total}), "
        "by the worst finding on each: "
        + ", ".join(f"{k} {len(worst.get(k, []))}" for k in ("none", *reversed(SEVERITIES)))
    )
    for severity in SEVERITIES:
        for invoice_id, description in worst.get(severity, []):
            yield f"  {severity:<8} {invoice_id}: {description}"
    yield from _rate_accuracy(run.payload)


def _rate_accuracy(model: RateModel) -> Iterator[str]:
    seed = rate_training.HELD_OUT_SEED
    written = rate_training.hand_written()
    generated = rate_training.accuracy(model, rate_training.generated(seed, 20))
    by_row = rate_training.accuracy(model, written)
    by_item = rate_training.accuracy(model, written, goods=True)
    yield (
        f"rate classifier top-1 accuracy: {generated:.4f} on generated held-out descriptions "
        f"(seed {seed}), {by_row:.4f} on {len(written)} hand-written ones "
        f"(deployments/compliance/data/rate_holdout.csv); {by_item:.4f} counting loose and "
        "pre-packaged rows of one item as one"
    )
