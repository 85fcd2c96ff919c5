"""A migrated, seeded SQL store for tests (SQLite file or a PostgreSQL URL)."""

from __future__ import annotations

from pathlib import Path

from serve_app.infra.migrate import migrate
from serve_app.infra.settings import Settings, load_settings
from serve_app.infra.store import SqlStore
from tests.support.factories import SECRET, demo_books


def settings_for(database: str | Path, **extra: str) -> Settings:
    env = {"SUPABASE_JWT_SECRET": SECRET, **extra}
    if str(database).startswith("postgresql://"):
        env["DATABASE_URL"] = str(database)
    else:
        env["SQLITE_PATH"] = str(database)
    return load_settings(env)


async def seeded_store(settings: Settings) -> SqlStore:
    store = SqlStore.from_settings(settings)
    await migrate(store.engine)
    for generated in demo_books():
        await store.insert_rows(generated.rows())
    return store
