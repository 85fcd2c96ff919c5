"""InvoiceParser: a shop owner's sentence -> the invoice they meant. Plain class, no Ray import.

A learned sequence tagger (a linear-chain CRF from python-crfsuite, over each token's window:
the words, their shapes, and what the normalisers recognise) marks the customer, items,
quantities, prices, tax, discount, due date and payment; an intent classifier says whether the
text asks for an invoice at all; the rule-based normalisers (invoice_text) turn the tagged words
into values.

Worst case, linear in the text: at most MAX_TEXT_CHARS characters once normalised (text.clean),
split by one regular expression; the first MAX_TOKENS tokens are read (the rest is not), each
into a fixed set of features (every token lower-cased and shaped once); the tagger's Viterbi pass
and the intent model's one pass are linear in them; the quantity, price and note matching is
quadratic in the tagged spans but they are at most MAX_TOKENS; at most MAX_ITEMS items come out.
Counted at a checkpoint per token (kernel/work.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pycrfsuite
from sklearn.pipeline import Pipeline

from deployments.invoice.document import looks_printed, parse_document
from deployments.invoice.hindi import has_devanagari, romanize
from deployments.invoice.text import (
    MAX_ITEMS,
    MULTIPLIERS,
    NUMBER_WORDS,
    PAYMENT_WORDS,
    TOO_MANY_ITEMS,
    UNITS,
    WEEKDAYS,
    clean,
    parse_amount,
    parse_due,
    parse_payment,
    parse_percent,
    parse_quantity,
)
from deployments.invoice.tokens import tokenize
from kernel.models.invoice import InvoiceTuning, ParsedInvoice, ParsedItem
from kernel.work import checkpoint

MAX_TOKENS = 1000
"""The tagger reads a text's first thousand tokens (a 2,000-character sentence is 400-500 of
words and numbers); the rest is not read."""
CURRENCY = {"₹", "rs", "inr", "rupees", "rupee", "/-"}
PAYMENT_TOKENS = {
    word for pattern, _ in PAYMENT_WORDS for word in re.findall(r"[a-z]+", pattern) if len(word) > 2
}


SHAPE_STEPS = ((re.compile(r"[A-Z]"), "X"), (re.compile(r"[a-z]"), "x"), (re.compile(r"\d"), "d"))
REPEATS = re.compile(r"(.)\1+")
NUMBER_WORD = re.compile(r"\d+(?:[,.]\d+)*k?")


def _shape(token: str) -> str:
    for pattern, letter in SHAPE_STEPS:
        token = pattern.sub(letter, token)
    return REPEATS.sub(r"\1\1", token)


def token_features(
    tokens: Sequence[str], i: int, words: Sequence[str], shapes: Sequence[str]
) -> dict[str, float | str]:
    """The tagger's view of token i: its word, shape and affixes, what the normalisers
    recognise in it, and its neighbours three either side. `words` and `shapes` are every
    token's, lower-cased and shaped once (crf_features)."""

    def word(j: int) -> str:
        return words[j] if 0 <= j < len(tokens) else ("<s>" if j < 0 else "</s>")

    w = word(i)
    features: dict[str, float | str] = {
        "w": w,
        "shape": shapes[i],
        "suffix3": w[-3:],
        "prefix3": w[:3],
        "title": float(tokens[i][:1].isupper()),
        "number": float(bool(NUMBER_WORD.fullmatch(w)) or w in NUMBER_WORDS),
        "unit": float(w in UNITS),
        "currency": float(w in CURRENCY),
        "scale": float(w in MULTIPLIERS),
        "payment": float(w in PAYMENT_TOKENS),
        "weekday": float(w in WEEKDAYS),
        "position": min(i, 12) / 12,
    }
    for offset in (-3, -2, -1, 1, 2, 3):
        neighbour = word(i + offset)
        features[f"w{offset:+d}"] = neighbour
        features[f"shape{offset:+d}"] = (
            shapes[i + offset] if 0 <= i + offset < len(tokens) else neighbour
        )
    features["bigram-1"] = f"{word(i - 1)}|{w}"
    features["bigram+1"] = f"{w}|{word(i + 1)}"
    return features


@dataclass
class InvoiceModels:
    """`tagger`: a CRFsuite model file's bytes (a CRF learns which tag may follow which, so a
    two-word item stays one item); opened in memory on first use, never pickled open."""

    version: str
    tagger: bytes
    intent: Pipeline
    metrics: dict[str, object] = field(default_factory=dict)
    _open: pycrfsuite.Tagger | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_open"} | {"_open": None}

    def tag(self, features: list[dict[str, float]]) -> tuple[list[str], list[float]]:
        if self._open is None:
            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self.tagger)
            self._open = tagger
        tags = list(self._open.tag(features))
        return tags, [float(self._open.marginal(t, i)) for i, t in enumerate(tags)]


def crf_features(tokens: Sequence[str]) -> list[dict[str, float]]:
    """token_features as CRFsuite wants them: name=value indicators and numeric values."""
    words = [t.lower() for t in tokens]
    shapes = [_shape(t) for t in tokens]
    out = []
    for i in range(len(tokens)):
        checkpoint()
        row: dict[str, float] = {}
        for name, value in token_features(tokens, i, words, shapes).items():
            if isinstance(value, str):
                row[f"{name}={value}"] = 1.0
            else:
                row[name] = float(value)
        out.append(row)
    return out


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    text: str
    """As the owner wrote it (names keep their script)."""
    confidence: float
    plain: str = ""
    """As the normalisers read it: Devanagari words romanised (नकद -> cash)."""

    @property
    def value_text(self) -> str:
        return self.plain or self.text


def spans(
    offsets: Sequence[tuple[int, int]],
    text: str,
    tags: Sequence[str],
    probs: Sequence[float],
    readable: Sequence[str] | None = None,
) -> list[Span]:
    """`readable`: the tokens as the tagger read them (romanised), for the spans' `plain`."""
    out: list[Span] = []
    current: list[int] = []
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        kind = tag[2:] if tag != "O" else ""
        # Item words side by side are one item ("whiteboard markers"): an independent token
        # classifier may start each with B-; other fields keep their B- boundaries.
        fresh_item = tag.startswith("B-") and not (kind == label == "ITEM")
        if current and (tag == "O" or fresh_item or kind != label):
            first, last = current[0], current[-1]
            written = text[offsets[first][0] : offsets[last][1]]
            plain = (
                " ".join(readable[first : last + 1])
                if readable is not None and has_devanagari(written)
                else ""
            )
            out.append(
                Span(
                    label,
                    first,
                    last,
                    written,
                    float(np.mean([probs[j] for j in current])),
                    plain,
                )
            )
            current = []
        if tag != "O":
            if not current:
                label = kind
            current.append(i)
    return out


class InvoiceParser:
    def __init__(self, models: InvoiceModels, tuning: InvoiceTuning | None = None) -> None:
        self.models, self.tuning = models, tuning
        """No thresholds yet: the version is the parser's whole configuration."""

    @property
    def version(self) -> str:
        return self.models.version

    def parse(self, raw: str, today: dt.date) -> ParsedInvoice:
        """A sentence goes to the tagger; a printed invoice's lines (OCR text) to the layout
        rules of invoice.document, unless they find no item row in it."""
        if looks_printed(raw):
            printed = parse_document(raw)
            if printed.items:
                return printed.model_copy(update={"model_version": self.version})
        return self._sentence(raw, today).model_copy(update={"model_version": self.version})

    def _sentence(self, raw: str, today: dt.date) -> ParsedInvoice:
        text = clean(raw)
        tokenized = tokenize(text)
        if len(tokenized) > MAX_TOKENS:  # read as far as the last token kept
            text, tokenized = text[: tokenized[MAX_TOKENS - 1][2]], tokenized[:MAX_TOKENS]
        tokens = [romanize(t) for t, _, _ in tokenized]
        offsets = [(s, e) for _, s, e in tokenized]
        readable = " ".join(tokens) if has_devanagari(text) else text
        intent_probs = self.models.intent.predict_proba([readable.lower()])[0]
        classes = list(self.models.intent.classes_)
        is_invoice = (
            float(intent_probs[classes.index("create_invoice")])
            if "create_invoice" in classes
            else 1.0
        )
        if not tokens:
            return ParsedInvoice(text=text, intent_confidence=0.0)
        tags, confidence = self.models.tag(crf_features(tokens))
        found = spans(offsets, text, tags, confidence, tokens)
        parsed = assemble(text, found, today, is_invoice, readable, tokens)
        said = notes(text, found, offsets)
        if len(parsed.items) > MAX_ITEMS:
            parsed.items, said = parsed.items[:MAX_ITEMS], [*said, TOO_MANY_ITEMS]
        return parsed.model_copy(update={"notes": said})


COMMAND = re.compile(
    r"^(please\s+)?(generate|create|make|raise|new|need|bill|invoice)\b|\b(banao|bana do)\b",
    re.IGNORECASE,
)


def notes(text: str, found: Sequence[Span], offsets: Sequence[tuple[int, int]]) -> list[str]:
    """Clauses of two or more words that carry no field but the payment mode."""
    taken = [(offsets[s.start][0], offsets[s.end][1]) for s in found if s.label != "PAY"]
    out = []
    for match in re.finditer(r"[^,;.]+", text):
        clause = match.group().strip()
        start, end = match.start(), match.end()
        if len(clause.split()) < 2 or COMMAND.search(clause):
            continue
        if any(a < end and b > start for a, b in taken):
            continue
        out.append(clause)
    return out


def _first(found: Sequence[Span], label: str) -> Span | None:
    return next((s for s in found if s.label == label), None)


@dataclass
class _Slot:
    start: int
    end: int
    name: str
    confidence: float
    quantity: float | None = None
    unit: str | None = None
    price: float | None = None


def _gap(a: Span | _Slot, b: Span | _Slot) -> int:
    """Tokens between two spans, whichever comes first."""
    return a.start - b.end - 1 if a.start > b.end else b.start - a.end - 1


AFTER_ITEM = {"x", "*", "×", "qty", "quantity", "nos"}
"""Words that put a quantity after its item ("paneer x 3", "soap, qty 10")."""


def _closest(span: Span, slots: list[_Slot], free: str, before_only: bool) -> _Slot | None:
    """The nearest slot still missing `free`; with `before_only`, the nearest one before the
    span when there is one (a price follows its item, even past "qty 10, rate")."""
    candidates = [s for s in slots if getattr(s, free) is None]
    if before_only and any(s.end < span.start for s in candidates):
        candidates = [s for s in candidates if s.end < span.start]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (_gap(span, s), s.start < span.start))


GST_SLABS = {0.0, 0.1, 0.25, 1.5, 3.0, 5.0, 12.0, 18.0, 28.0, 40.0}


def tax_rate(text: str) -> float | None:
    """ "18% GST", or "gst 18" with no percent sign when the number is a GST slab."""
    percent = parse_percent(text)
    if percent is not None:
        return percent
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)]
    return next((n for n in numbers if n in GST_SLABS), None)


def assemble(
    text: str,
    found: Sequence[Span],
    today: dt.date,
    intent_confidence: float,
    readable: str | None = None,
    words: Sequence[str] = (),
) -> ParsedInvoice:
    """Fields from tagged spans. A quantity joins the nearest item without one ("10 bags cement",
    "cement x 10", the following item on a tie); a price the nearest item before it without one.
    A quantity with no item near ("8 drums for 5000 each") is itself the item, named by its
    unit."""
    slots = [_Slot(s.start, s.end, s.text, s.confidence) for s in found if s.label == "ITEM"]
    for span in (s for s in found if s.label == "QTY"):
        parsed = parse_quantity(span.value_text)
        if parsed is None:
            continue
        marker = words[span.start - 1].lower() if words and span.start > 0 else ""
        target = _closest(span, slots, "quantity", before_only=marker in AFTER_ITEM)
        if target is None or _gap(span, target) > 4:
            named = [
                w for w in re.findall(r"[A-Za-z]+", span.text) if w.lower() not in NUMBER_WORDS
            ]
            target = _Slot(
                span.start, span.end, named[-1].title() if named else "Item", span.confidence
            )
            slots.append(target)
        target.quantity, target.unit = parsed
    slots.sort(key=lambda s: s.start)
    for span in (s for s in found if s.label == "PRICE"):
        amount = parse_amount(span.value_text)
        target = _closest(span, slots, "price", before_only=True)
        if amount is not None and target is not None:
            target.price = amount
    for span in (s for s in found if s.label == "TOTAL"):  # "12 kurtas, total 9,600"
        amount = parse_amount(span.value_text)
        target = _closest(span, slots, "price", before_only=True)
        if amount is not None and target is not None:
            target.price = round(amount / (target.quantity or 1.0), 2)
    items = [
        ParsedItem(
            name=re.sub(r"\s+", " ", slot.name).strip(" ,.-"),
            quantity=slot.quantity if slot.quantity is not None else 1.0,
            # "n gas 1800": a priced line with no count is one of it
            quantity_stated=slot.quantity is not None or slot.price is not None,
            unit=slot.unit,
            unit_price=slot.price,
            confidence=round(slot.confidence, 3),
        )
        for slot in slots
    ]
    customer = _first(found, "CUST")
    tax, disc, due = (_first(found, label) for label in ("TAX", "DISC", "DUE"))
    modes = [m for s in found if s.label == "PAY" and (m := parse_payment(s.value_text))]
    payment = modes[0] if modes else parse_payment(readable or text)
    confidences = [s.confidence for s in found if s.label in ("CUST", "ITEM", "QTY", "PRICE")]
    return ParsedInvoice(
        text=text,
        customer=customer.text.strip(" ,.-:") if customer else None,
        items=items,
        tax_rate=tax_rate(tax.value_text) if tax else None,
        discount_percent=parse_percent(disc.value_text) if disc else None,
        due_date=parse_due(due.value_text, today) if due else None,
        payment_mode=payment,
        intent_confidence=round(intent_confidence, 3),
        extraction_confidence=round(float(np.mean(confidences)), 3) if confidences else 0.0,
    )
