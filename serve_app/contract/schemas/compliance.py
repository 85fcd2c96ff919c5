"""/api/v1/compliance: an invoice checked (stored, or as the form holds it), a GSTIN
explained, the filing reminders of a business."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.models.compliance import ComplianceIssue, OverallStatus
from serve_app.contract.schemas.common import (
    Clean,
    CleanText,
    IsoDate,
    Strict,
    UtcDateTime,
    Uuid,
)


class ComplianceCheckRequest(Strict):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    invoice_id: Uuid


class ComplianceResponse(BaseModel):
    invoice_id: str
    issues: list[ComplianceIssue]
    """docs/api.md keys: id, type, description, plain_language_explanation, suggested_fixes,
    severity (the domain's `rule` is excluded from serialisation)."""
    overall_status: OverallStatus
    last_checked: UtcDateTime


ShortText = Annotated[Clean, Field(max_length=64)]


class InvoiceItemIn(Strict):
    name: Annotated[Clean, Field(max_length=200)] = ""
    hsn_code: Annotated[str, Field(max_length=12, pattern=r"^[0-9 ]*$")] | None = None
    quantity: float = Field(ge=0, le=1e9)
    unit_price: float = Field(ge=0, le=1e12)
    tax_rate: float = Field(ge=0, le=100)
    """GST percent (0-100); a rate no GST slab has is reported as an issue, not refused."""


class InvoiceIn(Strict):
    """An invoice as the app's form holds it, for POST /api/v1/compliance/validate. Malformed
    GSTINs and invoice numbers are reported as issues; impossible numbers are refused (422)."""

    invoice_number: ShortText = ""
    invoice_date: IsoDate | None = None
    invoice_type: Literal["customer", "supplier"] = "customer"
    business_name: CleanText | None = None
    business_gstin: ShortText | None = None
    business_state: ShortText | None = None
    customer_name: CleanText | None = None
    customer_gstin: ShortText | None = None
    customer_address: CleanText | None = None
    place_of_supply: ShortText | None = None
    """A state name or its 2-digit GST code."""
    is_b2b: bool | None = None
    """Unset: B2B when the customer has a GSTIN or a business-like name."""
    items: list[InvoiceItemIn] = Field(default_factory=list, max_length=500)
    subtotal: float = Field(default=0, ge=0, le=1e13)
    tax_amount: float = Field(default=0, ge=0, le=1e13)
    discount_amount: float = Field(default=0, ge=0, le=1e13)
    total_amount: float = Field(default=0, ge=0, le=1e13)
    cgst_amount: float | None = Field(default=None, ge=0, le=1e13)
    sgst_amount: float | None = Field(default=None, ge=0, le=1e13)
    igst_amount: float | None = Field(default=None, ge=0, le=1e13)
    aggregate_turnover: float | None = Field(default=None, ge=0, le=1e15)
    """The business's aggregate turnover (rupees), for the HSN-digit and e-invoice rules."""
    cess_amount: float | None = Field(default=None, ge=0, le=1e13)
    """Compensation cess charged apart from GST (tobacco, pan masala, aerated drinks and cars,
    while the cess was in force); `tax_amount` may include it or not."""
    composition_dealer: bool = False
    """The business is a composition dealer (bill of supply, no GST charged)."""


class GstinResponse(BaseModel):
    gstin: str
    valid: bool
    explanation: str
    problems: list[str]
    state_code: str | None
    state: str | None
    pan: str | None
    holder: str | None
    registration_number: int | None
    check_character_expected: str | None


class FilingReminder(BaseModel):
    return_type: str
    period: str
    due_date: dt.date
    days_left: int
    title: str
    description: str
    recommendations: list[str]
    priority: Literal["high", "medium", "low"]


FilingScheme = Literal["monthly", "quarterly", "composition"]


class RemindersResponse(BaseModel):
    business_id: str
    scheme: FilingScheme
    """The filing scheme the reminders are for (asked, or quarterly: QRMP, see docs/api.md)."""
    reminders: list[FilingReminder]
    generated_at: UtcDateTime
