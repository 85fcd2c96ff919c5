"""Hand-written GST invoices that are correct, as real shops and firms issue them, on both sides
of 22-09-2025 and of 01-02-2026 (`data/gst_correct_invoices.jsonl`, committed once and not
edited after its first scoring). What each one tests is in its `case`.

Written by hand: each line's item, HSN (4, 6 or 8 digits, or none), quantity, price and rate,
the parties, a discount and whether tax was computed before or after it, and any compensation
cess (`cess_rate` percent on the lines `cess_on`, stated apart or, with `cess_in_tax`, inside
the tax amount). The loader only adds the arithmetic: subtotal, tax, total and, with `split`,
the CGST/SGST or IGST split by place of supply (the buyer's GSTIN, else the seller's state).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernel.models.compliance import InvoiceFacts, ItemFacts

DATA = Path(__file__).parent / "data" / "gst_correct_invoices.jsonl"
TURNOVER = 24_000_000.0
"""₹2.4 crore: a small business (4-digit HSN on B2B, no e-invoicing)."""


@dataclass(frozen=True)
class Written:
    id: str
    case: str
    invoice: InvoiceFacts


def _facts(record: dict[str, Any], number: int) -> InvoiceFacts:
    items = tuple(
        ItemFacts(name=name, hsn_code=hsn, quantity=qty, unit_price=price, tax_rate=rate)
        for name, hsn, qty, price, rate in record["items"]
    )
    values = [i.quantity * i.unit_price for i in items]
    subtotal = round(sum(values), 2)
    discount = float(record.get("discount", 0.0))
    share = 1.0 - discount / subtotal if record.get("tax_on") == "post" else 1.0
    tax = round(
        sum(round(v * share * i.tax_rate / 100, 2) for v, i in zip(values, items, strict=True)), 2
    )
    cess = round(
        sum(values[k] * share for k in record.get("cess_on", ()))
        * record.get("cess_rate", 0)
        / 100,
        2,
    )
    inside = bool(record.get("cess_in_tax"))
    seller, buyer = record["seller"], record.get("buyer")
    split: dict[str, float | None] = {}
    if record.get("split"):
        local = (buyer or seller)[:2] == seller[:2]
        half = round(tax / 2, 2)
        split = {"cgst": half, "sgst": round(tax - half, 2)} if local else {"igst": tax}
    return InvoiceFacts(
        invoice_id=record["id"],
        invoice_number=f"HW/{number:04d}",
        invoice_date=dt.date.fromisoformat(record["date"]),
        business_name="Hand-written",
        business_gstin=seller,
        business_state=seller[:2],
        party_name=record["buyer_name"],
        party_gstin=buyer,
        b2b=buyer is not None,
        items=items,
        subtotal=subtotal,
        tax_amount=round(tax + (cess if inside else 0.0), 2),
        discount_amount=discount,
        total_amount=round(subtotal + tax + cess - discount, 2),
        cess_amount=None if inside or not cess else cess,
        composition_dealer=bool(record.get("composition")),
        aggregate_turnover=TURNOVER,
        **split,
    )


def correct_invoices() -> list[Written]:
    records = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    return [Written(r["id"], r["case"], _facts(r, k)) for k, r in enumerate(records, 1)]


# -- the independent GST world: invoices a reviewer would check, with planted errors --------------
# Written for this world from what shops sell and what the notifications say, not from the
# checker's table: (description as printed, HSN, rate before 22-09-2025, rate from it). None:
# the item is outside GST. A later change (tobacco, 01-02-2026) is in LATER.
GOODS: list[tuple[str, str, float | None, float | None]] = [
    ("UltraTech Super cement 50kg", "2523", 28, 18),
    ("JK Lakshmi PPC cement", "252329", 28, 18),
    ("Britannia Marie Gold 250g", "1905", 18, 5),
    ("Haldiram Navratan mixture 400g", "21069099", 12, 5),
    ("Amul butter 100g", "0405", 12, 5),
    ("Mother Dairy ghee 1L", "0405", 12, 5),
    ("Amul UHT toned milk 1L", "0401", 5, 0),
    ("Kissan mixed fruit jam 700g", "2007", 12, 5),
    ("Cadbury 5 Star chocolate", "1806", 18, 5),
    ("Colgate MaxFresh toothpaste 150g", "3306", 18, 5),
    ("Dove soap 100g", "3401", 18, 5),
    ("Clinic Plus shampoo 340ml", "3305", 18, 5),
    ("Daikin 1.5 ton split AC", "8415", 28, 18),
    ("Mi 43 inch LED TV", "8528", 28, 18),
    ("Atlas bicycle 26 inch", "8712", 12, 5),
    ("Sonalika DI 745 tractor", "8701", 12, 5),
    ("Classmate long notebook", "48202000", 12, 0),
    ("Apsara platinum pencils", "9609", 12, 0),
    ("Slice mango drink 1.2L", "22029920", 12, 5),
    ("Tata Sampann toor dal 1kg pack", "0713", 5, 5),
    ("Loose chana dal", "0713", 0, 0),
    ("Daawat basmati rice 5kg pack", "1006", 5, 5),
    ("Loose kolam rice", "1006", 0, 0),
    ("Fortune sunflower oil 5L", "1512", 5, 5),
    ("Madhur sugar 5kg", "1701", 5, 5),
    ("Red Label tea 500g", "0902", 5, 5),
    ("Tata Tiscon TMT bar 12mm", "7214", 18, 18),
    ("Finolex wire 1 sqmm 90m", "8544", 18, 18),
    ("Somany floor tiles 2x2", "6907", 18, 18),
    ("Berger Silk paint 20L", "3209", 18, 18),
    ("Lenovo IdeaPad laptop", "8471", 18, 18),
    ("Apple iPhone 15 128GB", "8517", 18, 18),
    ("Tanishq gold bangle 22k", "7113", 3, 3),
    ("Hero Splendor Plus 97cc", "8711", 28, 18),
    ("Restaurant dinner for 4", "996331", 5, 5),
    ("Petrol", "27101241", None, None),
]
SERVICES_CHANGED = [("Salon haircut and spa", "999721", 18, 5)]
PEOPLE = ["Ramesh Yadav", "Sunita Devi", "Imran Khan", "Lakshmi Narayan", "Gurpreet Singh"]
FIRMS = ["Balaji Traders", "Sri Sai Agencies", "Kaveri Enterprises", "Noor Distributors"]
PANS = ["AAACB1234C", "AABFS5678D", "AACCK9012E", "AADPN3456F", "AAEFR7890G", "AAFHL2345H"]
STATES = ["27", "29", "07", "33", "24", "09", "19", "36"]
KINDS = (
    "gst_mismatch",
    "missing_gstin",
    "tax_calculation_error",
    "incomplete_invoice_data",
)


def _gstin(state: str, pan: str) -> str:
    from kernel.gstin import check_character

    body = f"{state}{pan}1Z"
    return body + check_character(body)


@dataclass(frozen=True)
class Planted:
    invoice: InvoiceFacts
    kinds: frozenset[str]
    how: str


def _world_invoice(rng: Any, number: int, day: dt.date) -> dict[str, Any]:
    seller_state = STATES[int(rng.integers(len(STATES)))]
    b2b = rng.random() < 0.5
    buyer_state = seller_state if rng.random() < 0.7 else STATES[int(rng.integers(len(STATES)))]
    after = day >= dt.date(2025, 9, 22)
    lines = []
    for k in rng.choice(len(GOODS), size=int(rng.integers(1, 4)), replace=False):
        name, hsn, before_rate, after_rate = GOODS[int(k)]
        rate = after_rate if after else before_rate
        lines.append(
            [name, hsn, float(rng.integers(1, 20)), float(rng.integers(40, 4000)), rate or 0]
        )
    return {
        "number": f"EW/{day.year % 100}/{number:04d}",
        "date": day,
        "seller": _gstin(seller_state, PANS[int(rng.integers(len(PANS)))]),
        "buyer": _gstin(buyer_state, PANS[int(rng.integers(len(PANS)))]) if b2b else None,
        "buyer_name": FIRMS[int(rng.integers(len(FIRMS)))]
        if b2b
        else PEOPLE[int(rng.integers(len(PEOPLE)))],
        "lines": lines,
        "discount": float(rng.choice([0, 0, 50, 100, 250])),
        "split": rng.random() < 0.5,
    }


def _to_facts(spec: dict[str, Any]) -> InvoiceFacts:
    record = {
        "id": spec["number"],
        "date": spec["date"].isoformat(),
        "seller": spec["seller"],
        "buyer": spec["buyer"],
        "buyer_name": spec["buyer_name"],
        "items": spec["lines"],
        "discount": spec["discount"],
        "split": spec["split"],
    }
    facts = _facts(record, 0)
    return facts.model_copy(update={"invoice_number": spec["number"]})


def gst_world(seed: int, count: int) -> list[Planted]:
    """`count` invoices on both sides of 22-09-2025, half clean and half with one planted error
    each: a rate the item did not have on that date (a stale product master, or the new rate
    charged early), a rate no slab has, the wrong tax kind for the place of supply, a mistyped
    tax or total, a buyer GSTIN with a wrong check character, a B2B line without HSN, no
    invoice number."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = []
    for n in range(1, count + 1):
        day = dt.date(2025, 4, 1) + dt.timedelta(days=int(rng.integers(0, 560)))
        spec = _world_invoice(rng, n, day)
        if n % 2:
            out.append(Planted(_to_facts(spec), frozenset(), "clean"))
            continue
        out.append(_planted(rng, spec))
    return out


def _planted(rng: Any, spec: dict[str, Any]) -> Planted:
    after = spec["date"] >= dt.date(2025, 9, 22)
    how = str(rng.choice(["stale_rate", "odd_rate", "wrong_kind", "tax_typo", "total_typo",
                          "bad_gstin", "no_hsn", "no_number"]))  # fmt: skip
    changed = [k for k, (_, _, b, a) in enumerate(GOODS) if b is not None and b != a]
    if how == "stale_rate":
        name, hsn, before_rate, after_rate = GOODS[int(rng.choice(changed))]
        wrong = before_rate if after else after_rate  # the old rate kept, or the new one early
        spec["lines"][0] = [name, hsn, 5.0, 300.0, wrong]
        return Planted(_to_facts(spec), frozenset({"gst_mismatch"}), how)
    if how == "odd_rate":
        spec["lines"][0][4] = float(rng.choice([13, 8, 15]))
        return Planted(_to_facts(spec), frozenset({"gst_mismatch"}), how)
    if how == "wrong_kind":
        facts = _to_facts(spec | {"split": False})
        local = (spec["buyer"] or spec["seller"])[:2] == spec["seller"][:2]
        tax = facts.tax_amount
        half = round(tax / 2, 2)
        update = (
            {"igst": tax, "cgst": None, "sgst": None}
            if local
            else {"cgst": half, "sgst": tax - half, "igst": None}
        )
        if tax <= 0:
            return _planted(rng, spec)
        return Planted(facts.model_copy(update=update), frozenset({"gst_mismatch"}), how)
    facts = _to_facts(spec)
    if how == "tax_typo":
        slip = float(rng.integers(250, 900))
        update = {"tax_amount": facts.tax_amount + slip, "total_amount": facts.total_amount + slip}
        return Planted(facts.model_copy(update=update), frozenset({"tax_calculation_error"}), how)
    if how == "total_typo":
        update = {"total_amount": facts.total_amount + float(rng.choice([90, 900, 9000]))}
        return Planted(facts.model_copy(update=update), frozenset({"tax_calculation_error"}), how)
    if how == "bad_gstin":  # the buyer's, or on a counter sale the shop's own, mistyped
        field = "party_gstin" if facts.party_gstin else "business_gstin"
        good = str(getattr(facts, field))
        bad = good[:14] + ("A" if good[14] != "A" else "B")
        return Planted(facts.model_copy(update={field: bad}), frozenset({"missing_gstin"}), how)
    if how == "no_hsn":
        if facts.party_gstin is None:
            return _planted(rng, spec)
        items = (facts.items[0].model_copy(update={"hsn_code": None}), *facts.items[1:])
        return Planted(
            facts.model_copy(update={"items": items}), frozenset({"incomplete_invoice_data"}), how
        )
    return Planted(
        facts.model_copy(update={"invoice_number": ""}), frozenset({"incomplete_invoice_data"}), how
    )
