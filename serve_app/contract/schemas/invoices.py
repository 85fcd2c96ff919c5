"""Invoices from text: POST /api/v1/invoice/generate (a draft for a business) and the
legacy public parsers, /api/nlp/process-invoice and /api/v1/nlp/parse-invoice."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from serve_app.contract.schemas.common import Clean, Strict, Uuid


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
