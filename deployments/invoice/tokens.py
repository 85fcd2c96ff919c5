"""How invoice text is split into tokens, for the tagger and for the corpus it learns from.
Pure. Linear in the text: one pass of one pattern whose repetitions (a number's groups, a word's
hyphenated parts) each end where its match does."""

from __future__ import annotations

import re

from deployments.invoice.hindi import DEVANAGARI_WORD

TOKEN = re.compile(
    r"(?:Dr|Mr|Mrs|Ms|Smt|Shri|Sri)\.|M/[sS]\.?|\d+(?:[,.]\d+)*(?:[kK](?![A-Za-z]))?|₹|"
    r"[A-Za-z]+(?:['&-][A-Za-z]+)*|" + DEVANAGARI_WORD + r"|&|%|/-|[^\sA-Za-z\d]"
)
"""A number keeps a thousands "k" ("2k") but not the first letter of a glued unit ("25kg" is
"25", "kg"); a hyphenated word ("pre-wedding") and a Devanagari word (letters and vowel
signs) are one token each."""


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
