"""The business assistant at the ingress (contract 3.8): a chat message in, an answer composed from
the owner's own books and the other models' outputs out, never made-up text. The
AssistantDeployment says what the message asks for; this module fetches what answers it through
the same services the app's screens use (so the figures are theirs), and words it with Indian
numbers and dates. Nothing from the message reaches SQL or is executed: it is only classified
and matched against patterns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kernel.models.assistant import AssistantModel, Understanding
from kernel.models.compliance import ComplianceModel, ItemFacts, RateHint
from kernel.money import rupees
from serve_app.contract.errors import from_request
from serve_app.contract.schemas.assistant import GenerateRequest
from serve_app.contract.schemas.compliance import FilingScheme
from serve_app.contract.schemas.insights import BusinessInsight
from serve_app.contract.schemas.invoices import InvoiceGenerateRequest
from serve_app.infra.auditing import Audit, Auditor
from serve_app.infra.auth import Caller
from serve_app.infra.store.tenancy import business_for
from serve_app.infra.store_interface import Store
from serve_app.services.compliance import ComplianceService
from serve_app.services.fraud import FraudService
from serve_app.services.insights import InsightsService
from serve_app.services.invoices import InvoiceService
from serve_app.services.results import ModelService, Results, timed


@dataclass
class Answer:
    """What both routes answer: `text` for the chat, the rest for /generate/response."""

    text: str
    intent: str
    confidence: float
    business_id: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


CAPABILITIES = (
    'I can answer from your own books: your cash outlook ("how much cash will I have next '
    'month?"), who owes you the most, what you owe suppliers, your top customers, your expense '
    "trend, suspicious or duplicate bills, the GST rate of an item on a date, your GST due "
    'dates, whether a GSTIN is valid, and I can draft a bill ("bill for Sharma ji, 10 bags '
    'cement at 380").'
)
WITHOUT_BOOKS = {"gst_rate", "gstin_check", "help", "out_of_scope", "unsure", "classify_expense"}
"""What is answered without a business's books; every other intent needs one."""


def indian_date(day: dt.date | str) -> str:
    """29 Nov 2026: what an Indian reader writes, unambiguous where 11/12 is not."""
    when = dt.date.fromisoformat(day[:10]) if isinstance(day, str) else day
    return f"{when.day} {when.strftime('%b %Y')}"


def month_of(day: str) -> str:
    return dt.date.fromisoformat(day[:10]).strftime("%B %Y")


def _insight(
    insights: list[BusinessInsight], kind: str, having: str | None = None
) -> BusinessInsight | None:
    """The report's insight of `kind` (whose data holds `having`, where a kind has several)."""
    return next(
        (i for i in insights if i.insight_type == kind and (having is None or having in i.data)),
        None,
    )


class AssistantService(ModelService[AssistantModel]):
    """The model-backed skeleton every service has, and the services whose answers it words."""

    def __init__(
        self,
        store: Store,
        results: Results,
        model: AssistantModel,
        auditor: Auditor,
        insights: InsightsService,
        fraud: FraudService,
        compliance: ComplianceService,
        rates: ComplianceModel | None,
        invoices: InvoiceService,
    ) -> None:
        super().__init__(store, results, model, auditor)
        self.insights, self.fraud, self.compliance = insights, fraud, compliance
        self.rates, self.invoices = rates, invoices

    def now(self) -> dt.datetime:
        return self._clock()

    async def answer(self, caller: Caller, body: GenerateRequest) -> Answer:
        """The business in `context` is checked like every business id (another user's is the
        same 404 as a missing one) before the message is even read."""
        business_id = body.context.business_id
        if business_id is not None:
            await business_for(self._store, caller, business_id)
        understood, elapsed_ms = await timed(self._model.understand(body.prompt))
        intent = understood.intent
        if intent not in WITHOUT_BOOKS and business_id is None:
            business_id = await self._only_business(caller)
            if business_id is None:
                return Answer(
                    "Which business do you mean? Open the chat from the business's dashboard "
                    "and ask again.",
                    intent,
                    understood.confidence,
                )
        compose = COMPOSERS.get(intent, _help)
        answer = await compose(Turn(self, caller, business_id, body, understood))
        self._results.count("assistant_answers", [answer.intent])
        await self._auditor.record(
            caller,
            Audit(
                "assistant_answer",
                business_id,
                await self._results.version("assistant"),  # known, not asked per message
                {"intent": answer.intent, "chars": len(body.prompt)},
                elapsed_ms,
                self._clock(),
            ),
        )
        return answer

    async def _only_business(self, caller: Caller) -> str | None:
        owned = await self._store.businesses_of([caller.user_id])
        return str(owned[0].id) if len(owned) == 1 else None


@dataclass(frozen=True)
class Turn:
    """One message being answered: who asks, about which business, what it was read as."""

    service: AssistantService
    caller: Caller
    business_id: str | None
    body: GenerateRequest
    understood: Understanding

    def answer(self, text: str, figures: dict[str, Any] | None = None) -> Answer:
        u = self.understood
        return Answer(text, u.intent, u.confidence, self.business_id, figures or {})

    @property
    def business(self) -> str:
        assert self.business_id is not None  # intents that read books have one by now
        return self.business_id

    async def insights(self) -> list[BusinessInsight]:
        report = await self.service.insights.insights(self.caller, self.business)
        return report.insights


Composer = Callable[[Turn], Awaitable[Answer]]


def _data(insight: BusinessInsight) -> dict[str, Any]:
    return dict(insight.data)


async def _cash(t: Turn) -> Answer:
    insights = await t.insights()
    flow = _insight(insights, "cash_flow_prediction")
    if flow is None:
        return t.answer("There is not enough history in your books yet to forecast cash.")
    data, months = _data(flow), t.understood.horizon_months or 1
    cash_in, cash_out = data["cash_in"]["forecast"][:months], data["cash_out"]["forecast"][:months]
    lines = [
        f"{month_of(i['month'])}: about {rupees(i['value'])} in, {rupees(o['value'])} out, "
        f"{rupees(i['value'] - o['value'])} net"
        for i, o in zip(cash_in, cash_out, strict=True)
    ]
    figures: dict[str, Any] = {"cash_in": cash_in, "cash_out": cash_out}
    text = "Expected from your books: " + "; ".join(lines) + "."
    capital = _insight(insights, "working_capital")
    if capital is not None and _data(capital).get("cash_anchored_by_opening_balance"):
        held = _data(capital)
        figures["cash_on_hand"] = held["cash_on_hand"]
        text += f" Cash in hand today: {rupees(held['cash_on_hand'])}."
        if held.get("days_to_depletion") is not None:
            text += f" At this pace it lasts about {held['days_to_depletion']} days."
    return t.answer(f"{text} {flow.title}.", figures)


async def _receivables(t: Turn) -> Answer:
    insights = await t.insights()
    capital = _insight(insights, "working_capital")
    overdue = _insight(insights, "customer_analysis", "total_overdue")
    figures: dict[str, Any] = {}
    parts = []
    if capital is not None:
        figures["receivables"] = _data(capital)["receivables"]
        parts.append(f"Customers owe you {rupees(figures['receivables'])} in all")
    if overdue is not None:
        data = _data(overdue)
        rows = data["customers"][:3]
        figures |= {"overdue_total": data["total_overdue"], "owes_most": rows}
        owing = ", ".join(f"{r['name']} owes {rupees(r['amount'])}" for r in rows)
        parts.append(f"{rupees(data['total_overdue'])} of it is overdue: {owing}")
    else:
        parts.append("nothing is overdue")
    return t.answer("; ".join(parts) + ".", figures)


async def _payables(t: Turn) -> Answer:
    capital = _insight(await t.insights(), "working_capital")
    if capital is None:
        return t.answer("Your books do not show enough to work out what you owe yet.")
    payables = float(_data(capital)["payables"])
    text = (
        f"You owe suppliers {rupees(payables)} on open purchase bills."
        if payables > 0
        else "You have no open purchase bills: nothing is owed to suppliers."
    )
    return t.answer(text, {"payables": payables})


async def _top_customers(t: Turn) -> Answer:
    share = _insight(await t.insights(), "customer_analysis", "top_customers")
    if share is None:
        return t.answer("Your books show no customer sales yet.")
    data = _data(share)
    rows = data["top_customers"][:5]
    listed = "; ".join(
        f"{n}. {r['name']} {rupees(r['revenue'])} ({r['share']:.0%})" for n, r in enumerate(rows, 1)
    )
    return t.answer(
        f"Your top customers by sales since {indian_date(data['period_start'])}: {listed}.",
        {"top_customers": rows, "total_revenue": data["total_revenue"]},
    )


async def _expenses(t: Turn) -> Answer:
    trend = _insight(await t.insights(), "expense_trend")
    if trend is None:
        return t.answer("Your books show too few expenses for a trend.")
    data = _data(trend)
    recent, before, change = data["last_3_months"], data["previous_3_months"], data["change"]
    largest = sorted(data.get("by_category") or [], key=lambda c: -c["recent"])[:3]
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    text = (
        f"Operating expenses in the last three months: {rupees(recent)}, against "
        f"{rupees(before)} in the three before ({direction} {abs(change):.0%})."
    )
    if largest:
        text += " Largest: " + ", ".join(f"{c['category']} {rupees(c['recent'])}" for c in largest)
        text += "."
    figures = {"last_3_months": recent, "previous_3_months": before, "change": change}
    return t.answer(f"{text} {trend.title}.", figures)


async def _fraud(t: Turn) -> Answer:
    report = await t.service.fraud.analyze(t.caller, t.business)
    if not report.alerts:
        return t.answer("No suspicious or duplicate entries found in your books.", {"alerts": 0})
    count = len(report.alerts)
    listed = " ".join(f"{n}. {a.message}" for n, a in enumerate(report.alerts[:3], 1))
    return t.answer(
        f"{count} thing{'s' if count != 1 else ''} to check: {listed}",
        {"alerts": count, "alert_ids": [a.id for a in report.alerts]},
    )


async def _gst_rate(t: Turn) -> Answer:
    u, rates = t.understood, t.service.rates
    day = u.on_date or t.service.now().date()
    if rates is None or not (u.item or u.hsn):
        return t.answer('Which item? Ask like "GST on cement" or "GST for HSN 2523".')
    item = ItemFacts(name=u.item or "", hsn_code=u.hsn, quantity=1, unit_price=0, tax_rate=0)
    [hint] = await rates.suggest_rates([item], day)
    if hint is None:
        named = u.item or f"HSN {u.hsn}"
        return t.answer(
            f'I could not tell the GST rate of "{named}" surely; check the HSN code on the '
            "supplier's bill."
        )
    return t.answer(_rate_text(hint, day), {"rate": hint.rate, "item": hint.item,
                                            "on": day.isoformat()})  # fmt: skip


def _rate_text(hint: RateHint, day: dt.date) -> str:
    return f"GST on {hint.item} on {indian_date(day)}: {hint.rate:g}% ({hint.source})."


async def _due_dates(t: Turn) -> Answer:
    filed = t.understood.gst_return
    scheme: FilingScheme = (
        "composition"
        if filed in ("CMP08", "GSTR4")
        else "monthly"
        if filed in ("GSTR1", "GSTR3B")
        else "quarterly"
    )
    due = await t.service.compliance.reminders(t.caller, t.business, scheme)
    rows = due.reminders[:4]
    if not rows:
        return t.answer("No GST returns are due soon.")
    listed = "; ".join(
        f"{r.return_type} for {r.period} by {indian_date(r.due_date)} ({r.days_left} days left)"
        for r in rows
    )
    return t.answer(
        f"Next GST due dates ({scheme} filer): {listed}.",
        {"scheme": scheme, "reminders": [r.model_dump(mode="json") for r in rows]},
    )


async def _gstin(t: Turn) -> Answer:
    gstin = t.understood.gstin
    if gstin is None:
        return t.answer("Send the 15-character GSTIN to check, like 27AAPFU0939F1ZV.")
    report = t.service.compliance.gstin(gstin)
    return t.answer(report.explanation, {"gstin": gstin, "valid": report.valid})


async def _bill(t: Turn) -> Answer:
    request = from_request(
        InvoiceGenerateRequest,
        {"raw_input": "prompt"},
        "when asking for a bill",
        raw_input=t.body.prompt,
        business_id=t.business,
    )
    draft = await t.service.invoices.generate(t.caller, request)
    data: dict[str, Any] = dict(draft.invoice_data or {})
    if not draft.success:
        said = " ".join([*draft.errors, *draft.suggestions[:1]])
        figures = {"errors": draft.errors, "suggestions": draft.suggestions}
        return t.answer(f"I could not make that bill: {said}", figures)
    lines = ", ".join(
        f"{i['quantity']:g} {i['name']} at {rupees(i['unit_price'])}" for i in data.get("items", [])
    )
    customer = (data.get("customer") or {}).get("name") or "a walk-in customer"
    return t.answer(
        f"Draft bill for {customer}: {lines}; total {rupees(data.get('total_amount') or 0.0)} with "
        "GST. It is not saved: open Invoices to save and send it.",
        {"invoice_data": data},
    )


async def _classify(t: Turn) -> Answer:
    assert t.understood.priority is not None
    return t.answer(t.understood.priority)


async def _help(t: Turn) -> Answer:
    lead = {
        "out_of_scope": "That is outside what I know: I only see your business's books. ",
        "unsure": "I am not sure what you are asking. ",
    }.get(t.understood.intent, "")
    return t.answer(lead + CAPABILITIES)


COMPOSERS: dict[str, Composer] = {
    "cash_outlook": _cash,
    "receivables": _receivables,
    "payables": _payables,
    "top_customers": _top_customers,
    "expense_trend": _expenses,
    "fraud_alerts": _fraud,
    "gst_rate": _gst_rate,
    "gst_due_dates": _due_dates,
    "gstin_check": _gstin,
    "make_bill": _bill,
    "classify_expense": _classify,
    "help": _help,
    "out_of_scope": _help,
    "unsure": _help,
}
