"""GST compliance at the ingress: tenancy -> cache -> checker -> audit; GSTIN explanations and
filing reminders are pure rules answered here, without a model call.

No Ray import: the checker is reached through the ComplianceModel protocol (a handle client in
production, a fake in tests). A check is cached under the invoice, the checker's version and
tuning, and a fingerprint of the business's books (so an edit re-checks; the app sends bursts of
checks for the same invoice while its form is edited).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol

from kernel import gst_rules
from kernel.gstin import explain, state_code_of
from kernel.model_io import ComplianceReport, InvoiceFacts, ItemFacts, ModelInfo
from serve_app.auditing import Auditor
from serve_app.auth import Caller
from serve_app.cache import Cache
from serve_app.cache_keys import result_key
from serve_app.compliance_facts import facts_from_rows, looks_like_business
from serve_app.errors import InvalidInput, NotFound
from serve_app.fraud_service import utcnow
from serve_app.schemas import (
    ComplianceResponse,
    FilingReminder,
    GstinResponse,
    InvoiceIn,
    RemindersResponse,
)
from serve_app.store import Store

CACHE_TTL_S = 12 * 3600
"""The docs' server-side TTL for compliance checks; the key also carries a data fingerprint."""
MISSING_INVOICE = "Invoice not found"


class ComplianceModel(Protocol):
    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport: ...
    async def info(self) -> ModelInfo: ...


class ComplianceService:
    def __init__(
        self,
        store: Store,
        cache: Cache,
        model: ComplianceModel,
        auditor: Auditor,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._store, self._cache, self._model, self._clock = store, cache, model, clock
        self._auditor = auditor

    async def check(self, caller: Caller, invoice_id: str) -> ComplianceResponse:
        business_id = await self._store.invoice_business(invoice_id)
        try:
            if business_id is None:
                raise NotFound(MISSING_INVOICE)
            await self._store.business_for(caller, business_id)
        except NotFound:  # another user's invoice reads exactly like a missing one
            raise NotFound(MISSING_INVOICE) from None
        now = self._clock()
        key = await result_key(
            "compliance", invoice_id, self._model, self._store, business_id, now.date()
        )
        cached = await self._cache.get(key)
        if cached is not None:
            return ComplianceResponse.model_validate_json(cached)
        facts = facts_from_rows(await self._store.invoice_rows(invoice_id, business_id))
        response = await self._run(caller, facts, business_id, now)
        await self._cache.set(key, response.model_dump_json().encode(), CACHE_TTL_S)
        return response

    async def validate(self, caller: Caller, body: InvoiceIn) -> ComplianceResponse:
        """An invoice sent inline: reads nothing from the database."""
        return await self._run(caller, inline_facts(body), None, self._clock())

    async def _run(
        self, caller: Caller, facts: InvoiceFacts, business_id: str | None, now: dt.datetime
    ) -> ComplianceResponse:
        started = time.perf_counter()
        report = await self._model.check(facts, now.date())
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        summary = {
            "invoice_id": facts.invoice_id,
            "overall_status": report.overall_status,
            "issues": len(report.issues),
            "types": sorted({i.type for i in report.issues}),
            "rules_version": report.rules_version,
        }
        version = report.model_version
        if business_id:  # a stored invoice: its audit row is written before the answer
            await self._auditor.record(
                caller, "compliance_check", business_id, version, summary, elapsed_ms, now
            )
        else:  # inline, at form-edit speed: the audit row follows the answer
            self._auditor.later(
                caller, "compliance_validate", None, version, summary, elapsed_ms, now
            )
        return ComplianceResponse(
            invoice_id=report.invoice_id,
            issues=report.issues,
            overall_status=report.overall_status,
            last_checked=now,
        )

    def gstin(self, raw: str) -> GstinResponse:
        if len(raw) > 32:
            raise InvalidInput("A GSTIN has 15 characters", {"length": len(raw)})
        report = explain(raw)
        return GstinResponse(explanation=report.explanation(), **report.__dict__)

    async def reminders(self, caller: Caller, business_id: str) -> RemindersResponse:
        await self._store.business_for(caller, business_id)
        now = self._clock()
        return RemindersResponse(
            business_id=business_id,
            reminders=[FilingReminder(**r) for r in gst_rules.filing_reminders(now.date())],
            generated_at=now,
        )


def inline_facts(body: InvoiceIn) -> InvoiceFacts:
    gstin = (body.business_gstin or "").strip().upper() or None
    party_gstin = (body.customer_gstin or "").strip().upper() or None
    own_state = gstin[:2] if gstin and explain(gstin).valid else state_code_of(body.business_state)
    b2b = (
        body.is_b2b
        if body.is_b2b is not None
        else bool(party_gstin) or looks_like_business(body.customer_name)
    )
    return InvoiceFacts(
        invoice_id="inline",
        invoice_number=body.invoice_number,
        invoice_date=body.invoice_date,
        invoice_type=body.invoice_type,
        business_name=body.business_name,
        business_gstin=gstin,
        business_state=own_state,
        party_name=body.customer_name,
        party_gstin=party_gstin,
        party_address=body.customer_address,
        place_of_supply=state_code_of(body.place_of_supply),
        b2b=b2b,
        items=tuple(ItemFacts.model_validate(item.model_dump()) for item in body.items),
        subtotal=body.subtotal,
        tax_amount=body.tax_amount,
        discount_amount=body.discount_amount,
        total_amount=body.total_amount,
        cgst=body.cgst_amount,
        sgst=body.sgst_amount,
        igst=body.igst_amount,
        aggregate_turnover=body.aggregate_turnover,
    )
