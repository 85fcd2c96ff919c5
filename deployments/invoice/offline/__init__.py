"""The invoice parser's offline code: training (`training`) on the generated invoice requests
(the shared deployments/offline/invoice_corpus.py) and field-level evaluation (`evaluation`);
`train` makes the artifact `fineasy train` saves, `evaluate` the report of `fineasy evaluate
--model invoice`. No replica imports it."""

from __future__ import annotations

from collections.abc import Iterator

from deployments.invoice.offline import evaluation, training
from deployments.invoice.parser import InvoiceParser
from deployments.invoice.resolver import resolve
from deployments.offline.commands import Run, Shipped, Trained
from deployments.offline.invoice_corpus import EVAL_SEED, TODAY
from kernel.models.invoice import Catalogue

DOCUMENTED_PROMPTS = (
    "Generate an invoice for Rajesh Traders, 10 units of Item A, UPI link attached",
    "Create invoice for John Doe, 5 items at 100 each with UPI payment",
    "Create invoice for Nitiayog Textiles for 8 drums for 5000 rupees each with 8% discount",
)
"""The client contract's example prompts (its section on natural-language invoices)."""


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """The tagger and the intent model, trained on generated sentences (not on businesses;
    nothing in the tuning shapes them), with their F1 per field held out."""
    del businesses, shipped
    models, data_hash = training.train(version)
    parser = InvoiceParser(models)
    models.metrics = {
        "f1_generated_held_out": _f1(parser, evaluation.generated(300)),
        "f1_hand_written": _f1(parser, evaluation.hand_written()),
    }
    return models, models.metrics, data_hash


def _f1(parser: InvoiceParser, prompts: list[evaluation.Prompt]) -> dict[str, float]:
    return {k: v["f1"] for k, v in evaluation.evaluate(parser, prompts).items()}


def evaluate(run: Run) -> Iterator[str]:
    """Field-level precision, recall and F1 on each held-out set; then the client contract's
    documented prompts, drafted as the app would without business data."""
    parser = InvoiceParser(run.payload)
    count = run.businesses * 30 if run.businesses else 300
    held_out, final = evaluation.generated(count), evaluation.hand_written(evaluation.FINAL)
    data = "deployments/invoice/data"
    sets = {
        f"generated held-out (seed {EVAL_SEED})": held_out,
        f"hand-written dev set 1 ({data}/invoice_prompts.jsonl)": evaluation.hand_written(),
        f"hand-written dev set 2 ({data}/invoice_prompts_blind.jsonl)": evaluation.hand_written(
            evaluation.BLIND
        ),
        f"hand-written dev set 3 ({data}/invoice_prompts_fresh.jsonl)": evaluation.hand_written(
            evaluation.FRESH
        ),
        f"hand-written, blind ({data}/invoice_prompts_final.jsonl)": final,
        "acceptance set: generated held-out + hand-written blind": [*held_out, *final],
        "the independent hand-written prompts (eval_world/data), all styles": (
            evaluation.independent()
        ),
        **{
            f"the independent hand-written prompts, {style}": prompts
            for style, prompts in evaluation.independent_by_style().items()
        },
    }
    yield f"invoice {run.manifest.version}: field-level scores, relative dates from {TODAY}"
    for title, prompts in sets.items():
        yield f"\n{title}: {len(prompts)} prompts"
        yield f"{'field':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"
        for name, row in evaluation.evaluate(parser, prompts).items():
            yield (
                f"{name:<14}{row['precision']:>10.4f}{row['recall']:>8.4f}{row['f1']:>8.4f}"
                f"{int(row['support']):>9}"
            )
    yield "\nthe documented prompts (client contract), no business data:"
    for text in DOCUMENTED_PROMPTS:
        draft = resolve(parser.parse(text, TODAY), Catalogue(), TODAY, False)
        items = ", ".join(
            f"{line.name} x {line.quantity:g} @ {line.unit_price:g}" for line in draft.lines
        )
        yield (
            f"  {draft.customer_name} | {items} | discount {draft.discount_percent:g}% | "
            f"payment {draft.payment_mode} | total (tax after discount) "
            f"{draft.totals(tax_after_discount=True)['total_amount']:.2f}"
        )
