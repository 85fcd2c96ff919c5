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

from kernel.model_io import InvoiceFacts, ItemFacts

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
