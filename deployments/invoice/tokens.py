"""How invoice text is split into tokens, for the tagger and for the corpus it learns from.
Pure."""

from __future__ import annotations

import re

TOKEN = re.compile(
    r"(?:Dr|Mr|Mrs|Ms|Smt|Shri|Sri)\.|M/[sS]\.?|\d+(?:[,.]\d+)*(?:k|K)?|₹|"
    r"[A-Za-z]+(?:['&][A-Za-z]+)*|&|%|/-|[^\sA-Za-z\d]"
)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
