"""AssistantPredictor: what a chat message asks for. Plain class, no Ray import.

A learned intent model (TF-IDF over words and character n-grams, logistic regression) names
what the owner wants; rules read what the answer needs from the text: a GSTIN, an HSN code, an
item, a date, a GST return, a horizon in months, and whether the message is the app's expense
classification prompt ("Return only the classification word."), which is answered with one of
four words and never reaches the intent model.

Worst case, linear in the message (4,000 characters at the route): its whitespace collapsed,
then one pass of the intent model (word and character n-grams, a linear model) and of each rule's
regular expression, whose repetitions are bounded ({2,60} for a quoted category) or separated
by the single spaces left; the expense words are looked for as substrings, a fixed list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from kernel.models.assistant import AssistantTuning, Understanding
from kernel.work import checkpoint

PRIORITIES = ("essential", "important", "discretionary", "non_essential")
CLASSIFY_MARK = re.compile(r"return only the classification word", re.IGNORECASE)
PRIORITY_WORDS: dict[str, tuple[str, ...]] = {
    "essential": ("rent", "salar", "wage", "electric", "power", "water", "tax", "gst", "loan",
                  "emi", "interest", "insurance", "raw material", "inventory", "stock",
                  "purchase", "utilit", "license", "licence", "fuel"),
    "important": ("maintenance", "repair", "transport", "freight", "internet", "phone",
                  "telephone", "software", "marketing", "advertis", "packaging", "courier",
                  "professional", "accountant", "legal", "bank charge", "equipment", "training",
                  "office supplies", "stationery"),
    "discretionary": ("travel", "meal", "food", "refreshment", "tea", "snack", "gift",
                      "subscription", "decoration", "furniture", "upgrade", "event",
                      "donation", "festival", "conference", "miscellaneous", "other"),
    "non_essential": ("entertainment", "party", "luxury", "movie", "vacation", "holiday",
                      "hobby", "personal", "shopping", "alcohol", "gaming", "club"),
}  # fmt: skip
GSTIN_TEXT = re.compile(r"\b[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][0-9A-Za-z][Zz][0-9A-Za-z]\b")
HSN_TEXT = re.compile(r"\b(?:hsn|sac)\s*(?:code\s*)?[:#-]?\s*([0-9]{4,8})\b", re.IGNORECASE)
RETURN_TEXT = re.compile(r"\b(gstr[\s-]?(?:1|3b|4|9)|cmp[\s-]?08|iff)\b", re.IGNORECASE)
MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}  # fmt: skip
MONTH_ABBR = {name[:3]: number for name, number in MONTHS.items()}
DATE_TEXT = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b|\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"
)
HORIZON_TEXT = re.compile(
    r"\b(?:next|agle|aane wale)\s+(\d{1,2}|three|six|two)\s+(?:months?|mahin[ea])"
)
QUARTER_TEXT = re.compile(r"\b(?:quarter|3 months|teen mahine)\b", re.IGNORECASE)
NUMBER_WORDS = {"two": 2, "three": 3, "six": 6}
RATE_QUESTION_WORDS = frozenset(
    [
        "gst",
        "tax",
        "rate",
        "rates",
        "slab",
        "slabs",
        "percent",
        "percentage",
        "what",
        "whats",
        "what's",
        "is",
        "are",
        "the",
        "a",
        "an",
        "on",
        "for",
        "of",
        "to",
        "in",
        "at",
        "as",
        "from",
        "after",
        "new",
        "now",
        "today",
        "current",
        "currently",
        "applicable",
        "how",
        "much",
        "should",
        "i",
        "we",
        "my",
        "our",
        "charge",
        "charged",
        "levy",
        "put",
        "show",
        "shows",
        "invoice",
        "bill",
        "sale",
        "sold",
        "sell",
        "within",
        "state",
        "pe",
        "par",
        "ka",
        "ki",
        "ke",
        "kitna",
        "kitne",
        "kitni",
        "lagta",
        "lagti",
        "lagega",
        "lagana",
        "lagate",
        "hai",
        "hain",
        "ya",
        "or",
        "and",
        "under",
        "does",
        "do",
        "did",
        "change",
        "changed",
        "recently",
        "rs",
        "rupees",
        "sac",
        "hsn",
        "code",
        "item",
        "items",
        "goods",
        "on?",
        "tell",
        "me",
        "please",
        "pls",
        "batao",
        "bata",
        "bhai",
        "sir",
        "kya",
        "hoga",
        "there",
        "any",
    ]
)


@dataclass
class AssistantModels:
    """The artifact: the intent model and its held-out figures."""

    version: str
    intent: Pipeline
    metrics: dict[str, Any] = field(default_factory=dict)


def expense_priority(prompt: str) -> str:
    """One of the four words for the app's expense-category prompt: the category's words
    against the lists above, the most specific match winning; `discretionary` (the app's own
    default) when nothing matches."""
    text = CLASSIFY_MARK.split(prompt)[0].lower()
    quoted = re.findall(r"['\"“”‘’]([^'\"“”‘’]{2,60})['\"“”‘’]", text)
    subject = " ".join(quoted) if quoted else text
    best: tuple[int, str] | None = None
    for word_class in ("non_essential", "essential", "important", "discretionary"):
        for stem in PRIORITY_WORDS[word_class]:
            if stem in subject and (best is None or len(stem) > best[0]):
                best = (len(stem), word_class)
    return best[1] if best else "discretionary"


def _date(text: str) -> dt.date | None:
    found = DATE_TEXT.search(text)
    if found is None:
        return None
    try:
        if found.group(1):
            month = MONTHS.get(found.group(2).lower()) or MONTH_ABBR.get(found.group(2)[:3].lower())
            if month is None:
                return None
            return dt.date(int(found.group(3)), month, int(found.group(1)))
        return dt.date(int(found.group(6)), int(found.group(5)), int(found.group(4)))
    except ValueError:
        return None


def _item(text: str) -> str | None:
    """What is left of a GST-rate question once its question words, numbers, dates and codes
    are gone: the goods it names, in the owner's words."""
    words = re.findall(r"[A-Za-z][A-Za-z&'/-]*", DATE_TEXT.sub(" ", text))
    kept = [
        w for w in words
        if (w.lower().strip("'") not in RATE_QUESTION_WORDS and w.lower() not in MONTHS
        and w.lower()[:3] not in MONTH_ABBR) or len(w) > 9
    ]  # fmt: skip
    item = " ".join(kept).strip(" -/&")
    return item[:60] or None


def _horizon(text: str) -> int | None:
    found = HORIZON_TEXT.search(text.lower())
    if found:
        value = found.group(1)
        months = int(value) if value.isdigit() else NUMBER_WORDS[value]
        return max(1, min(months, 4))
    return 3 if QUARTER_TEXT.search(text) else None


class AssistantPredictor:
    def __init__(self, models: AssistantModels, tuning: AssistantTuning) -> None:
        self._models, self.tuning = models, tuning

    @property
    def version(self) -> str:
        return self._models.version

    def understand(self, prompt: str) -> Understanding:
        text = " ".join(prompt.split())
        checkpoint(len(text))
        if CLASSIFY_MARK.search(text):
            return Understanding(intent="classify_expense", confidence=1.0,
                                 priority=expense_priority(text))  # fmt: skip
        probabilities = self._models.intent.predict_proba([text.lower()])[0]
        best = int(np.argmax(probabilities))
        intent = str(self._models.intent.classes_[best])
        confidence = float(probabilities[best])
        if confidence < self.tuning.min_intent_confidence:
            intent = "unsure"
        gstin = GSTIN_TEXT.search(text)
        hsn = HSN_TEXT.search(text)
        ret = RETURN_TEXT.search(text)
        return Understanding(
            intent=intent,
            confidence=round(confidence, 4),
            gstin=gstin.group(0).upper() if gstin else None,
            hsn=hsn.group(1) if hsn else None,
            item=_item(text) if intent == "gst_rate" else None,
            on_date=_date(text),
            gst_return=re.sub(r"[\s-]", "", ret.group(1)).upper() if ret else None,
            horizon_months=_horizon(text),
        )
