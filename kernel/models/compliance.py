"""The compliance model's seam: the GST check of one invoice (`check`) and the rate table's
rate for items on a date (`suggest_rates`, for a draft's new lines)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning

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


@dataclass(frozen=True)
class RateHint:
    """The GST rate of an item on a date from the rate table: the row's item and source."""

    rate: float
    item: str
    source: str


class ComplianceTuning(ModelTuning):
    min_rate_confidence: float = Field(ge=0.5, le=1.0)
    """The learned rate check flags an item only when it names the item at least this surely."""
    tolerance_per_invoice: float = Field(ge=0.0, le=100.0)
    tolerance_per_item: float = Field(ge=0.0, le=10.0)
    """Tax and totals may differ by tolerance_per_invoice + tolerance_per_item x items (rupees):
    each line's tax rounded to paise, the total to the rupee."""


class ComplianceModel(Protocol):
    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport: ...
    async def suggest_rates(
        self, items: list[ItemFacts], day: dt.date
    ) -> list[RateHint | None]: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """The rate model's top-1 accuracy on the hand-written item descriptions."""
    top1 = metrics.get("top1_hand_written")
    return float(top1) if top1 is not None else None


COMPLIANCE: Seam[ComplianceModel] = Seam(
    "compliance", "ComplianceDeployment", ComplianceTuning, ComplianceModel, held_out_accuracy
)
