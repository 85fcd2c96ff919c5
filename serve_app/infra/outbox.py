"""Audit rows the database could not take, kept on local disk until it can.

A SQLite file in OUTBOX_DIR (one per node: every replica on it shares the file, SQLite locks
it). Rows go in when a write to the database fails for an outage and come out once a replay
has written them; a replica that restarts, or another one on the node, finds them and replays
them. The database stores each row once whatever happens (ON CONFLICT (id) DO NOTHING), so a
replay that is cut short and runs again adds nothing.

No Ray import. The file holds what the audit rows hold: ids, counts, model versions, timings,
never the financial rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from serve_app.infra.store import AnalysisRecord

FILE = "audit_outbox.db"


def _encoded(row: AnalysisRecord) -> str:
    fields = dict(row.__dict__)
    fields["created_at"] = row.created_at.isoformat()
    return json.dumps(fields)


def _decoded(body: str) -> AnalysisRecord:
    fields: dict[str, Any] = json.loads(body)
    fields["created_at"] = dt.datetime.fromisoformat(fields["created_at"])
    return AnalysisRecord(**fields)


class Outbox:
    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / FILE

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS audit_rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)"
            )
            yield conn
        finally:
            conn.close()

    def _put(self, rows: Sequence[AnalysisRecord]) -> None:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT OR IGNORE INTO audit_rows (id, body) VALUES (?, ?)",
                [(row.id, _encoded(row)) for row in rows],
            )
            conn.execute("COMMIT")

    def _take(self, limit: int) -> list[AnalysisRecord]:
        with self._connection() as conn:
            found = conn.execute(
                "SELECT body FROM audit_rows ORDER BY rowid LIMIT ?", (limit,)
            ).fetchall()
        return [_decoded(body) for (body,) in found]

    def _done(self, ids: Sequence[str]) -> None:
        with self._connection() as conn:
            conn.executemany("DELETE FROM audit_rows WHERE id = ?", [(i,) for i in ids])

    def _size(self) -> int:
        if not self.path.exists():
            return 0
        with self._connection() as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM audit_rows").fetchone()
        return int(count)

    async def put(self, rows: Sequence[AnalysisRecord]) -> None:
        await asyncio.to_thread(self._put, rows)

    async def take(self, limit: int) -> list[AnalysisRecord]:
        """The oldest `limit` rows, left in place until `done`."""
        return await asyncio.to_thread(self._take, limit)

    async def done(self, ids: Sequence[str]) -> None:
        await asyncio.to_thread(self._done, ids)

    async def size(self) -> int:
        return await asyncio.to_thread(self._size)
