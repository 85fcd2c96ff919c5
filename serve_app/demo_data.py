"""Deterministic generator of Indian small-business books with labelled planted anomalies.

Same (seed, end_date) -> same rows, byte for byte. Pure: no Ray, no I/O. The planted anomalies
are the four fraud types; the normal books include the look-alikes a real shop has (monthly
repeat orders, two orders on one day, a yearly equipment purchase) so models cannot win by
matching on amount alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kernel import gst_rules
from kernel.gstin import CHARSET, STATE_CODES, check_character

DEMO_USER_IDS = (
    "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11",
    "0b7e9a41-3c1d-4f2e-a5b6-7c8d9e0f1a22",
    "9c2d4e6f-8a0b-4c1d-9e2f-3a4b5c6d7e33",
)
"""Owners of the demo businesses, in order; `make token` mints a token for the first."""

CITIES = [
    ("Mumbai", "Maharashtra", "400001"),
    ("Pune", "Maharashtra", "411001"),
    ("Ahmedabad", "Gujarat", "380001"),
    ("Surat", "Gujarat", "395003"),
    ("Bengaluru", "Karnataka", "560001"),
    ("Chennai", "Tamil Nadu", "600001"),
    ("Jaipur", "Rajasthan", "302001"),
    ("Lucknow", "Uttar Pradesh", "226001"),
    ("Kolkata", "West Bengal", "700001"),
    ("Hyderabad", "Telangana", "500001"),
    ("Delhi", "Delhi", "110001"),
    ("Indore", "Madhya Pradesh", "452001"),
]
SHOP_WORDS = [
    "Shree",
    "Sai",
    "Ganesh",
    "Laxmi",
    "Balaji",
    "Om",
    "Krishna",
    "Durga",
    "Mahalaxmi",
    "Jai",
    "Annapurna",
    "Gurukripa",
    "Navkar",
    "Sagar",
    "Bharat",
    "Royal",
]
SURNAMES = [
    "Sharma",
    "Patel",
    "Agarwal",
    "Gupta",
    "Mehta",
    "Shah",
    "Reddy",
    "Iyer",
    "Nair",
    "Jain",
    "Singh",
    "Verma",
    "Desai",
    "Kulkarni",
    "Bansal",
    "Chopra",
    "Rao",
    "Das",
    "Mishra",
    "Joshi",
    "Khan",
    "Pillai",
    "Bhatt",
    "Saxena",
]
FIRST_NAMES = [
    "Rajesh",
    "Suresh",
    "Anita",
    "Priya",
    "Vikram",
    "Amit",
    "Neha",
    "Kiran",
    "Arjun",
    "Pooja",
    "Rahul",
    "Sunita",
    "Deepak",
    "Meena",
    "Ravi",
    "Kavita",
]
TRADE_SUFFIX = [
    "Traders",
    "Enterprises",
    "Stores",
    "& Sons",
    "Agencies",
    "Industries",
    "Distributors",
    "Mart",
    "Textiles",
    "Hardware",
    "Foods",
    "Pharma",
]
CATALOGUES: dict[str, list[tuple[str, str, float, float, str]]] = {
    # category -> (product, 6-digit HSN/SAC, unit price, GST % (before 22-09-2025), unit)
    "Retail": [
        ("Basmati Rice 5kg", "100630", 520, 5, "bag"),
        ("Toor Dal 1kg", "071360", 165, 5, "pkt"),
        ("Sunflower Oil 1L", "151219", 155, 5, "btl"),
        ("Sugar 1kg", "170199", 48, 5, "kg"),
        ("Tea 500g", "090230", 260, 5, "pkt"),
        ("Detergent 1kg", "340220", 210, 18, "pkt"),
        ("Toothpaste 150g", "330610", 95, 18, "pcs"),
        ("Biscuits Family Pack", "190531", 60, 18, "pcs"),
        ("Atta 10kg", "110100", 430, 5, "bag"),
        ("Ghee 1L", "040590", 610, 12, "btl"),
    ],
    "Wholesale": [
        ("Cement OPC 53", "252329", 365, 28, "bag"),
        ("TMT Bar 12mm", "721420", 640, 18, "pcs"),
        ("PVC Pipe 4in", "391723", 820, 18, "pcs"),
        ("Paint 20L", "320910", 4200, 18, "drum"),
        ("Wire 90m", "854449", 1850, 18, "roll"),
        ("Tiles Box", "690721", 780, 18, "box"),
        ("Sand per tonne", "250590", 1400, 5, "tonne"),
    ],
    "Manufacturing": [
        ("Cotton Fabric 100m", "520811", 9800, 5, "roll"),
        ("Polyester Yarn", "540233", 3100, 12, "kg"),
        ("Dye Drum", "320416", 5000, 18, "drum"),
        ("Packing Carton", "481910", 42, 18, "pcs"),
        ("Machine Oil 5L", "271019", 1150, 18, "can"),
        ("Stitched Shirt", "620520", 450, 5, "pcs"),
    ],
    "Services": [
        ("AMC Visit", "998719", 2500, 18, "visit"),
        ("Consulting Hour", "998311", 1800, 18, "hr"),
        ("Website Maintenance", "998316", 6000, 18, "month"),
        ("Installation", "998739", 3500, 18, "job"),
        ("Training Session", "999293", 8000, 18, "session"),
    ],
    "Restaurant": [
        ("Veg Thali", "996331", 180, 5, "plate"),
        ("Catering Order", "996334", 9500, 5, "order"),
        ("Paneer Tikka", "996331", 260, 5, "plate"),
        ("Party Platter", "996334", 3200, 5, "order"),
        ("Masala Chai", "996331", 25, 5, "cup"),
    ],
}
PROFILES = ("concentrated", "declining", "slow_collections", "growing", "steady")
"""What business i's books show (i modulo 5), so the demo exercises every insight."""
RATE_KEYS = {
    "Basmati Rice 5kg": "rice",
    "Toor Dal 1kg": "pulses",
    "Sunflower Oil 1L": "edible_oil",
    "Sugar 1kg": "sugar",
    "Tea 500g": "tea",
    "Detergent 1kg": "detergent",
    "Toothpaste 150g": "toothpaste",
    "Biscuits Family Pack": "biscuits",
    "Atta 10kg": "atta",
    "Ghee 1L": "ghee",
    "Cement OPC 53": "cement",
    "TMT Bar 12mm": "steel_bars",
    "PVC Pipe 4in": "pvc_pipes",
    "Paint 20L": "paint",
    "Wire 90m": "wire",
    "Tiles Box": "tiles",
    "Sand per tonne": "sand",
    "Cotton Fabric 100m": "cotton_fabric",
    "Polyester Yarn": "polyester_yarn",
    "Dye Drum": "dye",
    "Machine Oil 5L": "lubricant",
    "Stitched Shirt": "apparel",
}
"""Catalogue items whose GST rate is read from the dated rate table (kernel/data), so books
that span 22-09-2025 charge each invoice the rate of its own date."""


def gst_rate(name: str, day: dt.date, unit_price: float, fallback: float) -> float:
    key = RATE_KEYS.get(name)
    row = gst_rules.rate_on(key, day, unit_price) if key else None
    return row.rate if row else fallback


VAGUE = {"Misc payment", "Cash adjustment", "Tea and snacks", "", "Adjustment entry", "Advance"}
EXPENSE_KINDS = [
    ("Rent", 0.18),
    ("Utilities", 0.03),
    ("Communication", 0.01),
    ("Fuel & Transportation", 0.02),
    ("Office Supplies", 0.01),
    ("Maintenance & Repairs", 0.01),
    ("Professional Services", 0.015),
]


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


class _Builder:
    """Builds one business's books month by month; every random draw goes through `rng`."""

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
        self._make_parties(state)

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

    def _make_parties(self, state: str) -> None:
        for _ in range(int(self.rng.integers(14, 30))):
            person = self.rng.random() < 0.35
            name = (
                f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}"
                if person
                else f"{self.pick(SHOP_WORDS)} {self.pick(SURNAMES)} {self.pick(TRADE_SUFFIX)}"
            )
            if any(c["name"] == name for c in self.out.customers):
                continue
            self.out.customers.append(
                {
                    **self.base(),
                    "name": name,
                    "phone": f"9{int(self.rng.integers(10**8, 10**9))}",
                    "gst_number": None if person else gstin_for(self.rng, state),
                    "balance": 0,
                    "credit_limit": 50000,
                }
            )
        tail = 0.6 if self.profile == "concentrated" else 1.2
        weights = self.rng.pareto(tail, size=len(self.out.customers)) + 0.05
        self.customer_weights = weights / weights.sum()
        for _ in range(int(self.rng.integers(5, 10))):
            name = f"{self.pick(SHOP_WORDS)} {self.pick(SURNAMES)} {self.pick(TRADE_SUFFIX)}"
            supplier = {
                **self.base(),
                "name": name,
                "gst_number": gstin_for(self.rng, state),
                "balance": 0,
            }
            self.out.suppliers.append(supplier)
            self.bill_prefix[supplier["id"]] = self.pick(["B-", "BILL/", "SI-", "", "TI/"])
        for name, hsn, price, _rate, unit in self.catalogue:
            self.out.products.append(
                {
                    **self.base(),
                    "name": name,
                    "unit": unit,
                    "sku": hsn,
                    "selling_price": price,
                    "purchase_price": round(price * 0.78, 2),
                    "stock_quantity": int(self.rng.integers(20, 400)),
                    "category": self.out.business["category"],
                }
            )
        self.regulars = [c for c in self.out.customers if self.rng.random() < 0.25][:4]

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

    # -- the months -----------------------------------------------------------------------
    def run(self) -> GeneratedBusiness:
        month = dt.date(self.start.year, self.start.month, 1)
        opening = self.monthly_sales * (0.3 if self.profile == "slow_collections" else 3.0)
        self.transaction(
            kind="credit",
            amount=round(opening, -3),
            when=dt.datetime(month.year, month.month, 1, 9),
            party=None,
            description="Opening balance",
            mode="bankTransfer",
        )
        while month <= self.end:
            self.month(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        plant_duplicates(self, "customer", int(self.rng.integers(3, 7)))
        plant_duplicates(self, "supplier", int(self.rng.integers(2, 6)))
        plant_gst_errors(self)
        for inv in self.out.invoices:
            self.settle(inv, self.end)
        plant_payment_mismatches(self, int(self.rng.integers(2, 6)))
        plant_suspicious(self, int(self.rng.integers(5, 10)))
        self.recurring()
        self.out.invoices.sort(key=lambda r: (r["invoice_date"], r["created_at"]))
        self.out.transactions.sort(key=lambda r: r["date"])
        return self.out

    def recurring(self) -> None:
        """The standing orders of regular customers (invoiced on the 5th) and the shop's rent,
        paid to its landlord on the 1st, as the app's recurring_payments."""
        start = dt.datetime(self.start.year, self.start.month, 1)
        for regular in self.regulars:
            key = int(uuid.UUID(regular["id"]).int % len(self.catalogue))
            name, _hsn, price, listed, _unit = self.catalogue[key]
            rate = gst_rate(name, self.end, price, listed)
            amount = round(10 * price * (1 + rate / 100), 2)
            self.out.recurring_payments.append(
                {
                    "id": self.uid(),
                    "business_id": self.bid,
                    "customer_id": regular["id"],
                    "supplier_id": None,
                    "description": f"Monthly standing order: 10 x {name}",
                    "amount": amount,
                    "frequency": "monthly",
                    "day_of_month": 5,
                    "start_date": start,
                    "status": "active",
                    "auto_generate_invoice": True,
                }
            )
        rent = next(e["amount"] for e in self.out.expenses if e["category"] == "Rent")
        landlord = {
            **self.base(),
            "name": f"{self.pick(SURNAMES)} Properties",
            "gst_number": None,
            "balance": 0,
        }
        self.out.suppliers.append(landlord)
        self.out.recurring_payments.append(
            {
                "id": self.uid(),
                "business_id": self.bid,
                "customer_id": None,
                "supplier_id": landlord["id"],
                "description": "Shop rent",
                "amount": rent,
                "frequency": "monthly",
                "day_of_month": 1,
                "start_date": start,
                "status": "active",
                "auto_generate_invoice": False,
            }
        )

    def days_of(self, month: dt.date) -> list[dt.date]:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        last = min(nxt - dt.timedelta(days=1), self.end)
        return [month + dt.timedelta(days=d) for d in range((last - month).days + 1)]

    def month(self, month: dt.date) -> None:
        days = self.days_of(month)
        festive = 1.35 if month.month in (10, 11) else (1.15 if month.month == 3 else 1.0)
        trend = (1 + self.growth) ** self.month_index
        self.month_index += 1
        n_sales = int(self.rng.poisson(22 * festive * trend * len(days) / 30))
        for _ in range(n_sales):
            day = self.pick(days)
            customer = self.out.customers[
                int(self.rng.choice(len(self.out.customers), p=self.customer_weights))
            ]
            self.invoice(
                kind="customer",
                party=customer,
                day=day,
                lines=self.items_for(int(self.rng.integers(1, 4))),
                number=self.next_number(),
            )
        # Regular customers: the same standing order every month (legitimate look-alikes).
        for regular in self.regulars:
            if len(days) >= 5:
                key = int(uuid.UUID(regular["id"]).int % len(self.catalogue))
                name, hsn, price, rate, unit = self.catalogue[key]
                self.invoice(
                    kind="customer",
                    party=regular,
                    day=days[min(4, len(days) - 1)],
                    lines=[(name, hsn, price, rate, unit, 10.0)],
                    number=self.next_number(),
                )
        for supplier in self.out.suppliers:
            for _ in range(int(self.rng.poisson(6.4 * trend / len(self.out.suppliers)))):
                seq = int(self.rng.integers(100, 9999))
                self.invoice(
                    kind="supplier",
                    party=supplier,
                    day=self.pick(days),
                    lines=self.items_for(int(self.rng.integers(1, 4)), bulk=True),
                    number=f"{self.bill_prefix[supplier['id']]}{seq}",
                )
        self.month_expenses(month, days)

    def month_expenses(self, month: dt.date, days: list[dt.date]) -> None:
        revenue_scale = self.monthly_sales / 3 * (1 + self.cost_growth) ** self.month_index
        for category, share in EXPENSE_KINDS:
            if category != "Rent" and self.rng.random() < 0.3:
                continue
            day = days[0] if category == "Rent" else self.pick(days)
            amount = round(
                revenue_scale
                * share
                * (1 if category == "Rent" else float(self.rng.lognormal(0, 0.35))),
                0,
            )
            self.expense(category, amount, day, f"{category} {month:%b %Y}")
        if month.month == 4 and self.rng.random() < 0.7:  # a legitimate large yearly purchase
            self.expense(
                "Equipment",
                round(revenue_scale * float(self.rng.uniform(0.8, 1.6)), -3),
                self.pick(days),
                "New equipment purchase (annual capex)",
            )
        self.month_noise(days)
        salary = round(revenue_scale * 0.22, -2)
        if len(days) >= 28:
            self.expense(
                "Salaries", salary, days[-1], f"Staff salaries {month:%b %Y}", kind="expense"
            )
            self.out.cashbook_entries.append(
                {
                    **self.base(),
                    "type": "OUT",
                    "amount": salary,
                    "payment_mode": "bankTransfer",
                    "details": "Salaries",
                    "entry_date": self.moment(days[-1]),
                }
            )

    def month_noise(self, days: list[dt.date]) -> None:
        """Legitimate entries that look odd: petty cash with no description, books written up
        late at night, an occasional supplier advance, a round cash deposit."""
        for _ in range(int(self.rng.poisson(3))):
            self.transaction(
                kind=self.pick(["expense", "debit"]),
                amount=float(self.rng.integers(1, 40)) * 50,
                when=self.moment(self.pick(days), night=self.rng.random() < 0.3),
                party=None,
                description=self.pick(sorted(VAGUE)),
                mode="cash",
            )
        if self.rng.random() < 0.3:
            self.transaction(
                kind="payment_out",
                amount=round(float(self.rng.uniform(0.1, 0.4)) * self.monthly_sales, -2),
                when=self.moment(self.pick(days)),
                party=self.pick(self.out.suppliers),
                description="Advance to supplier",
                mode="upi",
            )
        if self.rng.random() < 0.25:
            self.transaction(
                kind=self.pick(["credit", "income"]),
                amount=float(self.rng.integers(1, 10))
                * max(1000.0, round(self.monthly_sales / 40, -3)),
                when=self.moment(self.pick(days), night=self.rng.random() < 0.3),
                party=None,
                description="Cash deposit",
                mode="cash",
            )

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


def status_for(inv: dict[str, Any], today: dt.date) -> str:
    if inv["paid_amount"] >= inv["total_amount"] - 0.005:
        return "paid"
    if inv["due_date"] < today:
        return "overdue"
    return "partially_paid" if inv["paid_amount"] > 0 else "sent"


# -- planted anomalies -------------------------------------------------------------------------
def _lines_of(b: _Builder, inv: dict[str, Any]) -> list[tuple[str, str, float, float, str, float]]:
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


def plant_gst_errors(b: _Builder) -> None:
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


def _retotal(b: _Builder, inv: dict[str, Any], tax: float) -> None:
    inv["tax_amount"] = round(tax, 2)
    inv["total_amount"] = round(inv["subtotal"] + inv["tax_amount"] - inv["discount_amount"], 2)
    for txn in b.out.transactions:
        if txn["id"] == inv.get("transaction_id"):
            txn["amount"] = inv["total_amount"]


def plant_duplicates(b: _Builder, kind: str, count: int) -> None:
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


def plant_payment_mismatches(b: _Builder, count: int) -> None:
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


def plant_suspicious(b: _Builder, count: int) -> None:
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
        out.append(_Builder(rng, index, owner, start, end).run())
    return out
