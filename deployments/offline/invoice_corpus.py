"""A generated corpus of invoice requests as shop owners type them (English and Hinglish), with
token tags and the gold fields. Two models learn from it: the invoice parser its tags and fields,
the assistant its sentences (as "make a bill" questions). Offline: no replica imports it.

Every prompt is built from slots (customer, items with quantity/unit/price, tax, discount, due,
payment), so the tags and the expected fields are known exactly. Seeds decide everything; the
training seed never produces the evaluation prompts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from demo_data.tables import FIRST_NAMES, SHOP_WORDS, SURNAMES, TRADE_SUFFIX
from deployments.invoice.text import parse_due
from deployments.invoice.tokens import tokenize
from deployments.offline.vocabulary import party_names, rate_vocabulary

TRAIN_SEED, EVAL_SEED = 5151, 6262
TODAY = dt.date(2026, 11, 27)
LABELS = ("CUST", "ITEM", "QTY", "PRICE", "TOTAL", "TAX", "DISC", "DUE", "PAY")
"""TOTAL: a line's total ("12 kurtas, total 9,600"): the unit price is it over the quantity."""
ITEMS = [
    ("cement", ["bag", "bags"]), ("TMT bar", ["pcs"]), ("chawal", ["kg"]),
    ("basmati rice", ["kg", "bag"]),
    ("atta", ["kg", "bag"]), ("toor dal", ["kg"]), ("sugar", ["kg"]), ("ghee", ["litre", "tin"]),
    ("mustard oil", ["litre", "tin"]), ("tea", ["packet", "kg"]), ("biscuits", ["packet", "box"]),
    ("soap", ["pcs", "box"]), ("shampoo", ["bottle"]), ("paint", ["drum", "litre"]),
    ("PVC pipe", ["pcs", "metre"]), ("electric wire", ["roll", "metre"]), ("tiles", ["box"]),
    ("cotton fabric", ["metre", "roll"]), ("polyester yarn", ["kg"]), ("shirt", ["pcs"]),
    ("kurta", ["pcs"]), ("notebook", ["pcs", "dozen"]), ("pencil box", ["pcs"]),
    ("LED bulb", ["pcs", "box"]), ("ceiling fan", ["pcs"]), ("mobile cover", ["pcs"]),
    ("veg thali", ["plate"]), ("samosa", ["plate", "pcs"]), ("masala chai", ["cup"]),
    ("consulting", ["hour", "hours"]), ("AMC visit", ["visit"]), ("plywood sheet", ["pcs"]),
    ("sand", ["tonne"]), ("steel almirah", ["pcs"]), ("water tank", ["pcs"]),
    ("dye", ["drum", "kg"]),
    ("onion", ["kg", "bori"]), ("potato", ["kg"]), ("paneer", ["kg"]), ("printer paper", ["box"]),
    ("school bag", ["pcs"]), ("tea set", ["pcs"]), ("first aid kit", ["pcs"]),
    ("mobile charger", ["pcs"]), ("window hinges", ["pcs", "box"]), ("cello tape", ["roll", "pcs"]),
    ("pillow cover", ["pcs", "set"]), ("cement blocks", ["pcs"]), ("car battery", ["pcs"]),
    ("veg pulao", ["plate"]), ("face masks", ["box"]), ("suji", ["kg"]), ("rava", ["kg"]),
    ("dupatta", ["pcs"]), ("markers", ["box", "pcs"]), ("gift box", ["pcs"]),
    ("tool kit", ["pcs", "set"]), ("dinner set", ["set", "pcs"]), ("gas stove", ["pcs"]),
]  # fmt: skip
UNIT_WORDS = [
    "pcs", "box", "kg", "packet", "sq ft", "feet", "reams", "sheets", "jars", "cans", "sacks",
    "tins", "sets", "pairs", "litre", "metre", "nos", "dozen", "rolls", "bottles", "cylinders",
    "tubes", "bags", "cartons", "quintal", "tonnes",
]  # fmt: skip
SIZES = ["15L", "2000W", "40L", "100ml", "253L", "185/65 R15", "1.5 ton", "32 inch", "500g",
         "10kg", "5 star", "2 burner", "4 door", "6mm", "1HP", "750ml", "50kg", "12V"]  # fmt: skip
"""Sizes and ratings that are part of an item's name ("groundnut oil 15L", "milk 40L")."""
PLACES = ["Pune", "Mumbai", "Nagpur", "Raipur", "Delhi", "Jaipur", "Surat", "Indore", "Kochi",
          "Madurai", "Patna", "Ranchi", "Lucknow", "Kanpur"]  # fmt: skip
ROUTES = ["trips {a} to {b}", "truck {a} to {b}", "tempo {a} to {b}", "freight {a} to {b}",
          "trip {a}-{b}", "container {a} to {b}"]  # fmt: skip
SERVICES_FOR = [
    "stitching charges",
    "washing charges",
    "printing charges",
    "repair charges",
    "labour charges",
    "polishing charges",
    "packing charges",
    "alteration charges",
]
"""A service billed for a count of things: "stitching charges for 40 blazers"."""
ADJECTIVES = [
    "red", "blue", "white", "steel", "plastic", "wooden", "copper", "large", "small", "premium",
    "cotton", "glass", "brass", "rubber", "A4", "6mm", "12mm", "heavy", "mini", "LED",
]  # fmt: skip
NOUNS = [
    "cable", "sheet", "paper", "handle", "pipe", "rod", "frame", "mat", "bucket", "chair",
    "table", "lamp", "curtain", "bottle", "brush", "tray", "hinge", "lock", "tape", "wire",
    "panel", "board", "tile", "glass", "mirror", "shelf", "cover", "plate", "bowl", "jar",
]  # fmt: skip
HONORIFICS = ["Dr.", "M/s", "Shri", "Mr.", "Mrs."]
BUSINESS_KINDS = [
    "Clinic", "Cafe", "Academy", "Motors", "Paints", "Caterers", "Builders", "Dairy", "Shop",
    "Kirana", "Solutions", "Electricals", "Medicals", "Opticals", "Bakery",
]  # fmt: skip
DELIVERY = ["delivery by {d}", "deliver by {d}", "dispatch on {d}", "deliver before {d}"]
PRICE_FORMS = ["{n}", "Rs. {n}", "Rs {n}", "₹{n}", "₹ {n}", "{n} rupees", "{n}/-", "INR {n}"]
PAYMENTS = {
    "upi": ["UPI link attached", "pay by UPI", "payment via GPay", "PhonePe se payment",
            "UPI payment", "send UPI link"],
    "cash": ["cash payment", "paid in cash", "nakad", "cash on delivery"],
    "credit": ["on credit", "udhar pe", "pay later", "on udhaar"],
    "card": ["card payment", "paid by credit card", "debit card"],
    "bank_transfer": ["bank transfer", "NEFT to our account", "RTGS payment", "via net banking"],
    "cheque": ["by cheque", "cheque payment"],
}  # fmt: skip
DUE_FORMS = [
    "due in {n} days", "payment in {n} days", "net {n}", "{n} din mein", "within {n} days",
    "within a week", "in a week", "within a month", "ek hafte mein", "within {w} weeks",
    "in {w} weeks",
]  # fmt: skip
WEEKDAY_FORMS = ["by next {d}", "by {d}", "before {d}"]
DATE_FORMS = ["by {day}th {month}", "due on {day} {month}", "due on {dd}/{mm}/{yyyy}",
              "by {dd}/{mm}/{yyyy}", "due {dd}-{mm}-{yyyy}"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["December", "January", "February", "March"]


@dataclass
class Gold:
    customer: str | None = None
    items: list[dict[str, object]] = field(default_factory=list)
    tax_rate: float | None = None
    discount: float | None = None
    due_date: dt.date | None = None
    payment: str | None = None


@dataclass
class Example:
    text: str
    tokens: list[str]
    tags: list[str]
    gold: Gold
    intent: str = "create_invoice"


class _Builder:
    """Appends text pieces with their tag, then tokenises with one tag per token."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def add(self, text: str, tag: str = "O") -> None:
        self.parts.append((text, tag))

    def build(self, gold: Gold) -> Example:
        text, spans, cursor = "", [], 0
        for piece, tag in self.parts:
            if text and not text.endswith(" ") and piece and piece[0] not in ",.:;)":
                text += " "
            start = len(text)
            text += piece
            spans.append((start, len(text), tag))
            cursor = len(text)
        del cursor
        tokens: list[str] = []
        tags: list[str] = []
        for token, start, _end in tokenize(text):
            tag = next((t for s, e, t in spans if s <= start < e), "O")
            begins = tag != "O" and (not tags or tags[-1][2:] != tag or _starts_span(spans, start))
            tokens.append(token)
            tags.append("O" if tag == "O" else ("B-" if begins else "I-") + tag)
        return Example(text, tokens, tags, gold)


def _starts_span(spans: list[tuple[int, int, str]], position: int) -> bool:
    return any(s == position for s, _e, t in spans if t != "O")


def _money(rng: np.random.Generator, value: float) -> str:
    form = PRICE_FORMS[int(rng.integers(len(PRICE_FORMS)))]
    whole = int(value)
    roll = rng.random()
    if whole >= 100_000 and whole % 50_000 == 0 and roll < 0.5:
        text = f"{whole / 100_000:g} lakh"
    elif whole >= 1000 and whole % 1000 == 0 and roll < 0.3:
        text = f"{whole // 1000}k"
    elif whole >= 1000 and roll < 0.7:
        text = indian_grouping(whole)
    else:
        text = str(whole)
    return form.format(n=text)


def indian_grouping(value: int) -> str:
    digits = str(value)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *groups, tail])


def _customer(rng: np.random.Generator) -> str:
    def pick(seq: list[str]) -> str:
        return seq[int(rng.integers(len(seq)))]

    roll = rng.random()
    if roll < 0.35:
        name = f"{pick(SHOP_WORDS)} {pick(SURNAMES)} {pick(TRADE_SUFFIX)}"
    elif roll < 0.6:
        name = f"{pick(FIRST_NAMES)} {pick(SURNAMES)}"
    elif roll < 0.8:
        name = f"{pick(SURNAMES)} {pick(TRADE_SUFFIX)}"
    else:
        name = f"{pick([*SHOP_WORDS, *SURNAMES])} {pick(BUSINESS_KINDS)}"
    if rng.random() < 0.1:
        name = f"{pick(HONORIFICS)} {name}"
    return name


def _open_item(rng: np.random.Generator) -> tuple[str, list[str]]:
    """An item outside the fixed list: a name from the rate vocabulary, or an adjective and a
    noun ("steel handle"), with any unit: names are an open vocabulary."""
    units = [UNIT_WORDS[int(rng.integers(len(UNIT_WORDS)))]]
    if rng.random() < 0.5:
        names = [n for ns in rate_vocabulary().values() for n in ns]  # rate-table item names
        return names[int(rng.integers(len(names)))], units
    adjective = ADJECTIVES[int(rng.integers(len(ADJECTIVES)))]
    noun = NOUNS[int(rng.integers(len(NOUNS)))]
    return f"{adjective} {noun}{'s' if rng.random() < 0.3 else ''}", units


def _item(rng: np.random.Generator, b: _Builder, gold: Gold, hinglish: bool) -> None:
    name, units = ITEMS[int(rng.integers(len(ITEMS)))] if rng.random() < 0.6 else _open_item(rng)
    roll = rng.random()
    if roll < 0.12:  # a size that is part of the name
        name = f"{name} {rng.choice(SIZES)}"
    elif roll < 0.17:  # a route
        a, b_ = rng.choice(PLACES, size=2, replace=False)
        name, units = str(rng.choice(ROUTES)).format(a=a, b=b_), ["trips"]
    elif roll < 0.22:  # a service for a count of things
        _service_for(rng, b, gold)
        return
    if rng.random() < 0.05:
        name = f"Item {'ABCDEFGH'[int(rng.integers(8))]}"
        units = ["units", "pcs"]
    qty = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 50, 100]))
    unit = units[int(rng.integers(len(units)))]
    price = float(
        rng.choice([25, 40, 60, 90, 120, 150, 250, 350, 480, 500, 750, 1200, 1500, 2500, 4500,
                    5000, 12000, 25000, 150000])
    )  # fmt: skip
    style = int(rng.integers(7))
    priced = rng.random() < 0.85
    money = _money(rng, price)

    def add(*pieces: tuple[str, str]) -> None:
        for text, tag in pieces:
            b.add(text, tag)

    def word(*options: str) -> tuple[str, str]:
        return str(rng.choice(options)), "O"

    if rng.random() < 0.08:  # Innova for 4 days at 3,200 per day; logo design 1 at 12,000
        span = str(rng.choice(["days", "hours", "months", "nights", "weeks"]))
        if rng.random() < 0.5:
            add((name, "ITEM"), ("for", "O"), (f"{qty} {span}", "QTY"))
            if priced:
                add(("at", "O"), (money, "PRICE"), ("per " + span.rstrip("s"), "O"))
        else:
            add((name, "ITEM"), (str(qty), "QTY"))
            if priced:
                add(("at", "O"), (money, "PRICE"))
    elif style == 0:  # 10 bags cement @ 350
        add((f"{qty} {unit}", "QTY"), (name, "ITEM"))
        if priced:
            add(("@", "O"), (money, "PRICE"))
    elif style == 1:  # 5 shirts at 450 each
        add((str(qty), "QTY"), (name, "ITEM"))
        if priced:
            add(word("at", "for", "@"), (money, "PRICE"), ("each", "O"))
    elif style == 2:  # 10 units of Item A at 250 per unit
        add((f"{qty} {unit}", "QTY"), ("of", "O"), (name, "ITEM"))
        if priced:
            add(("at", "O"), (money, "PRICE"), word("each", "per " + unit.rstrip("s")))
    elif style == 3:  # cement x 10 @ Rs 350
        add((name, "ITEM"), ("x", "O"), (str(qty), "QTY"))
        if priced:
            add(("@", "O"), (money, "PRICE"))
    elif style == 4:  # 5 kg chawal 60 rupees kilo
        add((f"{qty} {unit}", "QTY"), (name, "ITEM"))
        if priced:
            add((f"{int(price)} rupees", "PRICE"), word(unit, "per " + unit, "each"))
    elif style == 5 and hinglish:  # 10 bag cement 350 ke rate se; 5 kurta 900 wala
        add((f"{qty} {unit}" if rng.random() < 0.6 else str(qty), "QTY"), (name, "ITEM"))
        if priced:
            plain = str(int(price)) if rng.random() < 0.5 else money
            add((plain, "PRICE"), word("ke rate se", "wala", "wale", "per piece", "ka"))
    else:  # cement, qty 10, rate 350
        add((name, "ITEM"), (",", "O"), ("qty", "O"), (str(qty), "QTY"))
        if priced:
            add((", rate", "O"), (money, "PRICE"))
    gold.items.append(
        {"name": name, "quantity": float(qty), "unit_price": price if priced else None}
    )


def _service_for(rng: np.random.Generator, b: _Builder, gold: Gold) -> None:
    """ "stitching charges for 40 blazers, total 24,000" / "... at 600 each"."""
    name = str(rng.choice(SERVICES_FOR))
    qty = int(rng.choice([5, 10, 20, 40, 50, 100, 150]))
    price = float(rng.choice([20, 40, 60, 150, 300, 600]))
    thing = str(rng.choice(NOUNS)) + "s"
    b.add(name, "ITEM")
    b.add("for")
    b.add(f"{qty} {thing}", "QTY")
    if rng.random() < 0.5:
        b.add(", total")
        b.add(_money(rng, price * qty), "TOTAL")
    else:
        b.add("at")
        b.add(_money(rng, price), "PRICE")
        b.add("each")
    gold.items.append({"name": name, "quantity": float(qty), "unit_price": price})


def _items(rng: np.random.Generator, b: _Builder, gold: Gold, hinglish: bool) -> None:
    for i in range(int(rng.choice([1, 1, 1, 2, 2, 3]))):
        if i:
            b.add(str(rng.choice([",", "and", "aur", ", plus"])))
        _item(rng, b, gold, hinglish)


def _extras(rng: np.random.Generator, b: _Builder, gold: Gold) -> None:
    """Tax, discount, due and payment, each present or not, in a random order."""
    extras: list[tuple[str, str, tuple[str, object]]] = []
    if rng.random() < 0.4:
        rate = float(rng.choice([5, 12, 18, 28]))
        text = str(
            rng.choice(
                [
                    f"{rate:g}% GST",
                    f"GST {rate:g}%",
                    f"with {rate:g} percent tax",
                    f"GST {rate:g}% laga do",
                    f"{rate:g} percent tax",
                    f"{rate:g}% tax",
                    f"tax {rate:g}%",
                    f"plus {rate:g}% GST",
                ]
            )
        )
        extras.append((text, "TAX", ("tax_rate", rate)))
    if rng.random() < 0.35:
        disc = float(rng.choice([2, 5, 8, 10, 15]))
        text = str(
            rng.choice(
                [
                    f"{disc:g}% discount",
                    f"with {disc:g}% discount",
                    f"less {disc:g}%",
                    f"{disc:g}% off",
                    f"discount {disc:g}%",
                ]
            )
        )
        extras.append((text, "DISC", ("discount", disc)))
    if rng.random() < 0.45:
        roll = rng.random()
        if roll < 0.5:
            form = DUE_FORMS[int(rng.integers(len(DUE_FORMS)))]
            text = form.format(n=int(rng.choice([7, 10, 15, 30, 45])), w=int(rng.integers(2, 5)))
        elif roll < 0.8:
            text = WEEKDAY_FORMS[int(rng.integers(len(WEEKDAY_FORMS)))].format(
                d=WEEKDAYS[int(rng.integers(6))]
            )
        else:
            day = int(rng.integers(1, 28))
            month = MONTHS[int(rng.integers(len(MONTHS)))]
            number = {"December": 12, "January": 1, "February": 2, "March": 3}[month]
            text = DATE_FORMS[int(rng.integers(len(DATE_FORMS)))].format(
                day=day,
                month=month,
                dd=f"{day:02d}",
                mm=f"{number:02d}",
                yyyy=2026 if month == "December" else 2027,
            )
        extras.append((text, "DUE", ("due_date", parse_due(text, TODAY))))
    if rng.random() < 0.55:
        mode = str(rng.choice(sorted(PAYMENTS)))
        text = str(rng.choice(PAYMENTS[mode]))
        extras.append((text, "PAY", ("payment", mode)))
    if rng.random() < 0.08:  # an advance is neither a discount nor a payment term: untagged
        extras.append((str(rng.choice(["50% advance", "half advance paid", "30% advance",
                                       "advance 20% paid", "25% advance received"])),
                       "O", ("", None)))  # fmt: skip
    if rng.random() < 0.1:  # a delivery date is not a payment due date: left untagged
        extras.append(
            (DELIVERY[int(rng.integers(len(DELIVERY)))].format(d=WEEKDAYS[int(rng.integers(6))]),
             "O", ("", None))
        )  # fmt: skip
    for index in rng.permutation(len(extras)):
        text, tag, (name, value) = extras[int(index)]
        b.add(",")
        b.add(text, tag)
        if name:
            setattr(gold, name, value)


def generate(seed: int, count: int) -> list[Example]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        gold, b = Gold(), _Builder()
        customer = _customer(rng)
        if rng.random() < 0.15:  # typed in a hurry
            customer = customer.lower()
        gold.customer = customer
        hinglish = rng.random() < 0.4
        style = int(rng.integers(6))
        roll = rng.random()
        if roll < 0.3:
            out.append(_messy(rng))
            continue
        if roll < 0.4:
            out.append(_hindi(rng))
            continue

        def say(*options: str, into: _Builder = b) -> None:
            into.add(str(rng.choice(options)))

        if hinglish and style < 3:
            b.add(customer, "CUST")
            say("ko", "ke liye")
            _items(rng, b, gold, hinglish)
            say("ka bill banao", "ka invoice bana do", "bhejna hai")
        elif style == 0:
            say(
                "Generate an invoice for",
                "Create invoice for",
                "Make a bill for",
                "Invoice for",
                "Please bill",
                "Invoice to",
                "Bill to",
                "Raise a bill on",
            )
            b.add(customer, "CUST")
            say(",", "for", ":", "-")
            _items(rng, b, gold, hinglish)
        elif style == 1:
            say("Bill", "Invoice", "Raise invoice to")
            b.add(customer, "CUST")
            b.add(":")
            _items(rng, b, gold, hinglish)
        elif style == 2:
            _items(rng, b, gold, hinglish)
            say("for", "to", "sold to")
            b.add(customer, "CUST")
        elif style == 3:
            b.add("Customer")
            b.add(customer, "CUST")
            b.add(";")
            b.add("items:")
            _items(rng, b, gold, hinglish)
        else:
            say("Please create an invoice for", "New invoice -", "Need a bill for")
            b.add(customer, "CUST")
            b.add("for")
            _items(rng, b, gold, hinglish)
        _extras(rng, b, gold)
        out.append(b.build(gold))
    return out


# -- how owners type in a hurry (WhatsApp), and Hindi as the tagger reads it romanised ----------
MESSY_OPENERS = ["", "", "bill pls", "bill banao", "bill bana do", "inv for", "bill -", "bill for",
                 "bill kar do", "make bill 4", "bill urgent", "invoice"]  # fmt: skip
MESSY_AFTER_CUSTOMER = ["", "", ":", "-", "ko", "ka bill -", "--", "ke liye"]
SEPARATORS = [" n ", " + ", " aur ", ", ", " ", "; ", " & ", ". "]
STRENGTHS = ["500mg", "650", "250mg", "9w", "1.5 sqmm", "12mm", "20ft", "2inch", "2L", "25kg",
             "1kg", "10kg", "5L", "6mm", "1 inch", "4x4"]  # fmt: skip
GLUED_UNITS = ["kg", "ltr", "mtr", "kgs", "gm", "l", "m", "pcs", "pc", "ft"]
PER_UNIT = ["/{u}", "rs {u}", " rupaye {u}", " rupees {u}", " per {u}", " {u}", " ka {u}",
            "/- {u}", " {u} ka"]  # fmt: skip
EACH = ["each", "ea", "ek", "ki ek", "ka ek", "/- each", "wala", "per piece", "each one", ""]
MESSY_TAX = ["gst {r}", "{r}%gst", "{r} % gst", "{r}% gst", "gst {r}%", "gst {r} extra",
             "{r}% gst lagega"]  # fmt: skip
MESSY_DUE = [("{n} din me", "days"), ("paisa {n} din me", "days"), ("{n} din baad payment", "days"),
             ("paymnt {n} days", "days"), ("due {n} days", "days"), ("payment {n} din", "days"),
             ("due next week", "week"), ("1 mahine", "month"), ("ek mahine me", "month"),
             ("by {d}", "weekday")]  # fmt: skip
MESSY_PAY = {
    "upi": ["gpay kiya", "paytm", "upi done", "gpay", "phonepe se", "upi"],
    "cash": ["cash diya", "cash me", "cash", "nakad"],
    "card": ["card swipe", "emi card", "card"],
    "bank_transfer": ["neft", "neft kiya", "bank transfer"],
    "cheque": ["cheque", "chq"],
    "credit": ["udhar", "udhaar", "baad me dega", "credit"],
}  # fmt: skip


def _messy_customer(rng: np.random.Generator) -> str:
    names = party_names()
    first, last = str(rng.choice(names["first"])), str(rng.choice(names["last"]))
    roll = rng.random()
    if roll < 0.3:
        name = first
    elif roll < 0.5:
        name = f"{rng.choice([first, last])} {rng.choice(names['relations'])}"
    elif roll < 0.6:
        name = f"{first} {last}"
    elif roll < 0.7:
        name = _customer(rng)
    elif roll < 0.9:
        owner = rng.choice([last, first, str(rng.choice(SHOP_WORDS)).lower()])
        name = f"{owner} {rng.choice(names['places'])}"
    else:
        name = f"{rng.choice(SHOP_WORDS)} {rng.choice(SHOP_WORDS)} {rng.choice(names['places'])}"
    return name.lower() if rng.random() < 0.75 else name.title()


MESSY_PRICES = [3.5, 7, 8, 12, 15, 25, 32, 45, 60, 85, 120, 180, 240, 320, 450, 650, 780, 999,
                1200, 1450, 2200, 3200, 4800, 7200, 18500]  # fmt: skip


def _messy_item(rng: np.random.Generator, b: _Builder, gold: Gold) -> None:
    name = (ITEMS[int(rng.integers(len(ITEMS)))] if rng.random() < 0.6 else _open_item(rng))[0]
    name = name.lower() if rng.random() < 0.7 else name
    qty = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 25, 30, 40, 50, 100]))
    price = float(rng.choice(MESSY_PRICES))
    unit = str(rng.choice(GLUED_UNITS))
    style = int(rng.integers(8))
    if rng.random() < 0.15:  # a strength or size is part of the name
        name = f"{name} {rng.choice(STRENGTHS)}"
    if style == 0:  # 25kg atta 48/kg
        b.add(f"{qty}{unit}", "QTY")
        b.add(name, "ITEM")
        per = str(rng.choice(PER_UNIT)).format(u=unit)
        if per.startswith(" "):  # "48 rupaye kg": the price, then words
            b.add(f"{price:g}", "PRICE")
            b.add(per.strip())
        else:  # "48/kg", "48rs kg": one piece
            b.add(f"{price:g}{per}", "PRICE")
    elif style == 1:  # 3 saree 1800 ki ek
        b.add(str(qty), "QTY")
        b.add(name, "ITEM")
        b.add(f"{price:g}", "PRICE")
        if each := str(rng.choice(EACH)):
            b.add(each)
    elif style == 2:  # vitrified tiles 60 boxes at 520
        b.add(name, "ITEM")
        b.add(f"{qty} {rng.choice(UNIT_WORDS)}" if rng.random() < 0.6 else str(qty), "QTY")
        b.add(str(rng.choice(["@", "at", "@", ""])))
        b.add(f"{price:g}", "PRICE")
    elif style == 3:  # 5 kilo besan 85 rupaye kilo
        word = str(rng.choice(["kilo", "kg", "litre", "ltr", "mtr", "bag", "box", "pkt", "case"]))
        b.add(f"{qty} {word}", "QTY")
        b.add(name, "ITEM")
        b.add(f"{price:g}", "PRICE")
        b.add(str(rng.choice(PER_UNIT)).format(u=word).strip())
    elif style == 4:  # 12 kurtas, total 9,600
        b.add(str(qty), "QTY")
        b.add(name, "ITEM")
        b.add(str(rng.choice([", total", "total", "for a total of", "- total", ", total of"])))
        b.add(_money(rng, price * qty), "TOTAL")
    elif style == 5:  # 10 box gloves @550
        b.add(f"{qty} {rng.choice(UNIT_WORDS)}", "QTY")
        b.add(name, "ITEM")
        b.add("@" + f"{price:g}", "PRICE")
    elif style == 6:  # crocin 50 strip @32
        b.add(name, "ITEM")
        b.add(f"{qty} {rng.choice(['strip', 'pc', 'nos', 'pcs', 'box', 'bag'])}", "QTY")
        b.add(f"@{price:g}" if rng.random() < 0.5 else f"@ {price:g}", "PRICE")
    else:  # aata 10kg 420 ka bag x 4
        b.add(name, "ITEM")
        b.add(f"{price:g}", "PRICE")
        b.add(str(rng.choice(["x", "X", "*"])))
        b.add(str(qty), "QTY")
    gold.items.append({"name": name, "quantity": float(qty), "unit_price": price})


def _messy(rng: np.random.Generator) -> Example:
    """A request as typed on a phone: lower case, few commas, Hinglish glue words, units glued
    to numbers, prices per unit or per piece in many spellings, line totals."""
    gold, b = Gold(), _Builder()
    customer = _messy_customer(rng)
    gold.customer = customer
    opener = str(rng.choice(MESSY_OPENERS))
    if opener:
        b.add(opener)
    b.add(customer, "CUST")
    if after := str(rng.choice(MESSY_AFTER_CUSTOMER)):
        b.add(after)
    for i in range(int(rng.choice([1, 1, 2, 2, 3]))):
        if i:
            b.add(str(rng.choice(SEPARATORS)).strip() or ",")
        _messy_item(rng, b, gold)
    extras: list[tuple[str, str, tuple[str, object]]] = []
    if rng.random() < 0.3:
        rate = float(rng.choice([3, 5, 12, 18, 28]))
        extras.append((str(rng.choice(MESSY_TAX)).format(r=f"{rate:g}"), "TAX", ("tax_rate", rate)))
    if rng.random() < 0.15:
        disc = float(rng.choice([2, 5, 10, 15]))
        extras.append((f"{disc:g}% off" if rng.random() < 0.5 else f"{disc:g}% discount", "DISC",
                       ("discount", disc)))  # fmt: skip
    if rng.random() < 0.3:
        form, _ = MESSY_DUE[int(rng.integers(len(MESSY_DUE)))]
        text = form.format(
            n=int(rng.choice([5, 7, 10, 15, 20, 30])), d=str(rng.choice(WEEKDAYS)).lower()
        )
        extras.append((text, "DUE", ("due_date", parse_due(text, TODAY))))
    if rng.random() < 0.5:
        mode = str(rng.choice(sorted(MESSY_PAY)))
        extras.append((str(rng.choice(MESSY_PAY[mode])), "PAY", ("payment", mode)))
    for index in rng.permutation(len(extras)):
        text, tag, (name, value) = extras[int(index)]
        b.add(str(rng.choice([",", "", ".", "-", ""])) or " ")
        b.add(text, tag)
        setattr(gold, name, value)
    return b.build(gold)


HINDI_FRAMES = [
    "{c} ko {items} bill banao", "{c} ka bill: {items}", "{c} ke liye {items} ka bill",
    "{c} ko {items} ka bill banao", "{c} ka bill banao: {items}", "{c}: {items}",
    "{c} ko {items}",
]  # fmt: skip
HINDI_PRICE = ["{p} rupees", "{p} rupees {u}", "{p} rupees ke bhav se", "{p} rupees per {u}",
               "{p} rupees {u} ka", "{p}"]  # fmt: skip
HINDI_UNITS = ["kilo", "litre", "metre", "bori", "packet", "box", "dozen", "pcs", "strip"]


def _hindi(rng: np.random.Generator) -> Example:
    """Hindi requests as the parser reads Devanagari once romanised (hindi.romanize): the
    structure words in the lexicon's spelling, names and items transliterated (no capitals)."""
    gold, b = Gold(), _Builder()
    customer = _messy_customer(rng).lower()
    gold.customer = customer
    frame = str(rng.choice(HINDI_FRAMES))
    head, _, tail = frame.partition("{items}")
    b.add(customer, "CUST")
    if rest := head.replace("{c}", "").strip():
        b.add(rest)
    for i in range(int(rng.choice([1, 1, 2]))):
        if i:
            b.add(str(rng.choice(["aur", ","])))
        name, _ = ITEMS[int(rng.integers(len(ITEMS)))] if rng.random() < 0.5 else _open_item(rng)
        name = name.lower()
        qty = int(rng.choice([1, 2, 3, 5, 10, 12, 20, 25, 40, 50, 100, 200]))
        price = int(rng.choice([10, 25, 40, 55, 75, 95, 120, 160, 250, 350, 400, 600, 720, 1500]))
        unit = str(rng.choice(HINDI_UNITS))
        b.add(f"{qty} {unit}" if rng.random() < 0.7 else str(qty), "QTY")
        b.add(name, "ITEM")
        form = str(rng.choice(HINDI_PRICE)).format(p=price, u=unit)
        b.add(form.split(" ")[0], "PRICE")
        if len(form.split(" ")) > 1:
            b.add(" ".join(form.split(" ")[1:]))
        gold.items.append({"name": name, "quantity": float(qty), "unit_price": float(price)})
    if tail.strip():
        b.add(tail.strip())
    if rng.random() < 0.5:
        mode = str(rng.choice(sorted(["cash", "credit", "upi", "cheque"])))
        text = {"cash": "cash", "credit": "udhaar", "upi": "upi se payment",
                "cheque": "cheque se"}[mode]  # fmt: skip
        b.add(",")
        b.add(text, "PAY")
        gold.payment = mode
    elif rng.random() < 0.4:
        n = int(rng.choice([7, 10, 15, 30]))
        text = f"payment {n} din mein"
        b.add(",")
        b.add(text, "DUE")
        gold.due_date = parse_due(text, TODAY)
    return b.build(gold)


NOT_INVOICES = [
    "What is the GST rate on cement?", "Show me my sales for last month",
    "How much does Rajesh owe me?",
    "Delete invoice INV-0042", "Send reminder to all customers", "What is my profit this year",
    "Add a new product called cement bag", "Kitna stock bacha hai chawal ka", "hello", "thanks",
    "Mera GST number kya hai", "Print yesterday's report", "Update phone number of Sharma Traders",
    "How do I file GSTR-1?", "show unpaid invoices", "total sales aaj ki",
]  # fmt: skip


def intent_examples(seed: int, count: int) -> list[tuple[str, str]]:
    """(text, intent) pairs: generated invoice requests and other things owners ask."""
    rng = np.random.default_rng(seed)
    invoices = [(e.text, "create_invoice") for e in generate(seed + 1, count)]
    others = [(str(rng.choice(NOT_INVOICES)), "other") for _ in range(count // 3)]
    return invoices + others
