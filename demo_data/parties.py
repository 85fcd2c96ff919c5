"""A demo business's customers, suppliers and products, and which customers are its regulars
and its biggest buyers (Pareto-weighted, heavier for the "concentrated" profile)."""

from __future__ import annotations

from demo_data.ledger import Ledger, gstin_for
from demo_data.tables import FIRST_NAMES, SHOP_WORDS, SURNAMES, TRADE_SUFFIX


def add_parties(b: Ledger) -> None:
    for _ in range(int(b.rng.integers(14, 30))):
        person = b.rng.random() < 0.35
        name = (
            f"{b.pick(FIRST_NAMES)} {b.pick(SURNAMES)}"
            if person
            else f"{b.pick(SHOP_WORDS)} {b.pick(SURNAMES)} {b.pick(TRADE_SUFFIX)}"
        )
        if any(c["name"] == name for c in b.out.customers):
            continue
        b.out.customers.append(
            {
                **b.base(),
                "name": name,
                "phone": f"9{int(b.rng.integers(10**8, 10**9))}",
                "gst_number": None if person else gstin_for(b.rng, b.state),
                "balance": 0,
                "credit_limit": 50000,
            }
        )
    tail = 0.6 if b.profile == "concentrated" else 1.2
    weights = b.rng.pareto(tail, size=len(b.out.customers)) + 0.05
    b.customer_weights = weights / weights.sum()
    for _ in range(int(b.rng.integers(5, 10))):
        name = f"{b.pick(SHOP_WORDS)} {b.pick(SURNAMES)} {b.pick(TRADE_SUFFIX)}"
        supplier = {
            **b.base(),
            "name": name,
            "gst_number": gstin_for(b.rng, b.state),
            "balance": 0,
        }
        b.out.suppliers.append(supplier)
        b.bill_prefix[supplier["id"]] = b.pick(["B-", "BILL/", "SI-", "", "TI/"])
    for name, hsn, price, _rate, unit in b.catalogue:
        b.out.products.append(
            {
                **b.base(),
                "name": name,
                "unit": unit,
                "sku": hsn,
                "selling_price": price,
                "purchase_price": round(price * 0.78, 2),
                "stock_quantity": int(b.rng.integers(20, 400)),
                "category": b.out.business["category"],
            }
        )
    b.regulars = [c for c in b.out.customers if b.rng.random() < 0.25][:4]
