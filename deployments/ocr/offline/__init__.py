"""The OCR model's offline code: nothing is fitted (Tesseract's models come from the
distribution), so `train` pins the installed engine in an artifact and measures it on the
photographed invoices of eval_world (`evaluation`); `evaluate` is the report of `fineasy
evaluate --model ocr`. No replica imports it."""

from __future__ import annotations

from collections.abc import Iterator

from deployments.ocr import engine
from deployments.ocr.offline import evaluation
from deployments.ocr.predictor import OcrModels, OcrPredictor
from deployments.offline.commands import Run, Shipped, Trained
from kernel.models.ocr import OcrTuning

BUILD_IMAGES = 40
"""Photographed invoices read when the artifact is made, for its manifest's metrics (all 120
by `fineasy evaluate --model ocr`)."""


def pinned(languages: str, psm: int, binarize: bool, version: str) -> OcrModels:
    """An artifact for the Tesseract installed here: its version and the sha256 of each
    language's data, with the page settings."""
    return OcrModels(version, languages, psm, binarize, engine.facts(languages))


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """The pinned engine, carrying what it scored on the photographed invoices of eval_world."""
    del businesses
    models = pinned("eng+hin", psm=6, binarize=False, version=version)
    predictor = OcrPredictor(models, shipped.tuning(OcrTuning, model_version=version))
    seed, invoices = evaluation.photographed(BUILD_IMAGES)
    result = evaluation.evaluate(predictor, invoices)
    models.metrics = {
        "images": result["images"],
        "cer_independent": result["cer"],
        "field_accuracy_independent": result["field_accuracy"],
    }
    # The time a photo took goes to the manifest only: in the artifact it would change its
    # bytes (and the sha256 pinned in config/serve.yaml) with the machine's load.
    timed = {**models.metrics, "seconds_per_image": result["seconds_per_image"]}
    return models, timed, f"eval_world.scanned_invoices seed {seed}"


def evaluate(run: Run) -> Iterator[str]:
    """The character error rate by layout and script, each field's accuracy from the OCR text
    against the printed text's, the item lines found, and the time a photo takes."""
    models: OcrModels = run.payload
    predictor = OcrPredictor(models, run.tuning(OcrTuning))
    seed, invoices = evaluation.photographed(run.count or 120, run.seed)
    result = evaluation.evaluate(predictor, invoices)
    engines = ", ".join(f"{k} {v[:12]}" for k, v in models.engine.items())
    yield f"ocr {run.manifest.version}: {engines}; -l {models.languages} --psm {models.psm}"
    yield (
        f"{result['images']} photographed invoices (eval_world/scanned_invoices.py, seed {seed}:"
        " four layouts, a third with Hindi party names; turned, tilted, blurred, unevenly lit,"
        " JPEG 55-85)"
    )
    yield f"\ncharacter error rate: {result['cer']:.4f}"
    for group, cer in result["cer_by_group"].items():
        yield f"  {group:<16}{cer:.4f}"
    yield "\nfield accuracy      from OCR text   from the printed text (no OCR)"
    for name in evaluation.FIELDS:
        yield (
            f"  {name:<18}{result['field_accuracy'][name]:>10.3f}"
            f"{result['field_accuracy_printed_text'][name]:>18.3f}"
        )
    lines = result["item_lines"]
    yield f"  every field right {result['all_fields_right']:>10.3f}"
    yield (
        f"\nitem lines: {lines['found']} of {lines['printed']} printed found exactly, "
        f"{lines['read']} read"
    )
    seconds = result["seconds_per_image"]
    yield f"seconds per image (one thread): median {seconds['median']}, max {seconds['max']}"
