"""Hand-written invoice requests, as owners type them, for the invoice parser's acceptance
(`data/invoice_prompts_independent.jsonl`: 152 prompts, committed once and never edited after
their first scoring).

Written apart from the parser's generated corpus and its earlier hand-written sets, in three
styles: `plain` (full sentences, Indian number grouping, units glued to numbers, quantities after
the item, line totals instead of unit prices, tax and due terms after the items), `messy`
(WhatsApp style: lower case, no punctuation, Hinglish, "n" for "and", "ea", "ka", "wala") and
`devanagari` (Hindi in Devanagari, some with Devanagari digits). The gold is what the owner
meant: the unit price per stated unit (a line total divided by the quantity), the quantity in
the stated unit, names as written; due dates from Friday 27 November 2026.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "invoice_prompts_independent.jsonl"
WRITTEN_ON = dt.date(2026, 11, 27)
"""The day the relative due dates count from."""
STYLES = ("plain", "messy", "devanagari")


@dataclass(frozen=True)
class WrittenPrompt:
    style: str
    text: str
    gold: dict[str, Any]
    """customer, items [{name, quantity, unit_price}], tax_rate, discount, due_date, payment"""


def written_prompts() -> list[WrittenPrompt]:
    out = []
    for line in DATA.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(WrittenPrompt(row.pop("style"), row.pop("text"), row))
    return out
