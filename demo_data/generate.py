"""Deterministic generator of Indian small-business books with labelled planted anomalies.

Same (seed, end_date) -> same rows, byte for byte. Pure: no Ray, no I/O. The planted anomalies
are the four fraud types (and two GST errors); the normal books include the look-alikes a real
shop has (monthly repeat orders, two orders on one day, a yearly equipment purchase) so models
cannot win by matching on amount alone.
"""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np

from demo_data.anomalies import (
    plant_duplicates,
    plant_gst_errors,
    plant_payment_mismatches,
    plant_suspicious,
)
from demo_data.ledger import GeneratedBusiness, Ledger
from demo_data.months import add_recurring, book_month
from demo_data.parties import add_parties
from demo_data.tables import DEMO_USER_IDS


def generate_dataset(
    seed: int,
    businesses: int,
    end: dt.date,
    months: int = 18,
) -> list[GeneratedBusiness]:
    """`businesses` sets of books ending on `end`, each covering `months` months."""
    rng = np.random.default_rng(seed)
    start = (end.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    out = []
    for index in range(businesses):
        owner = (
            DEMO_USER_IDS[index]
            if index < len(DEMO_USER_IDS)
            else str(uuid.UUID(bytes=rng.bytes(16), version=4))
        )
        ledger = Ledger(rng, index, owner, start, end)
        add_parties(ledger)
        out.append(write_books(ledger))
    return out


def write_books(b: Ledger) -> GeneratedBusiness:
    month = dt.date(b.start.year, b.start.month, 1)
    opening = b.monthly_sales * (0.3 if b.profile == "slow_collections" else 3.0)
    b.transaction(
        kind="credit",
        amount=round(opening, -3),
        when=dt.datetime(month.year, month.month, 1, 9),
        party=None,
        description="Opening balance",
        mode="bankTransfer",
    )
    while month <= b.end:
        book_month(b, month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    plant_duplicates(b, "customer", int(b.rng.integers(3, 7)))
    plant_duplicates(b, "supplier", int(b.rng.integers(2, 6)))
    plant_gst_errors(b)
    for inv in b.out.invoices:
        b.settle(inv, b.end)
    plant_payment_mismatches(b, int(b.rng.integers(2, 6)))
    plant_suspicious(b, int(b.rng.integers(5, 10)))
    add_recurring(b)
    b.out.invoices.sort(key=lambda r: (r["invoice_date"], r["created_at"]))
    b.out.transactions.sort(key=lambda r: r["date"])
    return b.out
