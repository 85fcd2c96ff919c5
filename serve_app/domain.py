"""FinEasy rows as the models read them (contract section 5). Pure: no Ray, no I/O.

Rows come from PostgreSQL (UUID, Decimal, date objects), SQLite (strings, floats) or PostgREST
(JSON); the validators here make all three look the same.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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


FraudType = Literal[
    "duplicate_invoice", "payment_mismatch", "suspicious_pattern", "duplicate_supplier_bill"
]


class Finding(BaseModel):
    """One fraud/error finding. `subject_ids` name the rows; `evidence` is flat for the app."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: FraudType
    message: str
    confidence_score: float = Field(ge=0.0, le=1.0)
    evidence: dict[str, str | int | float | bool | None]
    subject_ids: tuple[str, ...]


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


def format_inr(amount: float, rupees_only: bool = False) -> str:
    """₹ with Indian digit grouping: 125000 -> ₹1,25,000.00 (or ₹1,25,000 rupees_only)."""
    sign = "-" if round(amount, 0 if rupees_only else 2) < 0 else ""
    whole, fraction = f"{abs(amount):.2f}".split(".")
    if rupees_only:
        whole, fraction = f"{abs(amount):.0f}", ""
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        whole = ",".join([head, *groups, tail]) if head else ",".join([*groups, tail])
    return f"{sign}₹{whole}.{fraction}" if fraction else f"{sign}₹{whole}"


class TxnScore(BaseModel):
    """The suspicion score of one transaction scored inline."""

    index: int
    transaction_id: str | None
    score: float
    suspicious: bool
    reasons: list[str]


class TxnScores(BaseModel):
    scores: list[TxnScore]
    model_version: str


class FraudReport(BaseModel):
    findings: list[Finding]
    risk_score: float
    model_version: str


class ModelInfo(BaseModel):
    """What a model deployment has loaded, for health and cache keys."""

    name: str
    version: str
    config_hash: str
    loaded_at: dt.datetime
    replica_id: str = ""
    load_error: str | None = None
    """Set when the last requested version was refused; the previous one still serves."""
    metrics: dict[str, Any] = Field(default_factory=dict)


InsightType = Literal[
    "cash_flow_prediction",
    "revenue_forecast",
    "expense_trend",
    "customer_analysis",
    "working_capital",
    "general",
]


class Insight(BaseModel):
    """One business insight, already in the client's terms (contract section 3.2)."""

    model_config = ConfigDict(frozen=True)

    insight_id: str
    insight_type: InsightType
    title: str
    description: str
    recommendations: list[str]
    impact_score: float = Field(ge=0.0, le=1.0)
    valid_until: dt.datetime
    priority: Literal["high", "medium", "low"]
    category: str
    data: dict[str, Any]


class InsightsReport(BaseModel):
    insights: list[Insight]
    model_version: str
    as_of: dt.date
    """The last day the books record anything: where the forecasts start."""
    history_months: int


class ForecastPoint(BaseModel):
    month: dt.date
    value: float
    lower: float
    upper: float


class SeriesForecast(BaseModel):
    """A bare monthly series forecast (no books): the model and both baselines."""

    forecast: list[ForecastPoint]
    last_value: list[float]
    seasonal_naive: list[float] | None
    model_version: str
    interval: float


IssueType = Literal[
    "gst_mismatch", "missing_gstin", "tax_calculation_error", "incomplete_invoice_data", "warning"
]
Severity = Literal["low", "medium", "high", "critical"]
OverallStatus = Literal["compliant", "issues_found", "critical_issues", "warning", "unknown"]


class ItemFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    hsn_code: str | None = None
    quantity: float
    unit_price: float
    tax_rate: float


class InvoiceFacts(BaseModel):
    """What a GST check reads about one invoice: a stored one (with its business, party and the
    business's other numbers that financial year) or one sent inline. `party` is the customer
    of a sales invoice, the supplier of a purchase bill."""

    model_config = ConfigDict(frozen=True)

    invoice_id: str
    invoice_number: str = ""
    invoice_date: dt.date | None = None
    invoice_type: Literal["customer", "supplier"] = "customer"
    business_name: str | None = None
    business_gstin: str | None = None
    business_state: str | None = None
    """GST state code of the business (from businesses.state when its GSTIN is missing)."""
    party_name: str | None = None
    party_gstin: str | None = None
    party_address: str | None = None
    place_of_supply: str | None = None
    """GST state code, when the invoice states it."""
    b2b: bool = False
    items: tuple[ItemFacts, ...] = ()
    subtotal: float = 0.0
    tax_amount: float = 0.0
    discount_amount: float = 0.0
    total_amount: float = 0.0
    cgst: float | None = None
    sgst: float | None = None
    igst: float | None = None
    aggregate_turnover: float | None = None
    numbers_in_financial_year: frozenset[str] = frozenset()
    """The business's other sales invoice numbers in this invoice's financial year."""


class ComplianceIssue(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    type: IssueType
    description: str
    plain_language_explanation: str
    suggested_fixes: list[str]
    severity: Severity
    rule: str = Field(default="", exclude=True)
    """Which check found it (for evaluation and logs; never serialised into the API response)."""


class ComplianceReport(BaseModel):
    invoice_id: str
    issues: list[ComplianceIssue]
    overall_status: OverallStatus
    rules_version: str
    model_version: str


class ParsedItem(BaseModel):
    name: str
    quantity: float = 1.0
    quantity_stated: bool = True
    unit: str | None = None
    unit_price: float | None = None
    confidence: float = 0.0


class ParsedInvoice(BaseModel):
    """What a sentence says, before it is matched to the business's customers and products."""

    text: str
    customer: str | None = None
    items: list[ParsedItem] = Field(default_factory=list)
    tax_rate: float | None = None
    discount_percent: float | None = None
    due_date: dt.date | None = None
    payment_mode: str | None = None
    notes: list[str] = Field(default_factory=list)
    """Clauses that are neither the customer, items, amounts nor dates ("UPI link attached")."""
    intent_confidence: float = 0.0
    extraction_confidence: float = 0.0
    model_version: str = ""
    """The parser that read it (for the audit trail, without a second call to ask)."""


@dataclass(frozen=True)
class Catalogue:
    """What the business already has: customers, products and recent invoice lines."""

    customers: Sequence[dict[str, object]] = ()
    products: Sequence[dict[str, object]] = ()
    past_items: Sequence[dict[str, object]] = ()


@dataclass
class DraftLine:
    name: str
    quantity: float
    unit_price: float
    tax_rate: float
    unit: str | None = None
    product_id: str | None = None
    hsn_code: str | None = None

    @property
    def total_price(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass
class Draft:
    customer_name: str | None
    customer_id: str | None
    customer_gstin: str | None
    lines: list[DraftLine]
    discount_percent: float
    due_date: dt.date
    due_stated: bool
    payment_mode: str | None
    confidence: float
    errors: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def totals(self, tax_after_discount: bool = False) -> dict[str, float]:
        subtotal = round(sum(line.total_price for line in self.lines), 2)
        discount = round(subtotal * self.discount_percent / 100, 2)
        factor = (1 - self.discount_percent / 100) if tax_after_discount else 1.0
        tax = round(sum(line.total_price * factor * line.tax_rate / 100 for line in self.lines), 2)
        return {
            "subtotal": subtotal,
            "discount_amount": discount,
            "tax_amount": tax,
            "total_amount": round(subtotal + tax - discount, 2),
        }
