"""How well a photographed invoice is read: the character error rate of the OCR text, and how
often each field comes out right when the invoice parser reads that text (what the app's OCR
screen does: extract-text, then parse-invoice). Offline: no replica imports it.

The images come from eval_world (rendered and photographed by code that shares nothing with
the OCR or parser code); the same fields read from the printed text itself (no OCR) show how
much is lost to the parser and how much to the camera.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from deployments.invoice.document import parse_document
from deployments.ocr.predictor import OcrPredictor
from eval_world.scanned_invoices import SEED, ScannedInvoice, generate
from kernel.models.invoice import ParsedInvoice

FIELDS = ("party", "invoice_number", "date", "line_items", "total")


def _plain(text: str) -> str:
    """Lines with single spaces: a column gap is layout, not a character to get right."""
    return "\n".join(
        re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()
    )


def cer(read: str, printed: str) -> tuple[int, int]:
    """(character edits from the printed text to what was read, characters printed)."""
    truth = _plain(printed)
    return Levenshtein.distance(_plain(read), truth), len(truth)


def _same_name(read: str | None, printed: str) -> bool:
    return read is not None and re.sub(r"\s+", " ", read).strip().lower() == printed.lower()


def field_hits(parsed: ParsedInvoice, invoice: ScannedInvoice) -> dict[str, Any]:
    """Per field, right or not. Line items: each printed line found with its quantity and
    price exact and its name within a few characters (fuzz ratio >= 90); the field is right
    when every line is, and no line is invented."""
    printed = parsed.printed
    found = 0
    for line in invoice.lines:
        if any(
            item.quantity == line.quantity
            and item.unit_price == line.unit_price
            and fuzz.ratio(item.name.lower(), line.name.lower()) >= 90
            for item in parsed.items
        ):
            found += 1
    return {
        "party": _same_name(parsed.customer, invoice.party),
        "invoice_number": printed is not None and printed.invoice_number == invoice.invoice_number,
        "date": printed is not None and printed.invoice_date == invoice.date,
        "line_items": found == len(invoice.lines) and len(parsed.items) == len(invoice.lines),
        "total": printed is not None
        and printed.total_amount is not None
        and abs(printed.total_amount - invoice.total) < 0.01,
        "lines_found": found,
        "lines_printed": len(invoice.lines),
        "lines_read": len(parsed.items),
    }


def photographed(count: int, seed: int | None = None) -> tuple[int, list[ScannedInvoice]]:
    """The seed (eval_world's own unless given) and `count` photographed invoices drawn with it."""
    seed = seed or SEED
    return seed, generate(count, seed)


def evaluate(predictor: OcrPredictor, invoices: list[ScannedInvoice]) -> dict[str, Any]:
    edits = chars = 0
    hits: dict[str, dict[str, list[bool]]] = {
        "ocr": defaultdict(list),
        "printed": defaultdict(list),
    }
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    line_counts = {"found": 0, "printed": 0, "read": 0}
    seconds = []
    for invoice in invoices:
        started = time.perf_counter()
        result = predictor.read(invoice.jpeg)
        seconds.append(time.perf_counter() - started)
        e, c = cer(result.text, invoice.text)
        edits, chars = edits + e, chars + c
        for group in (invoice.layout, "hindi party" if invoice.hindi_party else "english party"):
            by_group[group][0] += e
            by_group[group][1] += c
        for source, text in (("ocr", result.text), ("printed", invoice.text)):
            got = field_hits(parse_document(text), invoice)
            for name in FIELDS:
                hits[source][name].append(bool(got[name]))
            if source == "ocr":
                for key in line_counts:
                    line_counts[key] += got[f"lines_{key}"]
    seconds.sort()
    return {
        "images": len(invoices),
        "cer": round(edits / chars, 4),
        "cer_by_group": {k: round(e / c, 4) for k, (e, c) in sorted(by_group.items())},
        "field_accuracy": {n: round(sum(v) / len(v), 3) for n, v in hits["ocr"].items()},
        "field_accuracy_printed_text": {
            n: round(sum(v) / len(v), 3) for n, v in hits["printed"].items()
        },
        "all_fields_right": round(
            sum(all(hits["ocr"][n][i] for n in FIELDS) for i in range(len(invoices)))
            / len(invoices),
            3,
        ),
        "item_lines": line_counts,
        "seconds_per_image": {
            "median": round(seconds[len(seconds) // 2], 3),
            "max": round(seconds[-1], 3),
        },
    }
