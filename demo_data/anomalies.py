"""The planted anomalies, each labelled: duplicate sales and supplier bills, payment
mismatches, suspicious transactions, and two GST errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from demo_data.ledger import Label, Ledger
from demo_data.tables import RATE_KEYS
from kernel import gst_rules


def _lines_of(b: Ledger, inv: dict[str, Any]) -> list[tuple[str, str, float, float, str, float]]:
    factor = 1 / 0.78 if inv["invoice_type"] == "supplier" else 1.0
    return [
        (
            i["name"],
            i["hsn_code"],
            i["unit_price"] * factor,
            i["tax_rate"],
            i["unit"],
            i["quantity"],
        )
        for i in b.out.invoice_items
        if i["invoice_id"] == inv["id"]
    ]


def plant_gst_errors(b: Ledger) -> None:
    """A sales invoice after 22-09-2025 still charging an item's old rate (a stale product
    master), and one whose GST total was typed wrong; labelled with their compliance types."""
    sales = [i for i in b.out.invoices if i["invoice_type"] == "customer"]
    changed = [
        (inv, item)
        for inv in sales
        if inv["invoice_date"] >= gst_rules.GST_2_0
        for item in b.out.invoice_items
        if item["invoice_id"] == inv["id"]
        and (key := RATE_KEYS.get(item["name"])) is not None
        and (old := gst_rules.rate_on(key, gst_rules.GST_2_0 - dt.timedelta(days=1))) is not None
        and old.rate != item["tax_rate"]
    ]
    if changed:
        inv, item = changed[int(b.rng.integers(len(changed)))]
        old_rate = gst_rules.rate_on(RATE_KEYS[item["name"]], dt.date(2025, 9, 21))
        assert old_rate is not None
        extra = round(item["total_amount"] * (old_rate.rate - item["tax_rate"]) / 100, 2)
        item["tax_rate"] = old_rate.rate
        _retotal(b, inv, inv["tax_amount"] + extra)
        b.out.labels.append(Label("gst_mismatch", (inv["id"],)))
    if sales:
        inv = sales[int(b.rng.integers(len(sales)))]
        _retotal(b, inv, inv["tax_amount"] + float(b.rng.integers(150, 900)))
        b.out.labels.append(Label("tax_calculation_error", (inv["id"],)))


def _retotal(b: Ledger, inv: dict[str, Any], tax: float) -> None:
    inv["tax_amount"] = round(tax, 2)
    inv["total_amount"] = round(inv["subtotal"] + inv["tax_amount"] - inv["discount_amount"], 2)
    for txn in b.out.transactions:
        if txn["id"] == inv.get("transaction_id"):
            txn["amount"] = inv["total_amount"]


def plant_duplicates(b: Ledger, kind: str, count: int) -> None:
    """The same sale entered twice, or the same supplier bill booked twice."""
    pool = [
        inv
        for inv in b.out.invoices
        if inv["invoice_type"] == kind and inv["invoice_date"] < b.end - dt.timedelta(days=12)
    ]
    chosen = b.rng.choice(len(pool), size=min(count, len(pool)), replace=False)
    for index in chosen:
        orig = pool[int(index)]
        party = {"id": orig["customer_id"] or orig["supplier_id"]}
        gap = int(b.rng.integers(0, 5 if kind == "customer" else 11))
        number = orig["invoice_number"]
        roll = b.rng.random()
        if kind == "customer" and roll < 0.7:
            number = b.next_number()
        elif kind == "supplier" and roll < 0.5:
            number = b.pick(
                [
                    number + "A",
                    number.lower(),
                    number.replace("-", "").replace("/", ""),
                    f"{b.bill_prefix[party['id']]}{int(b.rng.integers(100, 9999))}",
                ]
            )
        dup = b.invoice(
            kind=kind,
            party=party,
            day=orig["invoice_date"] + dt.timedelta(days=gap),
            lines=_lines_of(b, orig),
            number=number,
        )
        if kind == "customer" and b.rng.random() < 0.2:
            b.out.transactions = [t for t in b.out.transactions if t["id"] != dup["transaction_id"]]
            dup["transaction_id"] = orig["transaction_id"]
        label = "duplicate_invoice" if kind == "customer" else "duplicate_supplier_bill"
        b.out.labels.append(Label(label, (orig["id"], dup["id"])))


def plant_payment_mismatches(b: Ledger, count: int) -> None:
    """paid_amount out of step with the payments, or a status that contradicts the amounts."""
    pool = [
        inv
        for inv in b.out.invoices
        if inv["invoice_type"] == "customer" and 0 < inv["paid_amount"] < inv["total_amount"]
    ]
    pool += [inv for inv in b.out.invoices if inv["status"] == "paid"][: 3 * count]
    chosen = b.rng.choice(len(pool), size=min(count, len(pool)), replace=False)
    for index in chosen:
        inv = pool[int(index)]
        roll = b.rng.random()
        if roll < 0.4 and inv["status"] != "paid":  # payment recorded, paid_amount not updated
            amount = round(inv["total_amount"] - inv["paid_amount"], 2)
            b.out.payments.append(
                {
                    **b.base(),
                    "invoice_id": inv["id"],
                    "amount": amount,
                    "customer_id": inv["customer_id"],
                    "payment_mode": "upi",
                    "status": "completed",
                    "reference": "UTR-late",
                    "payment_date": b.moment(
                        min(b.end, inv["invoice_date"] + dt.timedelta(days=20))
                    ),
                }
            )
        elif roll < 0.75:  # paid_amount bumped twice for one payment
            bump = round(max(500.0, inv["total_amount"] * float(b.rng.uniform(0.05, 0.3))), 0)
            inv["paid_amount"] = round(inv["paid_amount"] + bump, 2)
        else:  # marked paid, money short
            inv["paid_amount"] = round(inv["paid_amount"] * float(b.rng.uniform(0.5, 0.9)), 2)
            inv["status"] = "paid"
        b.out.labels.append(Label("payment_mismatch", (inv["id"],)))


def plant_suspicious(b: Ledger, count: int) -> None:
    """Outliers, split payments just under the ₹50,000 UPI warning, night-time cash debits."""
    rent = next(e["amount"] for e in b.out.expenses if e["category"] == "Rent")
    days = [b.start + dt.timedelta(days=d) for d in range((b.end - b.start).days)]
    for _ in range(count):
        day, roll = b.pick(days), b.rng.random()
        if roll < 0.4:
            txn = b.transaction(
                kind=b.pick(["expense", "payment_out", "debit"]),
                amount=round(rent * float(b.rng.uniform(1.2, 6.0)), -2),
                when=b.moment(day, night=b.rng.random() < 0.35),
                party=None,
                description=b.pick(
                    [
                        "Cash adjustment",
                        "Misc payment",
                        "Advance",
                        "Office Supplies",
                        "Maintenance",
                        "",
                    ]
                ),
                mode=b.pick(["cash", "cash", "upi", "bankTransfer"]),
            )
            b.out.labels.append(Label("suspicious_pattern", (txn["id"],)))
        elif roll < 0.7:
            supplier = b.pick(b.out.suppliers)
            amount = float(b.rng.integers(49_000, 49_999))
            for _ in range(int(b.rng.integers(3, 6))):
                txn = b.transaction(
                    kind="payment_out",
                    amount=amount,
                    when=b.moment(day),
                    party=supplier,
                    description="Advance to supplier",
                    mode="upi",
                )
                b.out.labels.append(Label("suspicious_pattern", (txn["id"],)))
        else:
            txn = b.transaction(
                kind="debit",
                amount=float(b.rng.integers(2, 20)) * 10_000,
                when=b.moment(day, night=True),
                party=None,
                description="Cash withdrawal",
                mode="cash",
            )
            b.out.labels.append(Label("suspicious_pattern", (txn["id"],)))
