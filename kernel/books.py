"""FinEasy rows as the models read them (the client's data model). Pure: no Ray, no I/O.

Rows come from PostgreSQL (UUID, Decimal, date objects), SQLite (strings, floats) or PostgREST
(JSON); the validators here make all three look the same.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

PAYMENT_MODE_ALIASES = {
    "bank_transfer": "bankTransfer",
    "banktransfer": "bankTransfer",
    "online": "netBanking",
    "net_banking": "netBanking",
    "netbanking": "netBanking",
}
PAYMENT_MODES = ("cash", "card", "upi", "netBanking", "cheque", "bankTransfer", "other")


def normalize_payment_mode(value: object) -> str:
    """Both spellings the app and its migrations use map to the app's own (camelCase) names."""
    text = str(value or "other").strip().lower()
    text = PAYMENT_MODE_ALIASES.get(text, text).lower()
    return next((mode for mode in PAYMENT_MODES if mode.lower() == text), "other")


def _as_str(value: object) -> object:
    return str(value) if isinstance(value, uuid.UUID) else value


def _as_float(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def _as_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and len(value) > 10:
        return value[:10]
    return value


def _as_datetime(value: object) -> object:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and len(value) == 10:
        return value + "T00:00:00"
    return value


Id = Annotated[str, BeforeValidator(_as_str)]
Money = Annotated[float, BeforeValidator(_as_float)]
Day = Annotated[dt.date, BeforeValidator(_as_date)]
Moment = Annotated[dt.datetime, BeforeValidator(_as_datetime)]
PaymentMode = Annotated[str, BeforeValidator(normalize_payment_mode)]


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Business(Row):
    id: Id
    user_id: Id
    name: str
    category: str = "Other"
    state: str | None = None
    gst_number: str | None = None


class Party(Row):
    """A customer or a supplier. `balance`: positive = they owe us (customer) or we owe them."""

    id: Id
    business_id: Id
    name: str
    gst_number: str | None = None
    balance: Money = 0.0
    credit_limit: Money = 0.0


class Product(Row):
    id: Id
    business_id: Id
    name: str
    unit: str | None = "pcs"
    selling_price: Money | None = None
    purchase_price: Money | None = None
    stock_quantity: float = 0
    is_active: bool = True


class InvoiceItem(Row):
    id: Id
    invoice_id: Id
    name: str
    quantity: Money = 1.0
    unit_price: Money = 0.0
    tax_rate: Money = 0.0
    total_amount: Money = 0.0
    hsn_code: str | None = None


class Invoice(Row):
    id: Id
    business_id: Id
    invoice_number: str
    invoice_type: Literal["customer", "supplier"] = "customer"
    customer_id: Id | None = None
    supplier_id: Id | None = None
    invoice_date: Day
    due_date: Day | None = None
    subtotal: Money = 0.0
    tax_amount: Money = 0.0
    discount_amount: Money = 0.0
    total_amount: Money = 0.0
    paid_amount: Money = 0.0
    status: str = "draft"
    transaction_id: Id | None = None
    created_at: Moment | None = None
    items: tuple[InvoiceItem, ...] = ()


class Transaction(Row):
    id: Id
    business_id: Id
    type: str
    amount: Money
    description: str = ""
    payment_mode: PaymentMode = "cash"
    date: Moment
    customer_id: Id | None = None
    supplier_id: Id | None = None
    invoice_id: Id | None = None
    reference: str | None = None
    status: str = "completed"
    created_at: Moment | None = None


class Payment(Row):
    id: Id
    business_id: Id
    invoice_id: Id | None = None
    transaction_id: Id | None = None
    customer_id: Id | None = None
    supplier_id: Id | None = None
    amount: Money
    payment_mode: PaymentMode = "cash"
    status: str = "completed"
    payment_date: Moment
    reference: str | None = None


class Expense(Row):
    id: Id
    business_id: Id
    category: str = "Other"
    amount: Money
    description: str = ""
    expense_date: Day
    vendor: str | None = None
    is_recurring: bool | None = False
    recurrence_type: str | None = None
    next_due_date: Day | None = None


class RecurringPayment(Row):
    """A standing order: from a customer (money in) or to a supplier (money out)."""

    id: Id
    business_id: Id
    customer_id: Id | None = None
    supplier_id: Id | None = None
    description: str = ""
    amount: Money
    frequency: Literal["daily", "weekly", "monthly", "yearly"] = "monthly"
    day_of_month: int | None = None
    day_of_week: int | None = None
    start_date: Moment
    end_date: Moment | None = None
    max_occurrences: int | None = None
    occurrences_generated: int | None = 0
    status: str = "active"


class CashbookEntry(Row):
    id: Id
    business_id: Id
    type: str
    amount: Money
    payment_mode: PaymentMode = "cash"
    details: str | None = None
    entry_date: Moment


class Books(BaseModel):
    """Everything the models read for one business."""

    model_config = ConfigDict(frozen=True)

    business: Business
    customers: tuple[Party, ...] = ()
    suppliers: tuple[Party, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    payments: tuple[Payment, ...] = ()
    expenses: tuple[Expense, ...] = ()
    products: tuple[Product, ...] = ()
    recurring_payments: tuple[RecurringPayment, ...] = ()
    cashbook_entries: tuple[CashbookEntry, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            "invoices_analyzed": len(self.invoices),
            "transactions_analyzed": len(self.transactions),
            "payments_analyzed": len(self.payments),
            "expenses_analyzed": len(self.expenses),
        }


def as_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping) if hasattr(row, "_mapping") else dict(row)


def books_from_rows(rows: dict[str, list[dict[str, Any]]]) -> Books:
    """Books from rows per table (as a store or the demo generator returns them)."""
    items: dict[str, list[InvoiceItem]] = {}
    for raw in rows.get("invoice_items", []):
        item = InvoiceItem.model_validate(raw)
        items.setdefault(item.invoice_id, []).append(item)
    invoices = tuple(
        Invoice.model_validate({**raw, "items": items.get(str(raw["id"]), [])})
        for raw in rows.get("invoices", [])
    )
    return Books(
        business=Business.model_validate(rows["businesses"][0]),
        customers=tuple(Party.model_validate(r) for r in rows.get("customers", [])),
        suppliers=tuple(Party.model_validate(r) for r in rows.get("suppliers", [])),
        invoices=invoices,
        transactions=tuple(Transaction.model_validate(r) for r in rows.get("transactions", [])),
        payments=tuple(Payment.model_validate(r) for r in rows.get("payments", [])),
        expenses=tuple(Expense.model_validate(r) for r in rows.get("expenses", [])),
        products=tuple(Product.model_validate(r) for r in rows.get("products", [])),
        recurring_payments=tuple(
            RecurringPayment.model_validate(r) for r in rows.get("recurring_payments", [])
        ),
        cashbook_entries=tuple(
            CashbookEntry.model_validate(r) for r in rows.get("cashbook_entries", [])
        ),
    )
