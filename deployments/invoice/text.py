"""Rule-based normalisers for what shop owners type: Indian amounts, quantities and units, tax
and discount percentages, payment modes, due dates. Pure: no Ray, no model.

The learned tagger (to come) decides which words are the customer, an item, a quantity or a
price; these functions turn the words it picks into numbers, dates and enum strings.

Worst case, linear in the text: each reads at most MAX_TEXT_CHARS characters (`clean`), with
regular expressions that cannot backtrack past their own match (Indian digit groups bounded,
whitespace collapsed before the due-date patterns read it), each searched once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

MAX_TEXT_CHARS = 10_000
"""The most characters any reader of this package reads: the longest text a route takes (OCR
step 2's printed bill). Unicode normalisation can lengthen a text (one character of the Arabic
presentation forms is 18 letters), so the cap holds after it too."""
MAX_ITEMS = 100
"""The most items a text is read into (a sentence names a few; a long printed bill, pages of
rows, is read to its hundredth): what follows is not read, and the draft's notes say so."""
TOO_MANY_ITEMS = f"Only the first {MAX_ITEMS} items were read"
MAX_AMOUNT = 1e12
"""The largest price or amount read (₹1 lakh crore, what /compliance/validate takes too), and
MAX_QUANTITY the largest quantity: a larger number in a text is not read as one (one of 400
digits is an infinite float, which no JSON answer and no table column holds)."""
MAX_QUANTITY = 1e9
MULTIPLIERS = {
    "k": 1_000,
    "thousand": 1_000,
    "hazaar": 1_000,
    "hazar": 1_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "lac": 100_000,
    "lacs": 100_000,
    "l": 100_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
    "cr": 10_000_000,
}
NUMBER_WORDS = {
    "one": 1, "ek": 1, "two": 2, "do": 2, "three": 3, "teen": 3, "four": 4, "char": 4,
    "five": 5, "paanch": 5, "panch": 5, "six": 6, "chhe": 6, "seven": 7, "saat": 7,
    "eight": 8, "aath": 8, "nine": 9, "nau": 9, "ten": 10, "das": 10, "dozen": 12,
    "twelve": 12, "fifteen": 15, "twenty": 20, "bees": 20, "fifty": 50, "pachas": 50,
    "hundred": 100, "sau": 100,
}  # fmt: skip
UNITS = {
    "pcs": "pcs", "pc": "pcs", "piece": "pcs", "pieces": "pcs", "nos": "pcs", "no": "pcs",
    "unit": "unit", "units": "unit", "item": "pcs", "items": "pcs",
    "kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg", "kilograms": "kg",
    "g": "g", "gm": "g", "gms": "g", "gram": "g", "grams": "g",
    "l": "l", "ltr": "l", "litre": "l", "litres": "l", "liter": "l", "liters": "l",
    "ml": "ml", "m": "m", "mtr": "m", "metre": "m", "meter": "m", "metres": "m", "meters": "m",
    "bag": "bag", "bags": "bag", "bori": "bag", "box": "box", "boxes": "box", "carton": "box",
    "cartons": "box", "drum": "drum", "drums": "drum", "roll": "roll", "rolls": "roll",
    "packet": "pkt", "packets": "pkt", "pkt": "pkt", "pkts": "pkt", "bottle": "btl",
    "bottles": "btl", "dozen": "dozen", "set": "set", "sets": "set", "pair": "pair",
    "pairs": "pair", "tonne": "tonne", "tonnes": "tonne", "ton": "tonne", "tons": "tonne",
    "hour": "hr", "hours": "hr", "hr": "hr", "hrs": "hr", "day": "day", "days": "day",
    "sqft": "sqft", "ft": "ft", "feet": "ft", "foot": "ft", "inch": "inch", "inches": "inch",
    "ream": "ream", "reams": "ream", "sheet": "sheet", "sheets": "sheet", "jar": "jar",
    "jars": "jar", "can": "can", "cans": "can", "sack": "bag", "sacks": "bag", "tin": "tin",
    "tins": "tin", "pack": "pkt", "packs": "pkt", "visit": "visit", "visits": "visit",
    "plate": "plate", "plates": "plate", "cup": "cup", "cups": "cup",
    "strip": "strip", "strips": "strip", "tablet": "pcs", "tablets": "pcs", "case": "box",
    "cases": "box", "ctn": "box", "ctns": "box", "quintal": "quintal", "quintals": "quintal",
    "qtl": "quintal", "bundle": "bundle", "bundles": "bundle", "trip": "trip", "trips": "trip",
    "month": "month", "months": "month", "cylinder": "cylinder", "cylinders": "cylinder",
    "tube": "tube", "tubes": "tube",
}  # fmt: skip
PAYMENT_WORDS = [
    (r"\b(upi|gpay|google pay|phonepe|phone pe|paytm|bhim|qr)\b", "upi"),
    (r"\b(bank transfer|neft|rtgs|imps|bank se|account transfer|net ?banking)\b", "bank_transfer"),
    (r"\b(credit card|debit card|card)\b", "card"),
    (r"\b(cheque|check)\b", "cheque"),
    (r"\b(cash|nakad|nagad|naqad)\b", "cash"),
    (r"\b(on credit|credit|udhar|udhaar|udhari|baad mein|pay later)\b", "credit"),
]
"""Checked in order: "credit card" is card, plain "credit" is credit (pay later)."""
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "somvar": 0, "mangalvar": 1, "budhvar": 2, "guruvar": 3, "shukravar": 4,
    "shanivar": 5, "ravivar": 6,
}  # fmt: skip
MONTHS = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def visible(text: str) -> str:
    """Unicode compatibility forms folded (full-width digits), Devanagari digits as ASCII,
    control characters (line breaks too) as spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(DEVANAGARI_DIGITS)
    return "".join(c if unicodedata.category(c)[0] != "C" else " " for c in folded)


def clean(text: str) -> str:
    """`visible`, spaces collapsed, at most MAX_TEXT_CHARS characters. The result never
    contains anything that could end a log line early."""
    shown = visible(text[:MAX_TEXT_CHARS])[:MAX_TEXT_CHARS]
    return re.sub(r"\s+", " ", shown).strip()


AMOUNT = re.compile(
    r"(?:₹|rs\.?|inr|rupees?)?\s*"
    r"(?P<number>\d{1,3}(?:,\d{2}){0,6},\d{3}(?:\.\d+)?|\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"\s*(?P<scale>k|thousand|hazaa?r|lakhs?|lacs?|crores?|cr|l)?\b"
    r"(?:\s*(?:/-|rupees?|rs\.?|₹))?",
    re.IGNORECASE,
)


def parse_amount(text: str) -> float | None:
    """The first amount in `text`: "Rs. 1,25,000", "₹2,500.50", "1.5 lakh", "2k", "3 crore",
    "5000 rupees", "250/-". Indian (1,25,000) and international (125,000) grouping both read."""
    match = AMOUNT.search(text)
    if match is None:
        return None
    value = float(match.group("number").replace(",", ""))
    scale = (match.group("scale") or "").lower()
    amount = round(value * MULTIPLIERS.get(scale, 1), 2)
    return amount if amount <= MAX_AMOUNT else None


PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pct|pratishat)", re.IGNORECASE)


def parse_percent(text: str) -> float | None:
    """The first percentage in `text`, when it is one a tax or discount can be (up to 100)."""
    match = PERCENT.search(text)
    return float(match.group(1)) if match and float(match.group(1)) <= 100 else None


QUANTITY = re.compile(
    r"(?P<number>\d+(?:\.\d+)?|"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")\s*(?P<unit>[a-z]+)?",
    re.IGNORECASE,
)


def parse_quantity(text: str) -> tuple[float, str | None] | None:
    """ "10 bags" -> (10, "bag"); "5 kg" -> (5, "kg"); "das" -> 10; "30 dozen" -> (30, "dozen"):
    a price next to dozens is per dozen ("30 dozen eggs 84 per dozen"), so the quantity stays
    in dozens; a bare "dozen" is 12 pieces."""
    match = QUANTITY.search(text)
    if match is None:
        return None
    raw = match.group("number").lower()
    number = float(raw) if raw[0].isdigit() else float(NUMBER_WORDS[raw])
    if number > MAX_QUANTITY:
        return None
    unit_word = (match.group("unit") or "").lower()
    if raw == "dozen":
        return 12.0, "pcs"
    return number, UNITS.get(unit_word)


def parse_payment(text: str) -> str | None:
    lowered = text.lower()
    for pattern, mode in PAYMENT_WORDS:
        if re.search(pattern, lowered):
            return mode
    return None


def _next_weekday(today: dt.date, weekday: int) -> dt.date:
    """The first such weekday after today: "by next Friday" said on a Monday means the coming
    Friday, as shop owners use it (never today)."""
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


DATE_PATTERNS = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"), "dmy"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?[\s/.-]*([A-Za-z]{3,9})[\s/.,-]*(\d{4}|\d{2})\b"),
     "dMy"),
    (re.compile(r"\b([A-Za-z]{3,9})\s+(\d{1,2}),?\s+(\d{4})\b"), "Mdy"),
]  # fmt: skip


def _month(name: str) -> int | None:
    return MONTHS.get(name.lower()[:3]) or MONTHS.get(name.lower())


def parse_date(text: str) -> dt.date | None:
    """The first whole date in `text`, day first as in India: 2026-01-04, 04/01/2026, 04-01-26,
    4.1.2026, 04 Jan 2026, 4th January 2026, 04-Jan-26, January 4, 2026."""
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(text):
            a, b, c = match.groups()
            try:
                if order == "ymd":
                    day, month, year = int(c), int(b), int(a)
                elif order == "dmy":
                    day, month, year = int(a), int(b), int(c)
                elif order == "dMy":
                    day, month, year = int(a), _month(b) or 0, int(c)
                else:
                    day, month, year = int(b), _month(a) or 0, int(c)
                year += 2000 if year < 100 else 0
                return dt.date(year, month, day)
            except ValueError:
                continue
    return None


def parse_due(text: str, today: dt.date) -> dt.date | None:
    """ "due in 15 days", "net 30", "within a week", "15 din mein", "by next Friday",
    "by 5th December", "on 2025-12-05", "5/12/2025" (day first, as in India)."""
    lowered = text.lower()
    if match := re.search(
        r"\b(?:in|within)\s+(\d{1,2})\s+(weeks?|months?|hafte|mahine)\b", lowered
    ):
        unit = 7 if match.group(2).startswith(("week", "hafte")) else 30
        return today + dt.timedelta(days=int(match.group(1)) * unit)
    if match := re.search(r"\b(?:in|within|net|after)\s+(\d{1,3})\s*(?:days?|din)?\b", lowered):
        return today + dt.timedelta(days=int(match.group(1)))
    if match := re.search(
        r"\b(\d{1,3})\s*(?:days?|din)\s*(?:mein|me|main|ke andar|baad|later|after)\b", lowered
    ):
        return today + dt.timedelta(days=int(match.group(1)))
    if match := re.search(r"\b(?:1|ek|one)\s+(?:mahine|mahina|month)\b", lowered):
        return today + dt.timedelta(days=30)
    if re.search(r"\b(?:next|agle|agla)\s+(?:week|hafte|hafta)\b", lowered):
        return today + dt.timedelta(days=7)
    if re.search(r"\b(?:today|aaj)\b", lowered):
        return today
    if match := re.search(
        r"\b(?:(?:in|within)\s+(?:a|one|ek)\s+(week|month)|(?:ek|a)\s+(hafte|mahine)\s*"
        r"(?:mein|me|main|ke andar))\b",
        lowered,
    ):
        span = match.group(1) or match.group(2)
        return today + dt.timedelta(days=7 if span in ("week", "hafte") else 30)
    if match := re.search(r"\b(next|this|agle|coming)?\s*(" + "|".join(WEEKDAYS) + r")\b", lowered):
        return _next_weekday(today, WEEKDAYS[match.group(2)])
    if (whole := parse_date(lowered)) is not None:  # a date with its year
        return whole
    month_names = "|".join(sorted(MONTHS, key=len, reverse=True))
    if match := re.search(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({month_names})\b(?:\s+(\d{{4}}))?", lowered
    ):
        return _dated(today, int(match.group(1)), MONTHS[match.group(2)], match.group(3))
    if match := re.search(
        rf"\b({month_names})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", lowered
    ):
        return _dated(today, int(match.group(2)), MONTHS[match.group(1)], match.group(3))
    if match := re.search(r"\b(\d{1,3})\s*(?:days?|din)\b", lowered):  # "paymnt 7 days"
        return today + dt.timedelta(days=int(match.group(1)))
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dated(today: dt.date, day: int, month: int, year: str | None) -> dt.date | None:
    """A day and month without a year is the next such date from today."""
    if year:
        return _safe_date(int(year), month, day)
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate
