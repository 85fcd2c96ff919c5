"""The Store over Supabase's REST API (PostgREST) through the `supabase` package.

Chosen when SUPABASE_URL + SUPABASE_SERVICE_KEY are set and DATABASE_URL is not. The service key
bypasses RLS, so tenancy is decided above the store (`tenancy.business_for`, on the row
`business_row` reads), exactly as for the SQL store.
Every call has a deadline; PostgREST's own default timeout (120 s) is never relied on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import httpx
from postgrest import APIResponse, CountMethod, ReturnMethod
from postgrest.exceptions import APIError
from supabase import AsyncClient, AsyncClientOptions

from kernel.books import Books, Business, books_from_rows
from kernel.models.fraud import Finding
from kernel.models.insights import Insight
from serve_app.contract.errors import DatabaseUnavailable, NotFound
from serve_app.infra.deadline import remaining
from serve_app.infra.settings import Settings
from serve_app.infra.store.rows import draft_payload, insight_rows, json_row, jsonable
from serve_app.infra.store_interface import (
    FINGERPRINT_TABLES,
    JUDGED_ACTIONS,
    RECENT,
    AnalysisRecord,
    FeedbackRecord,
    InvoiceRows,
    PredictionCount,
)

T = TypeVar("T")
PAGE = 1000
"""Supabase's default `max-rows`: larger reads are paged."""
BOOK_TABLES = (
    "customers",
    "suppliers",
    "invoices",
    "transactions",
    "payments",
    "expenses",
    "products",
    "recurring_payments",
    "cashbook_entries",
)


def _by_id(row_id: str) -> Callable[[Any], Any]:
    return lambda table: table.select("*").eq("id", row_id)


def _of(query: Any, businesses: Sequence[str] | None) -> Any:
    """`query` limited to the rows of `businesses` (None: every business's)."""
    return query if businesses is None else query.in_("business_id", list(businesses))


def _data(response: APIResponse) -> list[dict[str, Any]]:
    """PostgREST answers a select with a JSON array of objects."""
    return cast(list[dict[str, Any]], response.data)


class SupabaseStore:
    kind = "supabase"

    def __init__(self, client: AsyncClient, timeout_s: float) -> None:
        self._client, self._timeout = client, timeout_s

    @classmethod
    def from_settings(
        cls, settings: Settings, http_client: httpx.AsyncClient | None = None
    ) -> SupabaseStore:
        assert settings.SUPABASE_URL and settings.SUPABASE_SERVICE_KEY is not None
        options = AsyncClientOptions(
            postgrest_client_timeout=settings.DATABASE_TIMEOUT_SECONDS,
            auto_refresh_token=False,
            persist_session=False,
            httpx_client=http_client,
        )
        client = AsyncClient(
            settings.SUPABASE_URL, settings.SUPABASE_SERVICE_KEY.get_secret_value(), options
        )
        return cls(client, settings.DATABASE_TIMEOUT_SECONDS)

    async def _call(self, request: Callable[[], Awaitable[T]]) -> T:
        try:
            return await asyncio.wait_for(request(), timeout=remaining(self._timeout * 2))
        except (APIError, httpx.HTTPError, TimeoutError, OSError) as exc:
            raise DatabaseUnavailable(f"supabase: {type(exc).__name__}") from exc

    async def _rows(self, table: str, build: Callable[[Any], Any]) -> list[dict[str, Any]]:
        """All rows of a filtered select, page by page (ordered by id for stable pages)."""
        rows: list[dict[str, Any]] = []
        while True:
            query = (
                build(self._client.table(table)).order("id").range(len(rows), len(rows) + PAGE - 1)
            )
            page = _data(await self._call(query.execute))
            rows.extend(page)
            if len(page) < PAGE:
                return rows

    async def _upsert(self, table: str, rows: list[dict[str, Any]], **how: Any) -> None:
        """Writes rows in one request, PostgREST answering with none of them."""
        upsert = self._client.table(table).upsert(rows, returning=ReturnMethod.minimal, **how)
        await self._call(upsert.execute)

    async def ping(self) -> None:
        await self._call(self._client.table("businesses").select("id").limit(1).execute)

    async def business_row(self, business_id: str) -> dict[str, Any] | None:
        rows = await self._rows("businesses", _by_id(business_id))
        return rows[0] if rows else None

    async def fingerprint(self, business_id: str) -> str:
        parts = []
        for table in ("businesses", *FINGERPRINT_TABLES):
            column = "id" if table == "businesses" else "business_id"
            query = (
                self._client.table(table)
                .select("updated_at", count=CountMethod.exact)
                .eq(column, business_id)
                .order("updated_at", desc=True)
                .limit(1)
            )
            result: APIResponse = await self._call(query.execute)
            data = _data(result)
            latest = data[0]["updated_at"] if data else None
            parts.append(f"{table}:{result.count}:{latest}")
        return "|".join(parts)

    async def load_books(self, business_id: str) -> Books:
        business = await self._rows("businesses", lambda t: t.select("*").eq("id", business_id))
        if not business:
            raise NotFound("Business not found")
        rows: dict[str, list[dict[str, Any]]] = {"businesses": business}
        for table in BOOK_TABLES:
            rows[table] = await self._rows(
                table, lambda t: t.select("*").eq("business_id", business_id)
            )
        # invoice_items has no business_id: filter through the parent invoice, as the app does.
        rows["invoice_items"] = await self._rows(
            "invoice_items",
            lambda t: t.select("*, invoices!inner(business_id)").eq(
                "invoices.business_id", business_id
            ),
        )
        return books_from_rows(rows)

    async def invoice_business(self, invoice_id: str) -> str | None:
        rows = await self._rows("invoices", lambda t: t.select("business_id").eq("id", invoice_id))
        return str(rows[0]["business_id"]) if rows else None

    async def invoice_rows(self, invoice_id: str, business_id: str) -> InvoiceRows:
        invoice = await self._rows(
            "invoices", lambda t: t.select("*").eq("id", invoice_id).eq("business_id", business_id)
        )
        business = await self._rows("businesses", lambda t: t.select("*").eq("id", business_id))
        if not invoice or not business:
            raise NotFound("Invoice not found")
        items = await self._rows(
            "invoice_items", lambda t: t.select("*").eq("invoice_id", invoice_id)
        )
        items.sort(key=lambda r: (r.get("sort_order") or 0, str(r["id"])))
        party: dict[str, Any] | None = None
        for table, key in (("customers", "customer_id"), ("suppliers", "supplier_id")):
            party_id = str(invoice[0].get(key) or "")
            if party_id and party is None:
                found = await self._rows(table, _by_id(party_id))
                party = found[0] if found else None
        sales = await self._rows(
            "invoices",
            lambda t: (
                t.select("id, invoice_number, invoice_date, status, subtotal, discount_amount")
                .eq("business_id", business_id)
                .eq("invoice_type", "customer")
            ),
        )
        return InvoiceRows(invoice[0], items, business[0], party, sales)

    async def invoice_catalogue(self, business_id: str) -> dict[str, list[dict[str, Any]]]:
        customers = await self._rows(
            "customers", lambda t: t.select("id, name, gst_number").eq("business_id", business_id)
        )
        products = await self._rows(
            "products",
            lambda t: t.select("id, name, unit, selling_price, is_active").eq(
                "business_id", business_id
            ),
        )
        past = await self._rows(
            "invoice_items",
            lambda t: t.select(
                "name, unit_price, tax_rate, hsn_code, unit, invoices!inner(business_id)"
            ).eq("invoices.business_id", business_id),
        )
        return {
            "customers": customers,
            "products": [p for p in products if p.get("is_active") is not False],
            "past_items": past,
        }

    async def save_draft(
        self,
        invoice: dict[str, Any],
        items: Sequence[dict[str, Any]],
        same_as: Sequence[str] = (),
    ) -> tuple[str, str]:
        """One request, one transaction: the database's ai_save_draft (migration 0004) numbers
        the draft, writes it with its lines, and answers a retried request with the draft it
        saved first."""
        draft, lines = draft_payload(invoice, items)
        call = self._client.rpc(
            "ai_save_draft", {"draft": draft, "lines": lines, "same_as": list(same_as)}
        )
        try:
            saved = (await self._call(call.execute)).data
        except DatabaseUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, APIError) and cause.code == "PGRST202":  # no such function
                raise DatabaseUnavailable(
                    "supabase: ai_save_draft is missing: apply migration "
                    "0004_save_draft.postgres.sql (fineasy migrate, or the SQL editor)"
                ) from cause
            raise
        if not isinstance(saved, dict) or not {"id", "invoice_number"} <= saved.keys():
            raise DatabaseUnavailable("supabase: ai_save_draft answered no draft")
        return str(saved["id"]), str(saved["invoice_number"])

    async def save_findings(
        self,
        business_id: str,
        findings: Sequence[Finding],
        model_version: str,
        now: dt.datetime,
    ) -> dict[str, dt.datetime]:
        if not findings:
            return {}
        ids = [f.id for f in findings]
        existing = await self._rows(
            "fraud_alerts", lambda t: t.select("id, detected_at").in_("id", ids)
        )
        first_seen = {
            str(r["id"]): dt.datetime.fromisoformat(str(r["detected_at"])) for r in existing
        }
        payload = [
            {
                "id": f.id,
                "business_id": business_id,
                "alert_type": f.type,
                "message": f.message,
                "confidence_score": f.confidence_score,
                "evidence": f.evidence,
                "subject_ids": list(f.subject_ids),
                "model_version": model_version,
                "detected_at": first_seen.get(f.id, now).isoformat(),
                "last_seen_at": now.isoformat(),
            }
            for f in findings
        ]
        await self._upsert("fraud_alerts", payload, on_conflict="id")
        return {f.id: first_seen.get(f.id, now) for f in findings}

    async def save_insights(self, business_id: str, insights: Sequence[Insight]) -> None:
        if not insights:
            return
        rows = [
            {
                **row,
                "payload": json.loads(row["payload"]),
                "valid_until": jsonable(row["valid_until"]),
            }
            for row in insight_rows(business_id, insights)
        ]
        await self._upsert("business_insights", rows, on_conflict="id")

    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        rows = [json_row(r.__dict__) for r in records]
        await self._upsert("ai_analysis_results", rows, ignore_duplicates=True)

    async def insert_rows(self, rows: dict[str, list[dict[str, Any]]]) -> int:
        for table, table_rows in rows.items():
            for start in range(0, len(table_rows), PAGE):
                chunk = [json_row(r) for r in table_rows[start : start + PAGE]]
                await self._upsert(table, chunk, ignore_duplicates=True)
        return sum(len(r) for r in rows.values())

    async def businesses_of(self, user_ids: Sequence[str]) -> list[Business]:
        rows = await self._rows(
            "businesses", lambda t: t.select("*").in_("user_id", list(user_ids))
        )
        return sorted((Business.model_validate(r) for r in rows), key=lambda b: b.name)

    async def prediction_owners(self, entity_id: str) -> list[tuple[str, str]]:
        found = []
        for table, source in (("fraud_alerts", "fraud_alert"), ("business_insights", "insight")):
            rows = await self._rows(table, lambda t: t.select("business_id").eq("id", entity_id))
            found += [(str(r["business_id"]), source) for r in rows]
        judged = await self._rows(
            "ai_analysis_results",
            lambda t: (
                t.select("business_id, analysis_type")
                .eq("subject_id", entity_id)
                .in_("analysis_type", list(JUDGED_ACTIONS))
                .not_.is_("business_id", "null")
            ),
        )
        return found + [(str(r["business_id"]), str(r["analysis_type"])) for r in judged]

    async def save_feedback(self, record: FeedbackRecord) -> bool:
        """PostgREST answers an ignored duplicate with no row."""
        row = json_row(record.__dict__)
        insert = self._client.table("ai_feedback").upsert(
            row, on_conflict="caller_id,entity_id", ignore_duplicates=True
        )
        return bool(_data(await self._call(insert.execute)))

    def _counted(self, table: str) -> Any:
        return self._client.table(table).select("id", count=CountMethod.exact, head=True)

    async def _count(self, query: Any) -> int:
        result: APIResponse = await self._call(query.execute)
        return int(result.count or 0)

    async def feedback_votes(
        self, models: Sequence[str], businesses: Sequence[str] | None = None
    ) -> dict[str, tuple[int, int]]:
        if businesses is not None and not businesses:
            return {}
        out = {}
        for model in models:
            votes = await self._count(
                _of(self._counted("ai_feedback").eq("model", model), businesses)
            )
            if votes:
                helpful = self._counted("ai_feedback").eq("model", model).is_("helpful", "true")
                out[model] = (votes, await self._count(_of(helpful, businesses)))
        return out

    async def prediction_counts(
        self, actions: dict[str, Sequence[str]], businesses: Sequence[str] | None = None
    ) -> dict[str, PredictionCount]:
        if businesses is not None and not businesses:
            return {model: PredictionCount(0, None) for model in actions}
        out = {}
        for model, acts in actions.items():
            served = await self._count(
                _of(
                    self._counted("ai_analysis_results").in_("analysis_type", list(acts)),
                    businesses,
                )
            )
            latest = self._client.table("ai_analysis_results").select("duration_ms")
            recent = _data(
                await self._call(
                    _of(latest.in_("analysis_type", list(acts)), businesses)
                    .order("created_at", desc=True)
                    .limit(RECENT)
                    .execute
                )
            )
            times = [float(r["duration_ms"]) for r in recent]
            out[model] = PredictionCount(served, sum(times) / len(times) if times else None)
        return out

    async def purge(
        self, cutoffs: dict[str, tuple[str, dt.datetime]], dry_run: bool = False
    ) -> dict[str, int]:
        """One DELETE per table, PostgREST counting what it removed (or, dry, a count)."""
        counts = {}
        for table, (column, before) in cutoffs.items():
            moment = before.isoformat()
            if dry_run:
                counts[table] = await self._count(self._counted(table).lt(column, moment))
                continue
            delete = (
                self._client.table(table)
                .delete(count=CountMethod.exact, returning=ReturnMethod.minimal)
                .lt(column, moment)
            )
            result: APIResponse = await self._call(delete.execute)
            counts[table] = int(result.count or 0)
        return counts

    async def close(self) -> None:
        return None
