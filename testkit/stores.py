"""A migrated, seeded SQL store for tests (SQLite file or a PostgreSQL URL)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import text

from serve_app.infra.migrate import migrate
from serve_app.infra.settings import Settings, load_settings
from serve_app.infra.store.sql import SqlStore
from testkit.factories import SECRET, demo_books


def settings_for(database: str | Path, **extra: str) -> Settings:
    """Settings for a test's store, in development unless `extra` names another ENVIRONMENT
    (the setting has no default); the audit outbox beside its SQLite file (or in a fresh
    folder), never in the project's var/."""
    env = {"ENVIRONMENT": "development", "SUPABASE_JWT_SECRET": SECRET, **extra}
    if str(database).startswith("postgresql://"):
        env["DATABASE_URL"] = str(database)
        env.setdefault("OUTBOX_DIR", tempfile.mkdtemp(prefix="fineasy-outbox-"))
    else:
        env["SQLITE_PATH"] = str(database)
        env.setdefault("OUTBOX_DIR", str(Path(database).parent / "outbox"))
    return load_settings(env)


SETUP_TIMEOUT_S = "300"
"""The statement timeout of a test's own database work (seeding, copying books, planting
rows): set-up is not a request, and must not fail on a slow machine under the 5 s the app
gives one statement (DATABASE_TIMEOUT_SECONDS)."""


def setup_settings(database: str | Path) -> Settings:
    """Settings for a test's own database work, outside any request's time limits."""
    return settings_for(database, DATABASE_TIMEOUT_SECONDS=SETUP_TIMEOUT_S)


def setup_store(database: str | Path) -> SqlStore:
    """A store for a test's own database work (see SETUP_TIMEOUT_S)."""
    return SqlStore.from_settings(setup_settings(database))


async def seeded_store(settings: Settings) -> SqlStore:
    store = SqlStore.from_settings(settings)
    await migrate(store.engine)
    for generated in demo_books():
        await store.insert_rows(generated.rows())
    return store


AGES_DAYS = (400, 200, 100, 10)
"""The ages of the rows `plant_dated_rows` writes into each retained table."""


async def plant_dated_rows(store: SqlStore, now: dt.datetime, tag: str) -> None:
    """One row per age of AGES_DAYS in each table retention purges, ids starting with `tag`.
    With the default retention (audit rows 180 days, alerts 365 after last seen, insights 90)
    a purge removes: audit rows 400 and 200, the alert 400, insights 400, 200 and 100."""
    business = str(demo_books()[0].business["id"])
    statements = []
    for age in AGES_DAYS:
        moment = now - dt.timedelta(days=age)
        statements += [
            (
                "INSERT INTO ai_analysis_results (id, business_id, analysis_type, caller_id,"
                " model_version, summary, duration_ms, created_at) VALUES (:id, :b,"
                " 'fraud_analysis', 'u', 'v1', '{}', 1.0, :at)",
                {"id": f"{tag}-audit-{age}", "b": business, "at": moment},
            ),
            (
                "INSERT INTO fraud_alerts (id, business_id, alert_type, message,"
                " confidence_score, evidence, subject_ids, model_version, detected_at,"
                " last_seen_at) VALUES (:id, :b, 'payment_mismatch', 'm', 0.9, '{}', '[]',"
                " 'v1', :at, :at)",
                {"id": f"{tag}-alert-{age}", "b": business, "at": moment},
            ),
            (
                "INSERT INTO business_insights (id, business_id, insight_type, payload,"
                " created_at) VALUES (:id, :b, 'general', '{}', :at)",
                {"id": f"{tag}-insight-{age}", "b": business, "at": moment},
            ),
        ]
    async with store.engine.begin() as conn:
        for sql, params in statements:
            await conn.execute(text(sql), params)


async def planted_left(store: SqlStore, tag: str) -> set[str]:
    """The ids of `plant_dated_rows`'s rows still stored."""
    found: set[str] = set()
    async with store.engine.connect() as conn:
        for table in ("ai_analysis_results", "fraud_alerts", "business_insights"):
            rows = await conn.execute(
                text(f"SELECT id FROM {table} WHERE id LIKE :tag"),  # nosec B608
                {"tag": f"{tag}-%"},
            )
            found |= {str(r[0]) for r in rows}
    return found


PURGED_BY_DEFAULT = {
    "audit-400",
    "audit-200",
    "alert-400",
    "insight-400",
    "insight-200",
    "insight-100",
}
