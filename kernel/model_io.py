"""What crosses a DeploymentHandle: each model deployment's inputs and outputs (the fraud
findings and scores, insights and forecasts, GST facts and reports, parsed invoices and drafts),
and what a deployment says about the model it serves. Pure: no Ray, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    """One business insight, already in the client's terms (docs/api.md)."""

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
    cess_amount: float | None = None
    """Compensation cess the invoice states apart from GST (inline invoices only)."""
    composition_dealer: bool = False
    """The business pays tax under the composition scheme (section 10): no GST on its sales."""
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
    tax_rate: float | None = None
    """As printed on the row (a bill's GST % column); a sentence leaves it to the invoice."""
    hsn_code: str | None = None


class PrintedInvoice(BaseModel):
    """What a printed bill states about itself, beyond its party and items."""

    invoice_number: str | None = None
    invoice_date: dt.date | None = None
    total_amount: float | None = None
    tax_amount: float | None = None


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
    printed: PrintedInvoice | None = None
    """Set when the text was a printed invoice (OCR of a photo), not a sentence."""


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
    default_rate: bool = False
    """The rate is the app's default slab: nothing (text, product, past line) gave one."""

    @property
    def total_price(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass(frozen=True)
class RateHint:
    """The GST rate of an item on a date from the rate table: the row's item and source."""

    rate: float
    item: str
    source: str


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
    printed: PrintedInvoice | None = None
    """A printed bill's own number, date and totals (OCR), kept as printed."""

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


LearnedIntent = Literal[
    "cash_outlook",
    "receivables",
    "payables",
    "top_customers",
    "expense_trend",
    "fraud_alerts",
    "gst_rate",
    "gst_due_dates",
    "gstin_check",
    "make_bill",
    "help",
    "out_of_scope",
]
"""What the assistant's intent model tells apart (its training labels)."""
AssistantIntent = LearnedIntent | Literal["unsure", "classify_expense"]
"""...and what rules add: too unsure to say, or the app's expense-classification prompt."""


class Understanding(BaseModel):
    """What one chat message asks for, and what its answer needs from the text."""

    model_config = ConfigDict(frozen=True)

    intent: AssistantIntent
    confidence: float = Field(ge=0.0, le=1.0)
    priority: Literal["essential", "important", "discretionary", "non_essential"] | None = None
    """The answer to the app's expense-classification prompt (intent classify_expense)."""
    gstin: str | None = None
    hsn: str | None = None
    item: str | None = None
    """The goods a GST-rate question names ("cement" in "is GST on cement 18% now?")."""
    on_date: dt.date | None = None
    gst_return: str | None = None
    horizon_months: int | None = Field(default=None, ge=1, le=4)


class OcrLine(BaseModel):
    text: str
    confidence: float = Field(ge=0.0, le=100.0)
    """Tesseract's mean word confidence (0-100): a ranking, not a probability."""


class OcrResult(BaseModel):
    """What one photo says, line by line; or why it could not be read (`refused`)."""

    lines: list[OcrLine] = Field(default_factory=list)
    refused: str | None = None
    """Set when the bytes are not an image the service reads (the ingress answers 422)."""
    angle: float = 0.0
    width: int = 0
    height: int = 0
    model_version: str = ""

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
