"""One business's books as they are written: the generated rows, and the ledger that writes
invoices, transactions, payments and expenses into them, drawing every random choice from one
seeded generator."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from demo_data.tables import (
    CATALOGUES,
    CITIES,
    PROFILES,
    RATE_KEYS,
    SHOP_WORDS,
    SURNAMES,
    TRADE_SUFFIX,
)
from kernel import gst_rules
from kernel.gstin import CHARSET, STATE_CODES, check_character


def gst_rate(name: str, day: dt.date, unit_price: float, fallback: float) -> float:
    key = RATE_KEYS.get(name)
    row = gst_rules.rate_on(key, day, unit_price) if key else None
    return row.rate if row else fallback


@dataclass(frozen=True)
class Label:
    """A planted anomaly: its fraud type and the rows that show it (for duplicates, both)."""

    type: str
    subject_ids: tuple[str, ...]


@dataclass
class GeneratedBusiness:
    business: dict[str, Any]
    customers: list[dict[str, Any]] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    invoice_items: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    expenses: list[dict[str, Any]] = field(default_factory=list)
    recurring_payments: list[dict[str, Any]] = field(default_factory=list)
    cashbook_entries: list[dict[str, Any]] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)

    TABLES = (
        "businesses",
        "customers",
        "suppliers",
        "products",
        "transactions",
        "invoices",
        "invoice_items",
        "payments",
        "recurring_payments",
        "expenses",
        "cashbook_entries",
    )

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Rows per table, in an order that satisfies the foreign keys."""
        return {
            "businesses": [self.business],
            "customers": self.customers,
            "suppliers": self.suppliers,
            "products": self.products,
            "transactions": self.transactions,
            "invoices": self.invoices,
            "invoice_items": self.invoice_items,
            "payments": self.payments,
            "recurring_payments": self.recurring_payments,
            "expenses": self.expenses,
            "cashbook_entries": self.cashbook_entries,
        }


def gstin_for(rng: np.random.Generator, state: str) -> str:
    letters = "".join(CHARSET[int(i)] for i in rng.integers(10, 36, size=5))
    digits = "".join(str(int(d)) for d in rng.integers(0, 10, size=4))
    pan = letters[:3] + "P" + letters[4] if rng.random() < 0.5 else letters[:3] + "F" + letters[4]
    head = f"{STATE_CODES[state]}{pan}{digits}{CHARSET[int(rng.integers(10, 36))]}1Z"
    return head + check_character(head)


def status_for(inv: dict[str, Any], today: dt.date) -> str:
    if inv["paid_amount"] >= inv["total_amount"] - 0.005:
        return "paid"
    if inv["due_date"] < today:
        return "overdue"
    return "partially_paid" if inv["paid_amount"] > 0 else "sent"


class Ledger:
    """Writes one business's books; every random draw goes through `rng`, in a fixed order, so
    the same seed gives the same books byte for byte."""

    def __init__(
        self, rng: np.random.Generator, index: int, owner: str, start: dt.date, end: dt.date
    ) -> None:
        self.rng, self.start, self.end = rng, start, end
        category = ["Retail", "Wholesale", "Manufacturing", "Services", "Restaurant"][index % 5]
        city, state, pincode = CITIES[int(rng.integers(len(CITIES)))]
        name = f"{self.pick(SHOP_WORDS)} {self.pick(SURNAMES)} {self.pick(TRADE_SUFFIX)}"
        self.out = GeneratedBusiness(
            business={
                "id": self.uid(),
                "user_id": owner,
                "name": name,
                "category": category,
                "address": f"{int(rng.integers(1, 300))}, Main Road",
                "city": city,
                "state": state,
                "pincode": pincode,
                "country": "India",
                "gst_number": gstin_for(rng, state),
                "currency": "INR",
                "currency_symbol": "₹",
            }
        )
        self.bid = self.out.business["id"]
        self.catalogue = CATALOGUES[category]
        mean_price = float(np.mean([entry[2] for entry in self.catalogue]))
        self.scale = float(rng.choice([0.6, 1.0, 1.6, 2.5]))
        self.profile = PROFILES[index % len(PROFILES)]
        trend = {"declining": -0.035, "growing": 0.03}.get(self.profile, 0.005)
        self.growth = trend + float(rng.normal(0, 0.008))
        """Monthly growth of sales and purchases; costs grow at `cost_growth`."""
        self.cost_growth = 0.015 if self.profile == "declining" else max(self.growth, 0.0) / 2
        self.collect_rate = 0.6 if self.profile == "slow_collections" else 0.92
        self.month_index = 0
        self.monthly_sales = 22 * 2 * mean_price * 6.1 * self.scale
        """Expected sales of a month at the start; purchases run at ~65% of sales and operating
        costs at ~15%, so a steady shop earns a thin margin, as most do."""
        self.invoice_seq = 0
        self.bill_prefix: dict[str, str] = {}
        self.state = state
        self.customer_weights = np.zeros(0)
        """Each customer's share of the sales (demo_data.parties)."""
        self.regulars: list[dict[str, Any]] = []
        """Customers with a monthly standing order."""

    # -- small helpers -------------------------------------------------------------------
    def uid(self) -> str:
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4))

    def pick(self, seq: list[Any]) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    def moment(self, day: dt.date, night: bool = False) -> dt.datetime:
        hour = int(self.rng.choice([0, 1, 2, 3, 23])) if night else int(self.rng.integers(9, 20))
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            int(self.rng.integers(60)),
            int(self.rng.integers(60)),
        )

    def base(self) -> dict[str, Any]:
        return {"id": self.uid(), "business_id": self.bid, "user_id": self.out.business["user_id"]}

    # -- documents ----------------------------------------------------------------------
    def items_for(
        self,
        lines: int,
        bulk: bool = False,
    ) -> list[tuple[str, str, float, float, str, float]]:
        """Random lines; `bulk` (purchases) buys in larger, more varied quantities."""
        chosen = self.rng.choice(
            len(self.catalogue), size=min(lines, len(self.catalogue)), replace=False
        )
        mean, sigma = (2.6, 0.7) if bulk else (1.4, 0.9)
        result = []
        for i in chosen:
            name, hsn, price, rate, unit = self.catalogue[int(i)]
            qty = float(max(1, round(self.rng.lognormal(mean, sigma) * self.scale)))
            result.append((name, hsn, float(price), float(rate), unit, qty))
        return result

    def invoice(
        self,
        *,
        kind: str,
        party: dict[str, Any],
        day: dt.date,
        lines: list[tuple[str, str, float, float, str, float]],
        number: str,
    ) -> dict[str, Any]:
        inv = {
            **self.base(),
            "invoice_number": number,
            "invoice_type": kind,
            "customer_id": party["id"] if kind == "customer" else None,
            "supplier_id": party["id"] if kind == "supplier" else None,
            "invoice_date": day,
            "due_date": day + dt.timedelta(days=30),
            "discount_amount": 0.0,
            "paid_amount": 0.0,
            "status": "sent",
            "created_at": self.moment(day),
        }
        subtotal = tax = 0.0
        for order, (name, hsn, price, listed, unit, qty) in enumerate(lines):
            unit_price = round(price * (0.78 if kind == "supplier" else 1.0), 2)
            rate = gst_rate(name, day, unit_price, listed)
            line = round(qty * unit_price, 2)
            subtotal += line
            tax += round(line * rate / 100, 2)
            self.out.invoice_items.append(
                {
                    "id": self.uid(),
                    "invoice_id": inv["id"],
                    "name": name,
                    "quantity": qty,
                    "unit_price": unit_price,
                    "tax_rate": rate,
                    "total_amount": line,
                    "unit": unit,
                    "hsn_code": hsn,
                    "sort_order": order,
                }
            )
        inv.update(
            subtotal=round(subtotal, 2),
            tax_amount=round(tax, 2),
            total_amount=round(subtotal + tax, 2),
        )
        txn = self.transaction(
            kind="sale" if kind == "customer" else "purchase",
            amount=inv["total_amount"],
            when=inv["created_at"],
            party=party,
            description=f"{'Sale' if kind == 'customer' else 'Purchase'} {number}",
            invoice=inv,
        )
        inv["transaction_id"] = txn["id"]
        self.out.invoices.append(inv)
        return inv

    def transaction(
        self,
        *,
        kind: str,
        amount: float,
        when: dt.datetime,
        party: dict[str, Any] | None,
        description: str,
        invoice: dict[str, Any] | None = None,
        mode: str | None = None,
    ) -> dict[str, Any]:
        is_customer = party is not None and any(c["id"] == party["id"] for c in self.out.customers)
        txn = {
            **self.base(),
            "type": kind,
            "amount": round(amount, 2),
            "description": description,
            "payment_mode": mode
            or self.pick(["cash", "upi", "upi", "bankTransfer", "card", "netBanking", "cheque"]),
            "date": when,
            "customer_id": party["id"] if party and is_customer else None,
            "supplier_id": party["id"] if party and not is_customer else None,
            "invoice_id": invoice["id"] if invoice else None,
            "invoice_number": invoice["invoice_number"] if invoice else None,
            "reference": None,
            "status": "completed",
            "created_at": when,
        }
        self.out.transactions.append(txn)
        return txn

    def settle(self, inv: dict[str, Any], today: dt.date) -> None:
        """Payments for an invoice, and paid_amount/status consistent with them."""
        age = (today - inv["invoice_date"]).days
        roll = self.rng.random()
        share = (
            0.0
            if age < 10 and roll < 0.6
            else (1.0 if roll < self.collect_rate else float(self.rng.choice([0.0, 0.3, 0.5])))
        )
        paid_total = round(inv["total_amount"] * share, 2)
        parts = (
            [paid_total]
            if paid_total == 0 or self.rng.random() < 0.75
            else [round(paid_total * 0.4, 2), round(paid_total - round(paid_total * 0.4, 2), 2)]
        )
        party_key = "customer_id" if inv["invoice_type"] == "customer" else "supplier_id"
        pay_day = inv["invoice_date"]
        for part in parts:
            if part <= 0:
                continue
            delay = int(self.rng.integers(0, 60 if self.profile == "slow_collections" else 25))
            pay_day = min(today, pay_day + dt.timedelta(days=delay))
            mode = self.pick(
                ["upi", "upi", "cash", "bank_transfer", "bankTransfer", "cheque", "online", "card"]
            )
            when = self.moment(pay_day)
            txn = self.transaction(
                kind="payment_in" if inv["invoice_type"] == "customer" else "payment_out",
                amount=part,
                when=when,
                party={"id": inv[party_key]},
                description=f"Payment {inv['invoice_number']}",
                invoice=inv,
                mode=mode,
            )
            self.out.payments.append(
                {
                    **self.base(),
                    "invoice_id": inv["id"],
                    "transaction_id": txn["id"],
                    party_key: inv[party_key],
                    "amount": part,
                    "payment_mode": mode,
                    "status": "completed",
                    "payment_date": when,
                    "reference": f"UTR{int(self.rng.integers(10**9, 10**10))}",
                }
            )
        inv["paid_amount"] = paid_total
        inv["status"] = status_for(inv, today)

    def next_number(self) -> str:
        self.invoice_seq += 1
        return f"INV-{self.invoice_seq:04d}"

    def days_of(self, month: dt.date) -> list[dt.date]:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        last = min(nxt - dt.timedelta(days=1), self.end)
        return [month + dt.timedelta(days=d) for d in range((last - month).days + 1)]

    def expense(
        self,
        category: str,
        amount: float,
        day: dt.date,
        description: str,
        kind: str = "expense",
        night: bool = False,
        mode: str | None = None,
    ) -> dict[str, Any]:
        self.out.expenses.append(
            {
                **self.base(),
                "category": category,
                "amount": amount,
                "description": description,
                "expense_date": day,
                "vendor": None,
            }
        )
        return self.transaction(
            kind=kind,
            amount=amount,
            when=self.moment(day, night=night),
            party=None,
            description=description,
            mode=mode,
        )
