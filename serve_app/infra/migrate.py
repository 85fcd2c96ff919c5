"""Applies serve_app/infra/migrations/*.sql in order, once each, recorded in schema_migrations.

The SQL is a portable subset that runs on PostgreSQL (and Supabase's Postgres) and SQLite, one
statement per `;`. A file named `*.postgres.sql` is PostgreSQL's alone (functions in PL/pgSQL):
skipped on SQLite, and sent whole, as the Supabase SQL editor would run it.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

TRACKING = text(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
    "applied_at timestamptz NOT NULL)"
)


POSTGRES_ONLY = ".postgres"


def migration_files(dialect: str = "postgresql") -> list[tuple[str, str]]:
    """(version, SQL) in order, those for `dialect` (SQLAlchemy's name: postgresql, sqlite)."""
    folder = resources.files("serve_app.infra") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    versions = [name.removesuffix(".sql") for name in names]
    return [
        (version, (folder / name).read_text())
        for version, name in zip(versions, names, strict=True)
        if dialect == "postgresql" or not version.endswith(POSTGRES_ONLY)
    ]


def statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


async def migrate(engine: AsyncEngine) -> list[str]:
    """Returns the versions applied by this call (empty when already up to date)."""
    applied: list[str] = []
    async with engine.begin() as conn:
        await conn.execute(TRACKING)
        done = {r[0] for r in await conn.execute(text("SELECT version FROM schema_migrations"))}
    for version, sql in migration_files(engine.dialect.name):
        if version in done:
            continue
        async with engine.begin() as conn:
            if version.endswith(POSTGRES_ONLY):  # asyncpg's simple protocol: many statements
                raw = await conn.get_raw_connection()
                await raw.driver_connection.execute(sql)  # type: ignore[union-attr]
            else:
                for statement in statements(sql):
                    await conn.execute(text(statement))
            await conn.execute(
                text("INSERT INTO schema_migrations (version, applied_at) VALUES (:v, :t)"),
                {"v": version, "t": dt.datetime.now(dt.UTC)},
            )
        applied.append(version)
    return applied
