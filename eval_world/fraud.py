"""Books of trading businesses as they are really kept in FinEasy, with the errors and frauds a
reviewer would want found, labelled.

The practice described here (written for this world, not taken from demo_data):

- Counter sales are paid on the spot: the invoice is created `paid`, its money is a `sale`
  transaction linked by `invoices.transaction_id` (or only a cash-book `IN` line the same day),
  and there is no `payments` row.
- Credit sales are settled later, in one payment or on account in two or three; customers that
  deduct TDS (section 194Q at 0.1%, 194C at 1-2%, 194J at 10% of the taxable value) pay the rest
  and the owner marks the invoice paid in full; many customers round the amount down to the
  rupee or to ten rupees, and the owner marks it paid anyway.
- Regular customers reorder much the same basket every one to three days, the quantities moving
  a little each time.
- Supplier bills carry the supplier's own number, written however the clerk types it, and are
  settled by a `purchase` or `payment_out` transaction linked to the bill, or by a payment.

Planted (the truth a finding is scored against):

- payment_mismatch: marked paid with much less money in (short by more than any TDS or
  round-off), a payment recorded twice, money in but the invoice never updated;
- duplicate_invoice: a sale entered twice, the next day, with the item names retyped, or 12-20
  days later;
- duplicate_supplier_bill: a supplier bill entered again 1-80 days later with its number typed
  differently;
- suspicious_pattern: large cash withdrawals at night, and cash payments split just under the
  ₹10,000 (section 40A(3)) or ₹2,00,000 (section 269ST) limits.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TRADES: dict[str, list[tuple[str, str, float, float]]] = {
    # name, unit, price before tax, GST rate
    "hardware": [
        ("PVC pipe 1 inch 3m", "pcs", 265.0, 18.0),
        ("Ball valve brass 3/4", "pcs", 410.0, 18.0),
        ("Wall putty 20kg", "bag", 720.0, 18.0),
        ("Copper wire 1.5 sqmm 90m", "coil", 1540.0, 18.0),
        ("MCB 32A double pole", "pcs", 455.0, 18.0),
        ("Hinges SS 4 inch", "pair", 96.0, 18.0),
        ("Cement OPC 53 grade", "bag", 338.0, 28.0),
        ("TMT bar 10mm", "kg", 61.0, 18.0),
    ],
    "pharma": [
        ("Azithral 500 strip", "strip", 108.0, 12.0),
        ("ORS sachet lemon", "box", 410.0, 5.0),
        ("Surgical gloves medium", "box", 390.0, 12.0),
        ("Digital thermometer", "pcs", 165.0, 18.0),
        ("Cough syrup 100ml", "bottle", 88.0, 12.0),
        ("Bandage roll 10cm", "pcs", 34.0, 12.0),
    ],
    "textiles": [
        ("Cotton shirting 58 inch", "m", 145.0, 5.0),
        ("Silk saree Banarasi", "pcs", 2850.0, 5.0),
        ("Polyester suiting", "m", 210.0, 5.0),
        ("Kurta cotton printed", "pcs", 640.0, 5.0),
        ("Bedsheet double king", "pcs", 780.0, 5.0),
        ("Towel terry 30x60", "pcs", 185.0, 5.0),
    ],
    "grocery": [
        ("Basmati rice 25kg bag", "bag", 2150.0, 5.0),
        ("Toor dal 30kg", "bag", 3540.0, 0.0),
        ("Sunflower oil 15L tin", "tin", 1890.0, 5.0),
        ("Sugar 50kg", "bag", 2080.0, 5.0),
        ("Tea dust 1kg", "pack", 310.0, 5.0),
        ("Biscuits carton", "carton", 620.0, 18.0),
    ],
}
FIRST = ["Shree", "Om", "Jai", "New", "Maa", "Sai", "Royal", "Laxmi", "Ganesh", "Krishna"]
LAST = ["Traders", "Enterprises", "Stores", "Agencies", "Distributors", "& Sons", "Mart"]
PLACES = ["Nagpur", "Indore", "Surat", "Ludhiana", "Coimbatore", "Patna", "Rajkot", "Kochi"]
TDS_RATES = (0.001, 0.01, 0.02, 0.1)
RETYPE = {  # how a clerk retypes an item name
    "inch": "in",
    "double": "dbl",
    "cotton": "cottn",
    "Cement": "cement",
    "strip": "stp",
    "bag": "bg",
    "pipe": "pipe ",
}


REGULAR, OCCASIONAL = "a regular's order", "an occasional customer's order"
"""What a planted duplicate sale copies: a regular reorders much the same basket every few days,
so some of its real orders are line-for-line the same by chance; an occasional customer's are
not."""


@dataclass(frozen=True)
class Planted:
    type: str
    subject_ids: tuple[str, ...]
    how: str


@dataclass
class World:
    """One business's rows (per table, as books_from_rows reads them) and what was planted."""

    rows: dict[str, list[dict[str, Any]]]
    planted: list[Planted] = field(default_factory=list)

    def subjects(self, kind: str) -> set[frozenset[str]]:
        return {frozenset(p.subject_ids) for p in self.planted if p.type == kind}

    def strata(self) -> dict[frozenset[str], str]:
        """Duplicate sales by what they copy (REGULAR or OCCASIONAL)."""
        return {
            frozenset(p.subject_ids): p.how.split(",")[0]
            for p in self.planted
            if p.type == "duplicate_invoice"
        }

    @property
    def invoice_count(self) -> int:
        return len(self.rows["invoices"])


class _Book:
    def __init__(self, rng: np.random.Generator, trade: str, start: dt.date, end: dt.date):
        self.rng, self.trade, self.start, self.end = rng, trade, start, end
        self.business_id = self.id()
        self.rows: dict[str, list[dict[str, Any]]] = {
            t: []
            for t in (
                "customers",
                "suppliers",
                "invoices",
                "invoice_items",
                "transactions",
                "payments",
                "cashbook_entries",
            )
        }
        self.planted: list[Planted] = []
        self.numbers = 0

    def id(self) -> str:
        return str(uuid.UUID(bytes=self.rng.bytes(16), version=4))

    def party(self, table: str) -> dict[str, Any]:
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(PLACES)} {self.rng.choice(LAST)}"
        row = {"id": self.id(), "business_id": self.business_id, "name": name}
        self.rows[table].append(row)
        return row

    def moment(self, day: dt.date, hour_from: int = 9, hour_to: int = 20) -> str:
        hour = int(self.rng.integers(hour_from, hour_to))
        minute = int(self.rng.integers(0, 60))
        return dt.datetime(day.year, day.month, day.day, hour % 24, minute).isoformat()

    def invoice(
        self,
        kind: str,
        party: dict[str, Any],
        day: dt.date,
        lines: list[tuple[str, float, float, float]],
        number: str | None = None,
    ) -> dict[str, Any]:
        self.numbers += 1
        invoice_id = self.id()
        subtotal = tax = 0.0
        for name, quantity, price, rate in lines:
            amount = round(quantity * price, 2)
            subtotal += amount
            tax += round(amount * rate / 100, 2)
            self.rows["invoice_items"].append(
                {
                    "id": self.id(),
                    "invoice_id": invoice_id,
                    "name": name,
                    "quantity": quantity,
                    "unit_price": price,
                    "tax_rate": rate,
                    "total_amount": round(amount * (1 + rate / 100), 2),
                }
            )
        row = {
            "id": invoice_id,
            "business_id": self.business_id,
            "invoice_number": number or f"SI/{day.year % 100:02d}-{self.numbers:05d}",
            "invoice_type": kind,
            "customer_id": party["id"] if kind == "customer" else None,
            "supplier_id": party["id"] if kind == "supplier" else None,
            "invoice_date": day.isoformat(),
            "due_date": (day + dt.timedelta(days=30)).isoformat(),
            "subtotal": round(subtotal, 2),
            "tax_amount": round(tax, 2),
            "total_amount": round(subtotal + tax, 2),
            "paid_amount": 0.0,
            "status": "sent",
            "created_at": self.moment(day),
        }
        self.rows["invoices"].append(row)
        return row

    def transaction(
        self, kind: str, amount: float, day: dt.date, mode: str, **extra: Any
    ) -> dict[str, Any]:
        row = {
            "id": self.id(),
            "business_id": self.business_id,
            "type": kind,
            "amount": round(amount, 2),
            "payment_mode": mode,
            "date": extra.pop("at", None) or self.moment(day),
            "status": "completed",
            **extra,
        }
        self.rows["transactions"].append(row)
        return row

    def payment(self, invoice: dict[str, Any], amount: float, day: dt.date) -> dict[str, Any]:
        mode = str(self.rng.choice(["upi", "bankTransfer", "cheque", "cash"]))
        party = {"customer_id": invoice["customer_id"], "supplier_id": invoice["supplier_id"]}
        row = {
            "id": self.id(),
            "business_id": self.business_id,
            "invoice_id": invoice["id"],
            "amount": round(amount, 2),
            "payment_mode": mode,
            "status": "completed",
            "payment_date": self.moment(day),
            "reference": f"UTR{int(self.rng.integers(10**9, 10**10))}",
            **party,
        }
        self.rows["payments"].append(row)
        return row

    def mark_paid(self, invoice: dict[str, Any]) -> None:
        invoice["paid_amount"] = invoice["total_amount"]
        invoice["status"] = "paid"

    def basket(self, catalogue: list[tuple[str, str, float, float]], size: int) -> list[Any]:
        picks = self.rng.choice(len(catalogue), size=size, replace=False)
        return [
            (catalogue[i][0], float(self.rng.integers(1, 25)), catalogue[i][2], catalogue[i][3])
            for i in picks
        ]


def _settle_sale(
    book: _Book, invoice: dict[str, Any], day: dt.date, customer: dict[str, Any]
) -> None:
    rng, total = book.rng, invoice["total_amount"]
    roll = rng.random()
    if roll < 0.3:  # counter sale: paid on the spot, money as a sale transaction (or cash book)
        book.mark_paid(invoice)
        mode = str(rng.choice(["cash", "upi", "card"]))
        if rng.random() < 0.85:
            sale = book.transaction(
                "sale",
                total,
                day,
                mode,
                invoice_id=invoice["id"],
                customer_id=customer["id"],
                description=f"Sale {invoice['invoice_number']}",
            )
            invoice["transaction_id"] = sale["id"]
        else:
            book.rows["cashbook_entries"].append(
                {
                    "id": book.id(),
                    "business_id": book.business_id,
                    "type": "IN",
                    "amount": total,
                    "payment_mode": "cash",
                    "details": f"Cash sale {invoice['invoice_number']}",
                    "entry_date": book.moment(day),
                }
            )
        return
    later = day + dt.timedelta(days=int(rng.integers(3, 45)))
    if later > book.end:
        return  # still open
    tds_rate = customer.get("tds_rate")
    if tds_rate:  # pays the total less TDS on the taxable value; marked paid in full
        book.payment(invoice, total - round(invoice["subtotal"] * tds_rate, 2), later)
        book.mark_paid(invoice)
    elif roll < 0.45:  # rounds down to the rupee or to ten rupees
        step = 10 if rng.random() < 0.4 else 1
        book.payment(invoice, math.floor(total / step) * step, later)
        book.mark_paid(invoice)
    elif roll < 0.6:  # on account, in two or three parts
        parts = int(rng.integers(2, 4))
        shares = rng.dirichlet(np.ones(parts))
        paid = 0.0
        for k, share in enumerate(shares):
            amount = round(total - paid, 2) if k == parts - 1 else round(total * share, 2)
            paid += amount
            book.payment(invoice, amount, later + dt.timedelta(days=7 * k))
        book.mark_paid(invoice)
    elif roll < 0.92:
        book.payment(invoice, total, later)
        book.mark_paid(invoice)
    # else: never paid, still open


def _settle_bill(book: _Book, bill: dict[str, Any], day: dt.date, supplier: dict[str, Any]) -> None:
    rng = book.rng
    later = day + dt.timedelta(days=int(rng.integers(5, 60)))
    if later > book.end or rng.random() < 0.1:
        return
    if rng.random() < 0.65:
        kind = str(rng.choice(["purchase", "payment_out"]))
        paid = book.transaction(
            kind,
            bill["total_amount"],
            later,
            str(rng.choice(["bankTransfer", "cheque", "upi"])),
            invoice_id=bill["id"],
            supplier_id=supplier["id"],
            description=f"Paid {supplier['name']} bill {bill['invoice_number']}",
        )
        bill["transaction_id"] = paid["id"]
    else:
        book.payment(bill, bill["total_amount"], later)
    book.mark_paid(bill)


def _retyped(name: str, rng: np.random.Generator) -> str:
    for word, typed in RETYPE.items():
        if word in name:
            return name.replace(word, typed)
    return name.lower() if rng.random() < 0.5 else name.upper()


def _bill_number(rng: np.random.Generator) -> tuple[str, str]:
    """A supplier's bill number as printed, and as a clerk types it again."""
    series, serial = str(rng.choice(["GT", "RK", "MH", "BLR", "SV"])), int(rng.integers(1, 9999))
    year = str(rng.choice(["25-26", "24-25"]))
    printed = f"{series}/{year}/{serial:04d}"
    typed = str(
        rng.choice([f"{series.lower()}-{year}-{serial}", f"{series}{serial}", f"{series} {serial}"])
    )
    return printed, typed


def business(seed: int, trade: str, end: dt.date, months: int = 18) -> World:
    rng = np.random.default_rng(seed)
    start = end - dt.timedelta(days=int(months * 30.4))
    book = _Book(rng, trade, start, end)
    catalogue = TRADES[trade]
    customers = [book.party("customers") for _ in range(int(rng.integers(15, 35)))]
    for customer in customers:
        if rng.random() < 0.25:
            customer["tds_rate"] = float(rng.choice(TDS_RATES))
    suppliers = [book.party("suppliers") for _ in range(int(rng.integers(5, 12)))]
    regulars = {c["id"]: book.basket(catalogue, int(rng.integers(2, 4))) for c in customers[:4]}
    next_order = {cid: start + dt.timedelta(days=int(rng.integers(0, 3))) for cid in regulars}
    sales: list[tuple[dict[str, Any], dt.date, dict[str, Any]]] = []
    bills: list[tuple[dict[str, Any], dt.date, dict[str, Any]]] = []
    day = start
    while day <= end:
        for cid, basket in regulars.items():  # repeat orders, quantities moving a little
            if next_order[cid] == day:
                customer = next(c for c in customers if c["id"] == cid)
                lines = [
                    (n, max(1.0, q + float(rng.integers(-2, 3))), p, r) for n, q, p, r in basket
                ]
                sales.append((book.invoice("customer", customer, day, lines), day, customer))
                next_order[cid] = day + dt.timedelta(days=int(rng.integers(1, 4)))
        for _ in range(int(rng.poisson(1.6))):
            customer = customers[int(rng.integers(4, len(customers)))]
            lines = book.basket(catalogue, int(rng.integers(1, 4)))
            sales.append((book.invoice("customer", customer, day, lines), day, customer))
        if rng.random() < 0.18:
            supplier = suppliers[int(rng.integers(len(suppliers)))]
            lines = [
                (n, float(rng.integers(20, 120)), round(p * 0.8, 2), r)
                for n, _, p, r in book.basket(catalogue, int(rng.integers(2, 5)))
            ]
            printed, typed = _bill_number(rng)
            bill = book.invoice("supplier", supplier, day, lines, number=printed)
            bill["retyped_number"] = typed
            bills.append((bill, day, supplier))
        day += dt.timedelta(days=1)
    for invoice, when, customer in sales:
        _settle_sale(book, invoice, when, customer)
    for bill, when, supplier in bills:
        _settle_bill(book, bill, when, supplier)
    _plant(book, sales, bills, set(regulars))
    for bill in book.rows["invoices"]:
        bill.pop("retyped_number", None)
    for customer in customers:
        customer.pop("tds_rate", None)
    rows = {
        "businesses": [
            {
                "id": book.business_id,
                "user_id": book.id(),
                "name": f"{rng.choice(FIRST)} {trade.title()} {rng.choice(LAST)}",
                "category": trade,
            }
        ],
        **book.rows,
    }
    return World(rows, book.planted)


def _plant(book: _Book, sales: list[Any], bills: list[Any], regulars: set[str]) -> None:
    rng, end = book.rng, book.end
    n = len(sales)
    candidates = [s for s in sales if s[1] < end - dt.timedelta(days=25)]
    order = rng.permutation(len(candidates))
    picks = [candidates[i] for i in order[: max(6, n // 60)]]
    for k, (invoice, day, customer) in enumerate(picks):
        how = k % 6
        if how == 0:  # marked paid, far less money in than any TDS or round-off explains
            for p in [p for p in book.rows["payments"] if p["invoice_id"] == invoice["id"]]:
                book.rows["payments"].remove(p)
            invoice.pop("transaction_id", None)
            book.rows["transactions"] = [
                t for t in book.rows["transactions"] if t.get("invoice_id") != invoice["id"]
            ]
            book.payment(invoice, round(invoice["total_amount"] * rng.uniform(0.3, 0.8), 2), day)
            book.mark_paid(invoice)
            book.planted.append(Planted("payment_mismatch", (invoice["id"],), "short, marked paid"))
        elif how == 1 and any(p["invoice_id"] == invoice["id"] for p in book.rows["payments"]):
            first = next(p for p in book.rows["payments"] if p["invoice_id"] == invoice["id"])
            again = dict(first, id=book.id())
            book.rows["payments"].append(again)  # the same payment recorded twice
            book.planted.append(Planted("payment_mismatch", (invoice["id"],), "paid twice"))
        elif how == 2:  # money in, the invoice never updated
            if invoice["status"] == "paid":
                continue
            book.payment(invoice, invoice["total_amount"], day + dt.timedelta(days=5))
            book.planted.append(Planted("payment_mismatch", (invoice["id"],), "not updated"))
        else:  # a sale entered twice: next day, retyped names, or 12-20 days later
            lag = (
                1
                if how == 3
                else (int(rng.integers(0, 3)) if how == 4 else int(rng.integers(12, 21)))
            )
            when = day + dt.timedelta(days=lag)
            items = [i for i in book.rows["invoice_items"] if i["invoice_id"] == invoice["id"]]
            lines = [
                (
                    _retyped(i["name"], rng) if how == 4 else i["name"],
                    i["quantity"],
                    i["unit_price"],
                    i["tax_rate"],
                )
                for i in items
            ]
            copy = book.invoice("customer", customer, when, lines)
            whose = REGULAR if customer["id"] in regulars else OCCASIONAL
            book.planted.append(
                Planted("duplicate_invoice", (invoice["id"], copy["id"]), f"{whose}, {lag} d later")
            )
    chosen = rng.permutation(len(bills))[: max(2, len(bills) // 50)]
    for bill, day, supplier in [bills[i] for i in chosen]:
        when = day + dt.timedelta(days=int(rng.integers(1, 81)))
        if when > end:
            continue
        items = [i for i in book.rows["invoice_items"] if i["invoice_id"] == bill["id"]]
        lines = [(i["name"], i["quantity"], i["unit_price"], i["tax_rate"]) for i in items]
        copy = book.invoice("supplier", supplier, when, lines, number=bill["retyped_number"])
        book.planted.append(
            Planted("duplicate_supplier_bill", (bill["id"], copy["id"]), "bill entered again")
        )
    _plant_cash(book)


def _plant_cash(book: _Book) -> None:
    rng = book.rng
    span = (book.end - book.start).days
    for _ in range(int(rng.integers(25, 60))):  # ordinary cash expenses and withdrawals
        day = book.start + dt.timedelta(days=int(rng.integers(0, span)))
        amount = round(float(rng.lognormal(8.0, 0.8)), 2)
        book.transaction(
            str(rng.choice(["expense", "debit"])),
            amount,
            day,
            "cash",
            description=str(rng.choice(["Shop expenses", "Staff tea", "Diesel", "Withdrawal"])),
        )
    for _ in range(2):  # a large withdrawal at night
        day = book.start + dt.timedelta(days=int(rng.integers(30, span)))
        hour = int(rng.choice([23, 0, 1, 2, 3]))
        at = dt.datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)))
        row = book.transaction(
            "debit",
            float(rng.integers(15, 40)) * 10_000,
            day,
            "cash",
            at=at.isoformat(),
            description="Cash withdrawal",
        )
        book.planted.append(Planted("suspicious_pattern", (row["id"],), "night withdrawal"))
    day = book.start + dt.timedelta(days=int(rng.integers(30, span)))
    limit = float(rng.choice([10_000, 200_000]))
    split = [
        book.transaction(
            "payment_out",
            limit - float(rng.integers(1, 50)) * 10,
            day,
            "cash",
            description="Cash paid to contractor",
        )
        for _ in range(int(rng.integers(3, 6)))
    ]
    for row in split:
        book.planted.append(Planted("suspicious_pattern", (row["id"],), f"split under {limit}"))


def worlds(seed: int, businesses: int, end: dt.date = dt.date(2026, 9, 30)) -> list[World]:
    """`businesses` independent books, trades in turn."""
    trades = sorted(TRADES)
    return [business(seed * 1000 + k, trades[k % len(trades)], end) for k in range(businesses)]
