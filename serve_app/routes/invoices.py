"""Invoices from text: a business's draft, and the legacy public parsers (no token, no tenant
data)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from serve_app.contract.schemas.invoices import (
    InvoiceGenerateRequest,
    InvoiceGenerationResponse,
    LegacyInvoiceResponse,
    LegacyParseRequest,
    ParseInvoiceRequest,
)
from serve_app.dependencies import (
    PUBLIC_ERRORS,
    USER_ERRORS,
    AddressDep,
    CallerDep,
    ComponentsDep,
    IdempotencyKeyDep,
    feature,
)

router = APIRouter(tags=["invoice"], dependencies=[Depends(feature("nlp_invoice"))])


@router.post("/api/v1/invoice/generate", responses=USER_ERRORS)
async def generate_invoice(
    body: InvoiceGenerateRequest, parts: ComponentsDep, who: CallerDep, key: IdempotencyKeyDep
) -> InvoiceGenerationResponse:
    return await parts.invoices.generate(who, body, key)


@router.post("/api/nlp/process-invoice", responses=PUBLIC_ERRORS)
async def legacy_process_invoice(
    body: LegacyParseRequest, address: AddressDep, parts: ComponentsDep
) -> LegacyInvoiceResponse:
    """The live "AI Invoice Generator" (docs/api.md): no token, no tenant data."""
    return await parts.invoices.legacy(body.text, address, form_shape=False)


@router.post("/api/v1/nlp/parse-invoice", responses=PUBLIC_ERRORS)
async def legacy_parse_invoice(
    body: ParseInvoiceRequest, address: AddressDep, parts: ComponentsDep
) -> LegacyInvoiceResponse:
    """OCR step 2 (docs/api.md): no token, no tenant data; the invoice form's shape. Reads a
    sentence or a printed bill's lines (the text step 1 returns)."""
    return await parts.invoices.legacy(body.text, address, form_shape=True)
