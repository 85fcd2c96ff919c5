"""What every store offers the services: the `Store` Protocol, the records it reads and writes,
and the few names that fix what its answers mean (the tables a fingerprint covers, the audit
actions a user can vote on, how many recent predictions a model's time is averaged over).

It stands beside the `store` package, not in it: the audit trail (`auditing`, `outbox`) writes
these records, and the stores stand on infra's settings, deadlines and logs, so inside the
package the two would import each other (the architecture test refuses a cycle of packages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kernel.books import Books, Business
from kernel.models.fraud import Finding
from kernel.models.insights import Insight


@dataclass(frozen=True)
class AnalysisRecord:
    """One prediction, for the audit trail (ai_analysis_results)."""

    id: str
    business_id: str | None
    analysis_type: str
    caller_id: str
    model_version: str
    summary: dict[str, Any]
    duration_ms: float
    created_at: dt.datetime
    subject_id: str | None = None
    """What the prediction judged, when that has an id the client holds (an invoice checked or
    drafted): feedback on it is traced to its business through this."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One user's vote on one prediction (ai_feedback)."""

    id: str
    caller_id: str
    business_id: str
    model: str
    feedback_type: str
    entity_id: str
    helpful: bool
    comment: str | None
    submitted_at: dt.datetime


@dataclass(frozen=True)
class PredictionCount:
    """Predictions a model served (its audit rows), and its mean model time over the latest
    RECENT of them (None before any)."""

    served: int
    mean_ms: float | None


RECENT = 1000


@dataclass
class InvoiceRows:
    """One invoice with what a GST check reads beside it: items, business, party (customer or
    supplier) and the business's sales invoices (number, date, status, value)."""

    invoice: dict[str, Any]
    items: list[dict[str, Any]]
    business: dict[str, Any]
    party: dict[str, Any] | None
    sales: list[dict[str, Any]]


FINGERPRINT_TABLES = (
    "customers",
    "suppliers",
    "products",
    "invoices",
    "transactions",
    "payments",
    "recurring_payments",
    "expenses",
    "cashbook_entries",
)
"""Besides the business's own row, the tables whose rows a fingerprint counts and dates."""
JUDGED_ACTIONS = ("compliance_check", "invoice_generation")
"""Audit actions whose subject_id a user can vote on (the invoice checked or drafted)."""


class Store(Protocol):
    kind: str

    async def ping(self) -> None: ...
    async def business_row(self, business_id: str) -> dict[str, Any] | None:
        """The business's row as stored, or None: a plain read that decides nothing (whether
        the caller may act on it is `store.tenancy.business_for`'s answer)."""

    async def fingerprint(self, business_id: str) -> str: ...
    async def load_books(self, business_id: str) -> Books: ...
    async def invoice_business(self, invoice_id: str) -> str | None: ...
    async def invoice_rows(self, invoice_id: str, business_id: str) -> InvoiceRows: ...
    async def invoice_catalogue(self, business_id: str) -> dict[str, list[dict[str, Any]]]: ...
    async def save_draft(
        self,
        invoice: dict[str, Any],
        items: Sequence[dict[str, Any]],
        same_as: Sequence[str] = (),
    ) -> tuple[str, str]: ...
    async def save_findings(
        self, business_id: str, findings: Sequence[Finding], model_version: str, now: dt.datetime
    ) -> dict[str, dt.datetime]: ...
    async def save_insights(self, business_id: str, insights: Sequence[Insight]) -> None: ...
    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None: ...
    async def insert_rows(self, rows: dict[str, list[dict[str, Any]]]) -> int: ...
    async def businesses_of(self, user_ids: Sequence[str]) -> list[Business]: ...
    async def prediction_owners(self, entity_id: str) -> list[tuple[str, str]]: ...
    async def save_feedback(self, record: FeedbackRecord) -> bool: ...
    async def feedback_votes(
        self, models: Sequence[str], businesses: Sequence[str] | None = None
    ) -> dict[str, tuple[int, int]]: ...
    async def prediction_counts(
        self, actions: dict[str, Sequence[str]], businesses: Sequence[str] | None = None
    ) -> dict[str, PredictionCount]: ...
    async def purge(
        self, cutoffs: dict[str, tuple[str, dt.datetime]], dry_run: bool = False
    ) -> dict[str, int]: ...
    async def close(self) -> None: ...
