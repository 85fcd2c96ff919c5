"""The Store interface and its SQL implementation (SQLite file or PostgreSQL/Supabase Postgres).

SQL lives here as named constants; every value is a bound parameter. The store does no
authorization of its own beyond `business_for`, which is where tenancy is decided.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import re
import uuid
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, event, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from kernel.books import Books, Business, as_dict, books_from_rows
from kernel.models.fraud import Finding
from kernel.models.insights import Insight
from serve_app.contract.errors import DatabaseUnavailable, DeadlineExceeded, NotFound
from serve_app.infra.auth import Caller
from serve_app.infra.deadline import remaining
from serve_app.infra.logs import deny
from serve_app.infra.settings import Settings


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


class Store(Protocol):
    kind: str

    async def ping(self) -> None: ...
    async def business_for(self, caller: Caller, business_id: str) -> Business: ...
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


T = TypeVar("T")
BUSINESS = text("SELECT * FROM businesses WHERE id = :id")
BUSINESSES_OF = text("SELECT * FROM businesses WHERE user_id IN :users ORDER BY name").bindparams(
    bindparam("users", expanding=True)
)
BOOK_QUERIES = {
    "customers": "SELECT * FROM customers WHERE business_id = :b",
    "suppliers": "SELECT * FROM suppliers WHERE business_id = :b",
    "invoices": "SELECT * FROM invoices WHERE business_id = :b ORDER BY invoice_date, id",
    "invoice_items": "SELECT ii.* FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id "
    "WHERE i.business_id = :b ORDER BY ii.invoice_id, ii.sort_order",
    "transactions": "SELECT * FROM transactions WHERE business_id = :b ORDER BY date, id",
    "payments": "SELECT * FROM payments WHERE business_id = :b ORDER BY payment_date, id",
    "expenses": "SELECT * FROM expenses WHERE business_id = :b ORDER BY expense_date, id",
    "products": "SELECT * FROM products WHERE business_id = :b ORDER BY name, id",
    "recurring_payments": "SELECT * FROM recurring_payments WHERE business_id = :b ORDER BY id",
    "cashbook_entries": "SELECT * FROM cashbook_entries WHERE business_id = :b "
    "ORDER BY entry_date, id",
}
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
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _identifiers(*names: str) -> None:
    """Table and column names put into SQL text (values are always bound): plain lower-case
    identifiers only, so nothing a row carries can change the statement."""
    bad = [n for n in names if not IDENTIFIER.fullmatch(n)]
    if bad:
        raise ValueError(f"not a plain SQL identifier: {bad}")


def _fingerprint_sql(table: str) -> str:
    _identifiers(table)  # the constant names above; the business id is bound
    columns = f"'{table}' AS t, COUNT(*) AS n, MAX(updated_at) AS m"
    return f"SELECT {columns} FROM {table} WHERE business_id = :b"  # nosec B608


FINGERPRINT = text(
    " UNION ALL ".join(
        [
            "SELECT 'businesses' AS t, COUNT(*) AS n, MAX(updated_at) AS m FROM businesses "
            "WHERE id = :b",
            *(_fingerprint_sql(table) for table in FINGERPRINT_TABLES),
        ]
    )
)
"""Changes when any row the models read is added, removed or updated (invoice items are
written with their invoice, whose updated_at the app bumps)."""
INVOICE_BUSINESS = text("SELECT business_id FROM invoices WHERE id = :id")
INVOICE_QUERIES = (
    "SELECT * FROM invoices WHERE id = :id AND business_id = :b",
    "SELECT * FROM invoice_items WHERE invoice_id = :id ORDER BY sort_order, id",
    "SELECT * FROM businesses WHERE id = :b",
    "SELECT * FROM customers WHERE id = (SELECT customer_id FROM invoices WHERE id = :id)",
    "SELECT * FROM suppliers WHERE id = (SELECT supplier_id FROM invoices WHERE id = :id)",
    "SELECT id, invoice_number, invoice_date, status, subtotal, discount_amount FROM invoices "
    "WHERE business_id = :b AND invoice_type = 'customer'",
)
CATALOGUE_QUERIES = {
    "customers": "SELECT id, name, gst_number FROM customers WHERE business_id = :b",
    "products": "SELECT id, name, unit, selling_price FROM products WHERE business_id = :b "
    "AND (is_active IS NULL OR is_active = TRUE)",
    "past_items": "SELECT ii.name, ii.unit_price, ii.tax_rate, ii.hsn_code, ii.unit "
    "FROM invoice_items ii JOIN invoices i ON i.id = ii.invoice_id WHERE i.business_id = :b "
    "AND i.invoice_type = 'customer' ORDER BY i.invoice_date, ii.sort_order LIMIT 2000",
}
DRAFT_OF = text("SELECT id, invoice_number FROM invoices WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
SAVE_DRAFT = text(
    "SELECT CAST(ai_save_draft(CAST(:draft AS jsonb), CAST(:lines AS jsonb), "
    "CAST(:same_as AS text[])) AS text)"
)
"""PostgreSQL: the draft and its lines in the database's one transaction, numbered one draft at
a time per business (migration 0004, also called over Supabase's REST API). Not a UNIQUE
(business_id, invoice_number) index: the app's invoices table holds supplier bills numbered by
their suppliers and duplicate entries, which the fraud model exists to find."""
WRITE_ATTEMPTS = 6
DRAFT_ITEMS = uuid.UUID("6a3f1c5e-2b7d-4e9a-8c1f-0d2e4b6a8c10")


def jsonable(value: Any) -> Any:
    """A row's value as JSON takes it (PostgREST bodies, the database's jsonb arguments)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def draft_payload(
    invoice: dict[str, Any], items: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """ai_save_draft's arguments: the draft's row and its lines (ids derived), as JSON."""
    lines = with_item_ids(str(invoice["id"]), items)
    return {k: jsonable(v) for k, v in invoice.items()}, [
        {k: jsonable(v) for k, v in line.items()} for line in lines
    ]


def with_item_ids(invoice_id: str, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A draft's lines with ids derived from the draft's id and their place: written again
    (a retry that completes a partial write), they are the same rows."""
    return [
        {**item, "id": str(uuid.uuid5(DRAFT_ITEMS, f"{invoice_id}:{i}")), "invoice_id": invoice_id}
        for i, item in enumerate(items)
    ]


INVOICE_NUMBERS = text(
    "SELECT invoice_number FROM invoices WHERE business_id = :b AND invoice_number LIKE 'INV-%'"
)
UPSERT_FINDING = text(
    "INSERT INTO fraud_alerts (id, business_id, alert_type, message, confidence_score, evidence,"
    " subject_ids, model_version, detected_at, last_seen_at) VALUES (:id, :business_id, :type,"
    " :message, :confidence, :evidence, :subjects, :version, :now, :now) ON CONFLICT (id) DO"
    " UPDATE SET message = excluded.message, confidence_score = excluded.confidence_score,"
    " evidence = excluded.evidence, model_version = excluded.model_version,"
    " last_seen_at = excluded.last_seen_at"
)
DETECTED_AT = text(
    "SELECT id, detected_at FROM fraud_alerts WHERE business_id = :b AND id IN :ids"
).bindparams(bindparam("ids", expanding=True))
UPSERT_INSIGHT = text(
    "INSERT INTO business_insights (id, business_id, insight_type, payload, valid_until)"
    " VALUES (:id, :business_id, :insight_type, :payload, :valid_until) ON CONFLICT (id) DO"
    " UPDATE SET payload = excluded.payload, valid_until = excluded.valid_until"
)
INSERT_ANALYSIS = text(
    "INSERT INTO ai_analysis_results (id, business_id, analysis_type, caller_id, model_version,"
    " summary, duration_ms, created_at, subject_id) VALUES (:id, :business_id, :analysis_type,"
    " :caller_id, :model_version, :summary, :duration_ms, :created_at, :subject_id)"
    " ON CONFLICT (id) DO NOTHING"
)
JUDGED_ACTIONS = ("compliance_check", "invoice_generation")
"""Audit actions whose subject_id a user can vote on (the invoice checked or drafted)."""
PREDICTION_OWNERS = text(
    "SELECT business_id, 'fraud_alert' AS source FROM fraud_alerts WHERE id = :id"
    " UNION ALL SELECT business_id, 'insight' FROM business_insights WHERE id = :id"
    " UNION ALL SELECT business_id, analysis_type FROM ai_analysis_results"
    " WHERE subject_id = :id AND business_id IS NOT NULL AND analysis_type IN :actions"
).bindparams(bindparam("actions", expanding=True))
"""Where a prediction a user can vote on lives, and whose business it is: a fraud alert, an
insight, or an invoice a compliance check or an invoice draft judged."""
INSERT_FEEDBACK = text(
    "INSERT INTO ai_feedback (id, caller_id, business_id, model, feedback_type, entity_id,"
    " helpful, comment, submitted_at) VALUES (:id, :caller_id, :business_id, :model,"
    " :feedback_type, :entity_id, :helpful, :comment, :submitted_at)"
    " ON CONFLICT (caller_id, entity_id) DO NOTHING"
)


@dataclass(frozen=True)
class TallyQueries:
    """The model tallies' statements, over the whole platform or (`scoped`) over the rows of
    the businesses bound as :businesses."""

    votes: Any
    served: Any
    recent_time: Any

    @classmethod
    def of(cls, scoped: bool) -> TallyQueries:
        where = " AND business_id IN :businesses" if scoped else ""
        expanding: list[Any] = [bindparam("businesses", expanding=True)] if scoped else []
        return cls(
            text(
                "SELECT model, COUNT(*) AS votes,"
                " SUM(CASE WHEN helpful THEN 1 ELSE 0 END) AS helpful"
                f" FROM ai_feedback WHERE model IN :models{where} GROUP BY model"
            ).bindparams(bindparam("models", expanding=True), *expanding),
            text(
                "SELECT analysis_type, COUNT(*) AS n FROM ai_analysis_results"
                f" WHERE analysis_type IN :actions{where} GROUP BY analysis_type"
            ).bindparams(bindparam("actions", expanding=True), *expanding),
            text(
                "SELECT AVG(duration_ms) AS mean_ms FROM (SELECT duration_ms"
                f" FROM ai_analysis_results WHERE analysis_type IN :actions{where}"
                " ORDER BY created_at DESC LIMIT :recent) AS latest"
            ).bindparams(bindparam("actions", expanding=True), *expanding),
        )


TALLIES = {False: TallyQueries.of(scoped=False), True: TallyQueries.of(scoped=True)}


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


POOLER_CONNECT_ARGS: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_name_func": _unique_statement_name,
}
"""asyncpg behind a transaction pooler (SQLAlchemy's documented settings): no statement cache,
and a name no other client's statement on the same server connection can have."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets readers and the (one) writer of several replicas overlap, and makes each
    commit an append instead of a journal rewrite; SQLite checks foreign keys only when told.
    The driver's own transaction handling is turned off (it would begin only at the first
    write, after the reads a write depends on): `_sqlite_begin` begins them."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    """Every transaction begins where SQLAlchemy's does, so its reads and writes see one
    snapshot: a write after another transaction's commit on what it read fails (SQLite's
    "database is locked") instead of acting on stale reads (SQLAlchemy's documented recipe)."""
    connection.exec_driver_sql("BEGIN")


def _moment(value: Any) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def insight_rows(business_id: str, insights: Sequence[Insight]) -> list[dict[str, Any]]:
    """business_insights rows; `payload` is the insight as the API serves it (JSON text)."""
    return [
        {
            "id": i.insight_id,
            "business_id": business_id,
            "insight_type": i.insight_type,
            "payload": i.model_dump_json(),
            "valid_until": i.valid_until,
        }
        for i in insights
    ]


def next_invoice_number(existing: Iterable[str]) -> str:
    """INV-0001 style, one past the highest, as the app's generate_invoice_number does."""
    highest = max(
        (int(m.group(1)) for n in existing if (m := re.fullmatch(r"INV-(\d+)", n))), default=0
    )
    return f"INV-{highest + 1:04d}"


def _insert_sql(table: str, columns: Sequence[str], suffix: str = "") -> str:
    _identifiers(table, *columns)
    names, values = ", ".join(columns), ", ".join(":" + c for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values}){suffix}"  # nosec B608


def _insert(table: str, row: dict[str, Any]) -> Any:
    columns = sorted(row if table != "invoices" else {*row, "invoice_number"})
    return text(_insert_sql(table, columns))


def _bindable(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


class SqlStore:
    """SQLAlchemy 2 async over aiosqlite or asyncpg. Errors surface as DatabaseUnavailable."""

    def __init__(self, engine: AsyncEngine, kind: str, timeout_s: float) -> None:
        self._engine, self.kind, self._timeout = engine, kind, timeout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> SqlStore:
        url, timeout = settings.sqlalchemy_url(), settings.DATABASE_TIMEOUT_SECONDS
        if settings.store_kind == "postgres":
            pooled = settings.behind_transaction_pooler()
            engine = create_async_engine(
                url,
                pool_size=settings.DATABASE_MAX_CONNECTIONS,
                max_overflow=0,
                pool_timeout=timeout,
                pool_pre_ping=True,
                connect_args={
                    **(POOLER_CONNECT_ARGS if pooled else {}),
                    "timeout": timeout,
                    "command_timeout": timeout,
                    "server_settings": {
                        "statement_timeout": str(int(timeout * 1000)),
                        "application_name": "fineasy-ai-backend",
                    },
                },
            )
            return cls(engine, "postgres", timeout)
        engine = create_async_engine(url, connect_args={"timeout": timeout})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return cls(engine, "sqlite", timeout)

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

    async def business_for(self, caller: Caller, business_id: str) -> Business:
        """The business if the caller may see it; otherwise NotFound, the same as no row."""
        rows = (await self._run([(BUSINESS, {"id": business_id})]))[0]
        if rows and str(rows[0]["user_id"]) == caller.user_id:
            return Business.model_validate(rows[0])
        deny(caller, business_id, exists=bool(rows))
        raise NotFound("Business not found")

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
                    _insert("invoices", invoice), {**invoice, "invoice_number": number}
                )
                for line in lines:
                    await conn.execute(_insert("invoice_items", line), line)
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
            sql = _insert_sql(table, columns, " ON CONFLICT DO NOTHING")
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
        statements = []
        for table, (column, before) in cutoffs.items():
            _identifiers(table, column)  # the retention table's own names; the moment is bound
            verb = "SELECT COUNT(*) AS n FROM" if dry_run else "DELETE FROM"
            sql = f"{verb} {table} WHERE {column} < :before"  # nosec B608
            statements.append((text(sql), {"before": before}))

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
