"""GST compliance: an invoice checked (stored, or as the form holds it), a GSTIN explained, a
business's filing reminders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from serve_app.contract.schemas.common import Uuid
from serve_app.contract.schemas.compliance import (
    ComplianceCheckRequest,
    ComplianceResponse,
    FilingScheme,
    GstinResponse,
    InvoiceIn,
    RemindersResponse,
)
from serve_app.dependencies import USER_ERRORS, CallerDep, ComponentsDep, feature

router = APIRouter(
    prefix="/api/v1/compliance",
    tags=["compliance"],
    dependencies=[Depends(feature("compliance_checking"))],
    responses=USER_ERRORS,
)


@router.post("/check")
async def check_compliance(
    body: ComplianceCheckRequest, parts: ComponentsDep, who: CallerDep
) -> ComplianceResponse:
    return await parts.compliance.check(who, body.invoice_id)


@router.post("/validate")
async def validate_invoice(
    body: InvoiceIn, parts: ComponentsDep, who: CallerDep
) -> ComplianceResponse:
    return await parts.compliance.validate(who, body)


@router.get("/gstin/{gstin}")
async def explain_gstin(gstin: str, parts: ComponentsDep, _: CallerDep) -> GstinResponse:
    return parts.compliance.gstin(gstin)


@router.get("/reminders/{business_id}")
async def filing_reminders(
    business_id: Annotated[Uuid, Path()],
    parts: ComponentsDep,
    who: CallerDep,
    scheme: Annotated[FilingScheme, Query()] = "quarterly",
) -> RemindersResponse:
    return await parts.compliance.reminders(who, business_id, scheme)
