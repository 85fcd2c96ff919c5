"""The Store in SQL, over SQLAlchemy 2 async: a SQLite file (aiosqlite) or PostgreSQL
(asyncpg; Supabase's Postgres directly or behind its transaction pooler), on the engines of
`engines`. Its statements are `queries`; every value is a bound parameter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import re
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from kernel.books import Books, Business, as_dict, books_from_rows
from kernel.models.fraud import Finding
from kernel.models.insights import Insight
from serve_app.contract.errors import DatabaseUnavailable, DeadlineExceeded, NotFound
from serve_app.infra.deadline import remaining
from serve_app.infra.settings import Settings
from serve_app.infra.store.engines import postgres_engine, sqlite_engine
from serve_app.infra.store.queries import (
    BOOK_QUERIES,
    BUSINESS,
    BUSINESSES_OF,
    CATALOGUE_QUERIES,
    DETECTED_AT,
    DRAFT_OF,
    FINGERPRINT,
    INSERT_ANALYSIS,
    INSERT_FEEDBACK,
    INVOICE_BUSINESS,
    INVOICE_NUMBERS,
    INVOICE_QUERIES,
    PREDICTION_OWNERS,
    SAVE_DRAFT,
    TALLIES,
    UPSERT_FINDING,
    UPSERT_INSIGHT,
    draft_insert,
    insert_sql,
    purge_sql,
)
from serve_app.infra.store.rows import draft_payload, insight_rows, with_item_ids
from serve_app.infra.store_interface import (
    JUDGED_ACTIONS,
    RECENT,
    AnalysisRecord,
    FeedbackRecord,
    InvoiceRows,
    PredictionCount,
)

T = TypeVar("T")
WRITE_ATTEMPTS = 6


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def next_invoice_number(existing: Iterable[str]) -> str:
    """INV-0001 style, one past the highest, as the app's generate_invoice_number does."""
    highest = max(
        (int(m.group(1)) for n in existing if (m := re.fullmatch(r"INV-(\d+)", n))), default=0
    )
    return f"INV-{highest + 1:04d}"


def _bindable(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


class SqlStore:
    """SQLAlchemy 2 async over aiosqlite or asyncpg. Errors surface as DatabaseUnavailable."""

    def __init__(self, engine: AsyncEngine, kind: str, timeout_s: float) -> None:
        self._engine, self.kind, self._timeout = engine, kind, timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> SqlStore:
        timeout = settings.DATABASE_TIMEOUT_SECONDS
        if settings.store_kind == "postgres":
            return cls(postgres_engine(settings), "postgres", timeout)
        return cls(sqlite_engine(settings), "sqlite", timeout)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def _run(
        self,
        statements: Sequence[tuple[Any, Any]],
        write: bool = False,
    ) -> list[list[dict[str, Any]]]:
        async def go() -> list[list[dict[str, Any]]]:
            results = []
            begin = self._engine.begin() if write else self._engine.connect()
            async with begin as conn:
                for statement, params in statements:
                    result = await conn.execute(statement, params)
                    results.append([as_dict(r) for r in result] if result.returns_rows else [])
            return results

        return await self._guarded(go())

    async def _guarded(self, work: Coroutine[Any, Any, T]) -> T:
        """The store's deadline and error mapping around any database work."""
        try:
            timeout = remaining(self._timeout * 2)
        except DeadlineExceeded:
            work.close()  # never started
            raise
        try:
            return await asyncio.wait_for(work, timeout=timeout)
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            raise DatabaseUnavailable(f"{self.kind}: {type(exc).__name__}") from exc

    async def ping(self) -> None:
        await self._run([(text("SELECT 1"), {})])

    async def business_row(self, business_id: str) -> dict[str, Any] | None:
        rows = (await self._run([(BUSINESS, {"id": business_id})]))[0]
        return rows[0] if rows else None

    async def fingerprint(self, business_id: str) -> str:
        rows = (await self._run([(FINGERPRINT, {"b": business_id})]))[0]
        return "|".join(f"{r['t']}:{r['n']}:{r['m']}" for r in rows)

    async def load_books(self, business_id: str) -> Books:
        statements = [(BUSINESS, {"id": business_id})]
        statements += [(text(sql), {"b": business_id}) for sql in BOOK_QUERIES.values()]
        results = await self._run(statements)
        rows = {"businesses": results[0], **dict(zip(BOOK_QUERIES, results[1:], strict=True))}
        if not rows["businesses"]:
            raise NotFound("Business not found")
        return books_from_rows(rows)

    async def invoice_business(self, invoice_id: str) -> str | None:
        rows = (await self._run([(INVOICE_BUSINESS, {"id": invoice_id})]))[0]
        return str(rows[0]["business_id"]) if rows else None

    async def invoice_rows(self, invoice_id: str, business_id: str) -> InvoiceRows:
        params = {"id": invoice_id, "b": business_id}
        invoice, items, business, customer, supplier, sales = await self._run(
            [(text(sql), params) for sql in INVOICE_QUERIES]
        )
        if not invoice or not business:
            raise NotFound("Invoice not found")
        party = (customer or supplier)[0] if customer or supplier else None
        return InvoiceRows(invoice[0], items, business[0], party, sales)

    async def invoice_catalogue(self, business_id: str) -> dict[str, list[dict[str, Any]]]:
        results = await self._run(
            [(text(sql), {"b": business_id}) for sql in CATALOGUE_QUERIES.values()]
        )
        return dict(zip(CATALOGUE_QUERIES, results, strict=True))

    async def save_draft(
        self,
        invoice: dict[str, Any],
        items: Sequence[dict[str, Any]],
        same_as: Sequence[str] = (),
    ) -> tuple[str, str]:
        """Inserts a draft with the business's next INV-#### number and its lines, in one
        transaction, unless a draft with its id (or one of `same_as`) is stored already: then
        that draft's id and number (a retried request saves one draft). PostgreSQL does it in
        its ai_save_draft (SAVE_DRAFT), one draft at a time per business; SQLite has one writer
        at a time, and a transaction that read before another's write fails and is run again,
        as is one that lost a race to insert the same draft."""
        ids = [str(invoice["id"]), *same_as]
        lines = with_item_ids(str(invoice["id"]), items)

        async def once() -> tuple[str, str]:
            async with self._engine.begin() as conn:
                if self.kind == "postgres":
                    draft, payload = draft_payload(invoice, items)
                    params = {"draft": json.dumps(draft), "lines": json.dumps(payload)}
                    answer = await conn.execute(SAVE_DRAFT, {**params, "same_as": ids[1:]})
                    saved = json.loads(answer.scalar_one())
                    return str(saved["id"]), str(saved["invoice_number"])
                found = (await conn.execute(DRAFT_OF, {"ids": ids})).first()
                if found is not None:
                    return str(found[0]), str(found[1])
                rows = await conn.execute(INVOICE_NUMBERS, {"b": invoice["business_id"]})
                number = next_invoice_number(str(r[0]) for r in rows)
                await conn.execute(
                    draft_insert("invoices", invoice), {**invoice, "invoice_number": number}
                )
                for line in lines:
                    await conn.execute(draft_insert("invoice_items", line), line)
                return str(invoice["id"]), number

        async def go() -> tuple[str, str]:
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                try:
                    return await once()
                except (IntegrityError, OperationalError):
                    if attempt == WRITE_ATTEMPTS:
                        raise
                    await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)  # nosec B311
            raise AssertionError("unreachable")

        return await self._guarded(go())

    async def save_findings(
        self, business_id: str, findings: Sequence[Finding], model_version: str, now: dt.datetime
    ) -> dict[str, dt.datetime]:
        """Upserts by the finding's stable id; returns when each was first detected."""
        if not findings:
            return {}
        params = [
            {
                "id": f.id,
                "business_id": business_id,
                "type": f.type,
                "message": f.message,
                "confidence": f.confidence_score,
                "evidence": json.dumps(f.evidence),
                "subjects": json.dumps(list(f.subject_ids)),
                "version": model_version,
                "now": now,
            }
            for f in findings
        ]
        results = await self._run(
            [
                (UPSERT_FINDING, params),
                (DETECTED_AT, {"b": business_id, "ids": [f.id for f in findings]}),
            ],
            write=True,
        )
        return {str(r["id"]): _moment(r["detected_at"]) for r in results[1]}

    async def save_insights(self, business_id: str, insights: Sequence[Insight]) -> None:
        """Upserts by insight id (stable for a business, its books' last day and the model)."""
        if insights:
            await self._run([(UPSERT_INSIGHT, insight_rows(business_id, insights))], write=True)

    async def record_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        """One transaction for many rows; a row whose id is already stored is left alone, so a
        batch written again after a failure that was in fact committed adds nothing."""
        params = [{**r.__dict__, "summary": json.dumps(r.summary)} for r in records]
        await self._run([(INSERT_ANALYSIS, params)], write=True)

    async def insert_rows(self, rows: dict[str, list[dict[str, Any]]]) -> int:
        """Inserts rows per table in the given order; rows whose id exists are left alone."""
        statements = []
        for table, table_rows in rows.items():
            if not table_rows:
                continue
            columns = list(table_rows[0])
            sql = insert_sql(table, columns, " ON CONFLICT DO NOTHING")
            statements.append(
                (text(sql), [{c: _bindable(r.get(c)) for c in columns} for r in table_rows])
            )
        await self._run(statements, write=True)
        return sum(len(r) for r in rows.values())

    async def businesses_of(self, user_ids: Sequence[str]) -> list[Business]:
        rows = (await self._run([(BUSINESSES_OF, {"users": list(user_ids)})]))[0]
        return [Business.model_validate(r) for r in rows]

    async def prediction_owners(self, entity_id: str) -> list[tuple[str, str]]:
        """(business id, where it was found) for each prediction with this id a user can vote
        on: "fraud_alert", "insight", or the audit action that judged that invoice."""
        params = {"id": entity_id, "actions": list(JUDGED_ACTIONS)}
        (rows,) = await self._run([(PREDICTION_OWNERS, params)])
        return [(str(r["business_id"]), str(r["source"])) for r in rows]

    async def save_feedback(self, record: FeedbackRecord) -> bool:
        """False when this user has already voted on this prediction (the first vote stands)."""

        async def go() -> bool:
            async with self._engine.begin() as conn:
                result = await conn.execute(INSERT_FEEDBACK, record.__dict__)
                return bool(result.rowcount)

        return await self._guarded(go())

    async def feedback_votes(
        self, models: Sequence[str], businesses: Sequence[str] | None = None
    ) -> dict[str, tuple[int, int]]:
        """Per model: (votes, helpful votes), on the predictions of `businesses` only when
        given (none: every business's)."""
        if businesses is not None and not businesses:
            return {}
        scope = {} if businesses is None else {"businesses": list(businesses)}
        query = TALLIES[businesses is not None].votes
        (rows,) = await self._run([(query, {"models": list(models), **scope})])
        return {str(r["model"]): (int(r["votes"]), int(r["helpful"] or 0)) for r in rows}

    async def prediction_counts(
        self, actions: dict[str, Sequence[str]], businesses: Sequence[str] | None = None
    ) -> dict[str, PredictionCount]:
        """Per model (its audit actions given): predictions served and recent model time, of
        `businesses` only when given (none: the whole platform's, inline ones too)."""
        if businesses is not None and not businesses:
            return {model: PredictionCount(0, None) for model in actions}
        scope = {} if businesses is None else {"businesses": list(businesses)}
        queries = TALLIES[businesses is not None]
        every = [a for acts in actions.values() for a in acts]
        statements = [(queries.served, {"actions": every, **scope})] + [
            (queries.recent_time, {"actions": list(acts), "recent": RECENT, **scope})
            for acts in actions.values()
        ]
        served, *times = await self._run(statements)
        by_action = {str(r["analysis_type"]): int(r["n"]) for r in served}
        return {
            model: PredictionCount(
                sum(by_action.get(a, 0) for a in acts),
                None if latest[0]["mean_ms"] is None else float(latest[0]["mean_ms"]),
            )
            for (model, acts), latest in zip(actions.items(), times, strict=True)
        }

    async def purge(
        self, cutoffs: dict[str, tuple[str, dt.datetime]], dry_run: bool = False
    ) -> dict[str, int]:
        """Per table, deletes the rows whose dating column is before its cutoff (or, dry, only
        counts them); one transaction."""
        statements = [
            (text(purge_sql(table, column, dry_run)), {"before": before})
            for table, (column, before) in cutoffs.items()
        ]

        async def go() -> dict[str, int]:
            counts = {}
            async with self._engine.begin() as conn:
                for table, (statement, params) in zip(cutoffs, statements, strict=True):
                    result = await conn.execute(statement, params)
                    counts[table] = int((result.scalar() if dry_run else result.rowcount) or 0)
            return counts

        return await self._guarded(go())

    async def close(self) -> None:
        await self._engine.dispose()
