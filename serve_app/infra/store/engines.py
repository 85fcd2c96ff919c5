"""The SQL store's engines and their connection hooks: PostgreSQL through asyncpg (pooled,
with the server's own statement timeout, and ready for a transaction pooler) and a SQLite file
through aiosqlite (WAL, foreign keys, transactions begun where SQLAlchemy begins them).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from serve_app.infra.settings import Settings


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


def postgres_engine(settings: Settings) -> AsyncEngine:
    """A bounded pool (no overflow) whose every wait, connect and statement ends within the
    database timeout, the server enforcing it too."""
    url, timeout = settings.sqlalchemy_url(), settings.DATABASE_TIMEOUT_SECONDS
    pooled = settings.behind_transaction_pooler()
    return create_async_engine(
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


def sqlite_engine(settings: Settings) -> AsyncEngine:
    """The file's engine, each connection set up by the hooks above."""
    url, timeout = settings.sqlalchemy_url(), settings.DATABASE_TIMEOUT_SECONDS
    engine = create_async_engine(url, connect_args={"timeout": timeout})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine
