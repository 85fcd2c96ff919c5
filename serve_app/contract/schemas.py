"""The HTTP contract (fineasy_client_contract.md sections 2-3): requests are validated once,
here; responses use the exact keys, enum strings and ISO-8601 dates the client parses."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from kernel.models.compliance import ComplianceIssue, OverallStatus
from kernel.models.fraud import FraudType
from kernel.models.insights import ForecastPoint, InsightType

OCR_MAX_IMAGE_BYTES = 6_000_000
"""The largest photo the OCR route takes: a 1920x1080 JPEG at quality 85 (what the client's
picker sends) is 0.3-1.5 MB; a PNG of the same size up to ~6 MB."""
OCR_MAX_BASE64_CHARS = 4 * -(-OCR_MAX_IMAGE_BYTES // 3)
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value) or "\x7f" in value:
        raise ValueError("control characters are not allowed")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("text must be valid Unicode (a lone surrogate is not)")
    return value


def _uuid(value: str) -> str:
    if not re.fullmatch(UUID_PATTERN, value):
        raise ValueError("must be a UUID such as 3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c")
    return value.lower()


def _iso_text(value: object) -> object:
    """Dates come as ISO 8601 text (Dart's toIso8601String, midnight times included), never as
    numbers: a `0` is not taken for 1970-01-01."""
    if not isinstance(value, str | dt.date):
        raise ValueError("must be an ISO 8601 date or date-time string")
    return value


# The validators give the app's own messages; the OpenAPI document states the same rules
# (json_schema_extra), so generated clients and schemathesis send what the server takes.
Uuid = Annotated[
    str,
    Field(max_length=36, json_schema_extra={"format": "uuid", "pattern": UUID_PATTERN}),
    AfterValidator(_uuid),
]
Clean = Annotated[
    str,
    Field(json_schema_extra={"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}),
    AfterValidator(_no_control_chars),
]
"""Text that is stored, echoed or put into another model as it is: control characters other
than tab and line breaks (NUL among them, which PostgreSQL refuses in text and jsonb) and lone
surrogates (no UTF-8 encodes them) are a 422 here, not an error at the database or in the
response's encoding. The texts a parser reads (`raw_input`, `text`) take anything and strip it
themselves."""
CleanText = Annotated[Clean, Field(max_length=500)]
IsoDate = Annotated[dt.date, Field(strict=False), BeforeValidator(_iso_text)]
IsoDateTime = Annotated[dt.datetime, Field(strict=False), BeforeValidator(_iso_text)]


def iso_utc(moment: dt.datetime) -> str:
    """2025-01-03T10:15:00Z: what Dart's DateTime.parse reads as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


UtcDateTime = Annotated[dt.datetime, PlainSerializer(iso_utc, return_type=str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class FraudAnalyzeRequest(Strict):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    business_id: Uuid


class FraudAlert(BaseModel):
    id: str
    type: FraudType
    message: str
    confidence_score: float
    evidence: dict[str, str | int | float | bool | None]
    detected_at: UtcDateTime


class FraudAnalysisResponse(BaseModel):
    business_id: str
    alerts: list[FraudAlert]
    risk_score: float
    analysis_metadata: dict[str, str | int | float | bool | None]
    analyzed_at: UtcDateTime


TxnType = Literal[
    "income", "expense", "credit", "debit", "payment_in", "payment_out", "sale", "purchase"
]


class TransactionIn(Strict):
    """A transaction as the app holds it at entry time."""

    id: Annotated[Clean, Field(max_length=64)] | None = None
    type: TxnType
    amount: float = Field(gt=0, le=1e12)
    date: IsoDateTime
    payment_mode: Annotated[Clean, Field(max_length=32)] = "cash"
    description: CleanText = ""
    customer_id: Uuid | None = None
    supplier_id: Uuid | None = None
    invoice_id: Uuid | None = None


class FraudScoreRequest(Strict):
    transactions: list[TransactionIn] = Field(min_length=1, max_length=1000)
    history: list[TransactionIn] = Field(default_factory=list, max_length=5000)
    """Recent transactions of the same business, to judge the new ones against."""


class TransactionScore(BaseModel):
    index: int
    transaction_id: str | None
    score: float
    suspicious: bool
    reasons: list[str]


class FraudScoreResponse(BaseModel):
    scores: list[TransactionScore]
    model_version: str
    scored_at: UtcDateTime


class BusinessInsight(BaseModel):
    """docs/api.md: note the prefixed keys insight_id/insight_type (not id/type)."""

    insight_id: str
    insight_type: InsightType
    title: str
    description: str
    recommendations: list[str]
    impact_score: float = Field(ge=0.0, le=1.0)
    valid_until: UtcDateTime
    priority: str
    category: str
    data: dict[str, object]


class BusinessInsightsResponse(BaseModel):
    success: bool = True
    message: str | None = None
    timestamp: UtcDateTime
    business_id: str
    insights: list[BusinessInsight]
    generated_at: UtcDateTime
    next_update: UtcDateTime


class SeriesPoint(Strict):
    month: IsoDate
    """Any day of the month; the month is what counts."""
    value: float = Field(ge=0, le=1e13)


class ForecastRequest(Strict):
    """A monthly series of money (e.g. cash in), oldest first, consecutive months."""

    series: list[SeriesPoint] = Field(min_length=3, max_length=240)
    horizon: int = Field(default=3, ge=1, le=4)

    @model_validator(mode="after")
    def _consecutive(self) -> ForecastRequest:
        months = [p.month.year * 12 + p.month.month for p in self.series]
        if any(b - a != 1 for a, b in itertools.pairwise(months)):
            raise ValueError("series months must be consecutive, oldest first, one point each")
        return self


class ForecastResponse(BaseModel):
    forecast: list[ForecastPoint]
    baselines: dict[str, list[float] | None]
    interval: float
    model_version: str
    generated_at: UtcDateTime


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


class InvoiceGenerateRequest(Strict):
    """POST /api/v1/invoice/generate (docs/api.md). Control characters in `raw_input` are
    stripped, not refused."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    raw_input: str = Field(min_length=1, max_length=2000)
    business_id: Uuid
    save_draft: bool = False


class LegacyParseRequest(Strict):
    """The legacy routes (docs/api.md): the app sends the literal business id
    "current_business_id"."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    text: str = Field(min_length=1, max_length=2000)
    business_id: Annotated[Clean, Field(max_length=100)] | None = None


class ParseInvoiceRequest(LegacyParseRequest):
    """OCR step 2: the text of a photographed bill, which runs longer than a sentence."""

    text: str = Field(min_length=1, max_length=10_000)


class OcrRequest(Strict):
    """The OCR screen's photo (docs/api.md): base64 of the JPEG/PNG bytes."""

    model_config = ConfigDict(extra="ignore", strict=True)
    image: str = Field(min_length=1, max_length=OCR_MAX_BASE64_CHARS)
    format: Literal["base64"] = "base64"


class OcrResponse(BaseModel):
    success: bool = True
    extracted_text: str


class InvoiceGenerationResponse(BaseModel):
    success: bool
    message: str | None = None
    invoice_id: str | None = None
    invoice_data: dict[str, object] | None = None
    extracted_entities: dict[str, object] = Field(default_factory=dict)
    confidence_score: float = 0.0
    errors: list[str] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class LegacyInvoiceResponse(BaseModel):
    success: bool
    invoice_data: dict[str, object]


Identifier = Annotated[Clean, Field(min_length=1, max_length=100)]


class FeedbackIn(Strict):
    """POST /api/v1/feedback/structured (contract 3.5): `submitted_at` is Dart's
    toIso8601String, naive local time with micro- or milliseconds; `comment` may be null."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    id: Identifier
    feedback_type: Annotated[Clean, Field(min_length=1, max_length=64)]
    entity_id: Identifier
    helpful: bool
    comment: Annotated[Clean, Field(max_length=2000)] | None = None
    submitted_at: IsoDateTime


class FeedbackResponse(BaseModel):
    """Status 200 always (the client throws on 201/204); the body says whether this vote
    counted or one by the same user on the same prediction already had."""

    success: bool = True
    recorded: bool
    model: str
    message: str


class ModelPerformance(BaseModel):
    """One model in GET /api/v1/models/performance (contract 3.6), plus what the score is
    made of (held_out_accuracy, feedback_votes, helpful_votes)."""

    model_name: str
    model_type: str
    accuracy_score: float
    last_updated: UtcDateTime
    total_predictions: int
    correct_predictions: int
    response_time_ms: float
    held_out_accuracy: float | None
    feedback_votes: int


class ModelsPerformanceResponse(BaseModel):
    models: list[ModelPerformance]
    accuracy_method: str


class ErrorBody(BaseModel):
    """Every error answer (serve_app/contract/errors.py renders it). A 422 also carries
    `field` and `validation_errors` at the top, where the app reads them."""

    model_config = ConfigDict(extra="allow")
    message: str
    code: str
    details: dict[str, object] | None


class ProbeBody(BaseModel):
    status: str


ERROR_MEANINGS = {
    400: "The body is not JSON",
    401: "No valid user token (or no operator credential on an operator route)",
    403: "The token is an anonymous (guest) sign-in's: business routes need an account",
    404: "No such business, invoice or prediction among the caller's own, or an unknown route",
    413: "Request body over the size limit",
    422: "Invalid input: `field` and `validation_errors` say what",
    429: "Over the rate limit: `Retry-After` says when to come back",
    503: "A model, the database or the project's signing keys are unavailable for now, or the"
    " feature is off (`Retry-After`)",
    504: "The request ran out of its time budget (`Retry-After`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of the errors a route can answer, all in the one error shape."""
    return {s: {"model": ErrorBody, "description": ERROR_MEANINGS[s]} for s in statuses}


class GenerateContext(BaseModel):
    """What the web chat sends along (contract 3.8): the business on screen."""

    model_config = ConfigDict(extra="ignore", strict=True)
    business_id: Uuid | None = None
    business_name: Annotated[Clean, Field(max_length=200)] | None = None


class GenerateRequest(Strict):
    """POST /api/v1/generate/text and /generate/response: a chat message, capped."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, strict=True)
    prompt: Annotated[
        Clean,
        Field(
            min_length=1,
            max_length=4000,
            description="At most 4,000 characters; a message asking for a bill (intent "
            "`make_bill`) at most 2,000, the limit of POST /api/v1/invoice/generate, which "
            "drafts it: a longer one is a 422 naming `prompt`.",
        ),
    ]
    context: GenerateContext = Field(default_factory=GenerateContext)


class GenerateTextResponse(BaseModel):
    """The web chat shows `text`."""

    text: str


class GenerateResponse(BaseModel):
    """The same answer, with what it was read as and the figures it used."""

    success: bool = True
    text: str
    intent: str
    confidence: float
    business_id: str | None
    figures: dict[str, object]
    generated_at: UtcDateTime
