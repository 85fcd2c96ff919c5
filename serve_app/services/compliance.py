"""GST compliance at the ingress: a stored invoice's check (tenancy first; cached under the
invoice, the checker's version and tuning, and a fingerprint of the business's books, so an edit
re-checks while the app's bursts of checks for one invoice hit the cache), an inline invoice's
check (no database read), and GSTIN explanations and filing reminders, pure rules answered here
without a model call.
"""

from __future__ import annotations

import datetime as dt

from kernel import gst_rules
from kernel.gstin import explain, is_valid_gstin, state_code_of
from kernel.models.compliance import (
    ComplianceModel,
    InvoiceFacts,
)
from serve_app.contract.errors import InvalidInput, NotFound
from serve_app.contract.schemas.compliance import (
    ComplianceResponse,
    FilingReminder,
    FilingScheme,
    GstinResponse,
    InvoiceIn,
    RemindersResponse,
)
from serve_app.infra.auditing import Audit
from serve_app.infra.auth import Caller
from serve_app.infra.store.tenancy import business_for
from serve_app.services.compliance_facts import facts_from_rows, inline_facts
from serve_app.services.results import Lookup, ModelService, Served, timed

CACHE_TTL_S = 12 * 3600
"""The docs' server-side TTL for compliance checks; the key also carries a data fingerprint."""
MISSING_INVOICE = "Invoice not found"


class ComplianceService(ModelService[ComplianceModel]):
    async def check(self, caller: Caller, invoice_id: str) -> ComplianceResponse:
        business_id = await self._store.invoice_business(invoice_id)
        try:
            if business_id is None:
                raise NotFound(MISSING_INVOICE)
            await business_for(self._store, caller, business_id)
        except NotFound:  # another user's invoice reads exactly like a missing one
            raise NotFound(MISSING_INVOICE) from None
        now = self._clock()
        lookup = Lookup("compliance", invoice_id, business_id, CACHE_TTL_S, now.date())

        async def compute() -> Served[ComplianceResponse]:
            facts = facts_from_rows(await self._store.invoice_rows(invoice_id, business_id))
            return await self._check(facts, "compliance_check", business_id, now)

        return await self._results.cached(caller, lookup, ComplianceResponse, compute)

    async def validate(self, caller: Caller, body: InvoiceIn) -> ComplianceResponse:
        """An invoice sent inline, at form-edit speed: reads nothing from the database, and its
        audit row follows the answer."""
        served = await self._check(inline_facts(body), "compliance_validate", None, self._clock())
        self._auditor.later(caller, served.audit)
        return served.response

    async def _check(
        self, facts: InvoiceFacts, action: str, business_id: str | None, now: dt.datetime
    ) -> Served[ComplianceResponse]:
        report, elapsed_ms = await timed(self._model.check(facts, now.date()))
        self._results.count("compliance_issues", [i.type for i in report.issues])
        summary = {
            "invoice_id": facts.invoice_id,
            "overall_status": report.overall_status,
            "issues": len(report.issues),
            "types": sorted({i.type for i in report.issues}),
            "rules_version": report.rules_version,
        }
        response = ComplianceResponse(
            invoice_id=report.invoice_id,
            issues=report.issues,
            overall_status=report.overall_status,
            last_checked=now,
        )
        subject = facts.invoice_id if business_id else None  # an inline invoice has no owner
        audit = Audit(action, business_id, report.model_version, summary, elapsed_ms, now, subject)
        return Served(response, audit)

    def gstin(self, raw: str) -> GstinResponse:
        if len(raw) > 32:
            raise InvalidInput("A GSTIN has 15 characters", {"length": len(raw)})
        report = explain(raw)
        return GstinResponse(explanation=report.explanation(), **report.__dict__)

    async def reminders(
        self, caller: Caller, business_id: str, scheme: FilingScheme
    ) -> RemindersResponse:
        """The next returns due under `scheme`; a quarterly filer's GSTR-3B date follows the
        business's state (its GSTIN's code, else `businesses.state`)."""
        business = await business_for(self._store, caller, business_id)
        gstin = (business.gst_number or "").strip().upper()
        state = gstin[:2] if is_valid_gstin(gstin) else state_code_of(business.state)
        now = self._clock()
        due = gst_rules.filing_reminders(now.date(), scheme, state)
        return RemindersResponse(
            business_id=business_id,
            scheme=scheme,
            reminders=[FilingReminder(**r) for r in due],
            generated_at=now,
        )
