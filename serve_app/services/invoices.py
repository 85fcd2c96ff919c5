"""Natural-language invoices at the ingress: tenancy -> the business's customers and products ->
parser -> draft (optionally saved) -> audit. The legacy endpoints parse with no tenant data.

No Ray import: the parser is reached through the InvoiceModel protocol. The text is never logged
(only its length), never executed and never put into SQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from kernel.models.compliance import ItemFacts, RateHint
from kernel.models.invoice import Catalogue, Draft, InvoiceModel, ParsedInvoice
from serve_app.contract.errors import ModelUnavailable, NotAnInvoice
from serve_app.contract.schemas.invoices import (
    InvoiceGenerateRequest,
    InvoiceGenerationResponse,
    LegacyInvoiceResponse,
)
from serve_app.infra.auditing import Audit, Auditor
from serve_app.infra.auth import Caller
from serve_app.infra.rate_limit import RateLimiter
from serve_app.infra.store.tenancy import business_for
from serve_app.infra.store_interface import Store
from serve_app.services.results import ModelService, Results, timed, utcnow

RETRY_WINDOW_S = 600
"""Without an Idempotency-Key, the same text for the same business from the same user saves one
draft within this window (and the window before it, so a retry across a window's end is
found): the client retries a POST once after a 5xx or a timeout."""
DRAFTS = uuid.UUID("0c9b7e1a-5d3f-4a2b-9e8c-7f6a5b4c3d21")


def draft_ids(
    user_id: str, body: InvoiceGenerateRequest, key: str | None, now: dt.datetime
) -> list[str]:
    """The id a draft saved by this request takes, then any earlier id the same request may
    have saved it under. From the caller's Idempotency-Key when sent; else from who sent which
    text for which business, per RETRY_WINDOW_S."""
    if key is not None:
        return [str(uuid.uuid5(DRAFTS, f"key:{user_id}:{key}"))]
    sent = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    window = int(now.timestamp() // RETRY_WINDOW_S)
    return [str(uuid.uuid5(DRAFTS, f"body:{user_id}:{sent}:{w}")) for w in (window, window - 1)]


class RateAdvisor(Protocol):
    """The compliance model's rate table, for a draft's new lines."""

    async def suggest_rates(
        self, items: list[ItemFacts], day: dt.date
    ) -> list[RateHint | None]: ...


async def with_table_rates(draft: Draft, advisor: RateAdvisor | None, day: dt.date) -> None:
    """Lines that only have the app's default slab take the rate table's rate for the item on
    `day`, when the compliance model is sure which item it is; they keep the default when it
    is not, or when the compliance deployment is off or unavailable (a draft is still a
    draft). Each rate taken is named in the suggestions with its notification."""
    open_lines = [line for line in draft.lines if line.default_rate]
    if advisor is None or not open_lines:
        return
    items = [
        ItemFacts(name=line.name, hsn_code=line.hsn_code, quantity=line.quantity,
                  unit_price=line.unit_price, tax_rate=line.tax_rate)
        for line in open_lines
    ]  # fmt: skip
    try:
        hints = await advisor.suggest_rates(items, day)
    except ModelUnavailable:
        return
    for line, hint in zip(open_lines, hints, strict=True):
        if hint is not None:
            line.tax_rate, line.default_rate = hint.rate, False
            draft.suggestions.append(
                f"GST on {line.name}: {hint.rate:g}% as {hint.item.lower()} ({hint.source})"
            )


def _money(value: float) -> float:
    """Always a JSON float (45000.0): the app reads total_amount `as double?`."""
    return float(round(value, 2))


def invoice_data(
    draft: Draft, number: str | None, today: dt.date, tax_after_discount: bool
) -> dict[str, Any]:
    """The union of both client shapes (docs/api.md): `customer.name` + `items[].name` for the
    invoice form, `customer_name` + `items[].description` for the NLP screen."""
    totals = draft.totals(tax_after_discount)
    printed = draft.printed
    if printed is not None:
        # As the bill states them: the form's total (total_amount overwrites what it computes)
        # is the bill's, not a recomputation at the app's default rate.
        number = printed.invoice_number or number
        today = printed.invoice_date or today
        if printed.total_amount:
            totals["total_amount"] = printed.total_amount
        if printed.tax_amount is not None:
            totals["tax_amount"] = printed.tax_amount
        elif printed.total_amount:  # no GST lines: the tax is what the total adds, if anything
            implied = printed.total_amount - totals["subtotal"] + totals["discount_amount"]
            totals["tax_amount"] = round(max(implied, 0.0), 2)
    rates = {line.tax_rate for line in draft.lines}
    notes = list(draft.notes)
    if draft.payment_mode:
        notes.append(f"Payment method: {draft.payment_mode}")
    return {
        "customer": {
            "id": draft.customer_id,
            "name": draft.customer_name or "Unknown Customer",
            "gstin": draft.customer_gstin,
        },
        "customer_name": draft.customer_name or "Unknown Customer",
        "customer_email": "",
        "customer_phone": "",
        "invoice_number": number,
        "date": today.isoformat(),
        "due_date": draft.due_date.isoformat(),
        "items": [
            {
                "name": line.name,
                "description": line.name,
                "product_id": line.product_id,
                "quantity": float(line.quantity),
                "unit": line.unit,
                "unit_price": _money(line.unit_price),
                "total_price": _money(line.total_price),
                "tax_rate": float(line.tax_rate),
                "hsn_code": line.hsn_code,
            }
            for line in draft.lines
        ],
        "payment_preference": draft.payment_mode,
        "subtotal": _money(totals["subtotal"]),
        "tax_rate": float(next(iter(rates))) if len(rates) == 1 else None,
        "tax_amount": _money(totals["tax_amount"]),
        "discount_amount": _money(totals["discount_amount"]),
        "total_amount": _money(totals["total_amount"]),
        "notes": "; ".join(notes),
    }


def entities(parsed: ParsedInvoice) -> dict[str, Any]:
    return {
        "customer": parsed.customer,
        "items": [
            {
                "name": i.name,
                "quantity": i.quantity if i.quantity_stated else None,
                "unit": i.unit,
                "unit_price": i.unit_price,
            }
            for i in parsed.items
        ],
        "tax_rate": parsed.tax_rate,
        "discount_percent": parsed.discount_percent,
        "due_date": parsed.due_date.isoformat() if parsed.due_date else None,
        "payment_preference": parsed.payment_mode,
    }


class InvoiceService(ModelService[InvoiceModel]):
    """Drafts are never cached: each sentence is new, and a saved draft is a write."""

    def __init__(
        self,
        store: Store,
        results: Results,
        model: InvoiceModel,
        auditor: Auditor,
        limiter: RateLimiter,
        clock: Callable[[], dt.datetime] = utcnow,
        rates: RateAdvisor | None = None,
    ) -> None:
        """`limiter`: the public parsers' per-address budget (RATE_LIMIT_PER_ADDRESS). `rates`:
        the compliance model, for new lines' GST rates (None: the default slab)."""
        super().__init__(store, results, model, auditor, clock)
        self._limiter = limiter
        self._rates = rates

    async def generate(
        self, caller: Caller, body: InvoiceGenerateRequest, idempotency_key: str | None = None
    ) -> InvoiceGenerationResponse:
        """A retried request (the same Idempotency-Key, or the same text within RETRY_WINDOW_S)
        answers with the draft the first one saved, never a second one."""
        business = await business_for(self._store, caller, body.business_id)
        rows = await self._store.invoice_catalogue(body.business_id)
        catalogue = Catalogue(rows["customers"], rows["products"], rows["past_items"])
        now = self._clock()
        (parsed, draft), elapsed_ms = await timed(
            self._model.draft(body.raw_input, now.date(), catalogue, True)
        )
        await with_table_rates(draft, self._rates, now.date())
        invoice_id = number = None
        if body.save_draft and not draft.errors:
            ids = draft_ids(caller.user_id, body, idempotency_key, now)
            invoice_id, number = await self._save(
                ids, business.user_id, body.business_id, draft, now
            )
        summary = {
            "chars": len(body.raw_input),
            "items": len(draft.lines),
            "customer_matched": draft.customer_id is not None,
            "saved": invoice_id is not None,
            "errors": len(draft.errors),
        }
        await self._auditor.record(
            caller,
            Audit(
                "invoice_generation",
                body.business_id,
                parsed.model_version,
                summary,
                elapsed_ms,
                now,
                subject=invoice_id,
            ),
        )
        ok = not draft.errors
        self._results.count("invoices_parsed", ["drafted" if ok else "refused"])
        return InvoiceGenerationResponse(
            success=ok,
            message=(f"Draft invoice {number} saved" if invoice_id else "Invoice draft generated")
            if ok
            else "Could not generate the invoice",
            invoice_id=invoice_id,
            invoice_data=invoice_data(draft, number, now.date(), tax_after_discount=False),
            extracted_entities=entities(parsed),
            confidence_score=draft.confidence,
            errors=draft.errors,
            suggestions=draft.suggestions,
        )

    async def _save(
        self, ids: list[str], owner: str, business_id: str, draft: Draft, now: dt.datetime
    ) -> tuple[str, str]:
        totals = draft.totals()
        invoice_id, *earlier = ids
        notes = list(draft.notes) + (
            [f"Payment method: {draft.payment_mode}"] if draft.payment_mode else []
        )
        invoice = {
            "id": invoice_id,
            "business_id": business_id,
            "user_id": owner,
            "customer_id": draft.customer_id,
            "invoice_type": "customer",
            "invoice_date": now.date(),
            "due_date": draft.due_date,
            "subtotal": totals["subtotal"],
            "tax_amount": totals["tax_amount"],
            "discount_amount": totals["discount_amount"],
            "total_amount": totals["total_amount"],
            "paid_amount": 0.0,
            "status": "draft",
            "notes": "; ".join(notes) or None,
        }
        items = [
            {
                "name": line.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "tax_rate": line.tax_rate,
                "total_amount": line.total_price,
                "unit": line.unit or "unit",
                "hsn_code": line.hsn_code,
                "sort_order": i,
            }
            for i, line in enumerate(draft.lines)
        ]
        return await self._store.save_draft(invoice, items, same_as=earlier)

    async def legacy(self, text: str, client: str, form_shape: bool) -> LegacyInvoiceResponse:
        """`POST /api/nlp/process-invoice` (NLP screen shape, tax after discount as its preview
        shows) or `/api/v1/nlp/parse-invoice` (form shape): no token, no tenant data."""
        await self._limiter.check(client)
        today = self._clock().date()
        _parsed, draft = await self._model.draft(text, today, Catalogue(), False)
        if not draft.lines:  # gibberish or a question: never a made-up invoice
            self._results.count("invoices_parsed", ["refused"])
            raise NotAnInvoice("No invoice found in the text", {"errors": draft.errors})
        self._results.count("invoices_parsed", ["drafted"])
        await with_table_rates(draft, self._rates, today)
        data = invoice_data(
            draft,
            f"INV-{int(self._clock().timestamp() * 1000)}",
            today,
            tax_after_discount=not form_shape,
        )
        return LegacyInvoiceResponse(success=True, invoice_data=data)
