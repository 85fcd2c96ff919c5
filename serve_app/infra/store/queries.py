"""The SQL store's statements: named constants, and the few builders that put table and
column names into SQL text. Every value is a bound parameter, and a name put into the text must
be a plain identifier, so nothing a row carries can change a statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text

from serve_app.infra.store_interface import FINGERPRINT_TABLES

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


def insert_sql(table: str, columns: Sequence[str], suffix: str = "") -> str:
    """An INSERT of the given columns, each value bound by its column's name."""
    _identifiers(table, *columns)
    names, values = ", ".join(columns), ", ".join(":" + c for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values}){suffix}"  # nosec B608


def draft_insert(table: str, row: dict[str, Any]) -> Any:
    """The INSERT of one row of a draft (an invoice, with its number, or one of its lines)."""
    columns = sorted(row if table != "invoices" else {*row, "invoice_number"})
    return text(insert_sql(table, columns))


def purge_sql(table: str, column: str, dry_run: bool) -> str:
    """Deletes (or, dry, counts) a table's rows whose dating column is before :before."""
    _identifiers(table, column)  # the retention table's own names; the moment is bound
    verb = "SELECT COUNT(*) AS n FROM" if dry_run else "DELETE FROM"
    return f"{verb} {table} WHERE {column} < :before"  # nosec B608
