"""The word lists more than one model's offline code draws from, in one place: the names of the
rate table's items (`data/rate_vocabulary.json`: the compliance rate model learns them; its
labelled invoices and the invoice requests name items with them) and the names owners call
their customers by (`data/party_names.json`). Offline: no replica imports it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


@functools.cache
def rate_vocabulary() -> dict[str, list[str]]:
    """Per item of the curated GST rate table (its key), the names shops write it by, in English
    and Hinglish."""
    loaded: dict[str, list[str]] = json.loads((DATA / "rate_vocabulary.json").read_text())
    return loaded


@functools.cache
def party_names() -> dict[str, list[str]]:
    """First names, surnames, relations and kinds of place owners name their customers by: a
    wider vocabulary than demo_data's, so the invoice tagger learns where a customer stands in
    a message, not a short list of names."""
    loaded: dict[str, list[str]] = json.loads((DATA / "party_names.json").read_text())
    return loaded
