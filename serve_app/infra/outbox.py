"""Audit rows the database could not take, kept until it can.

Two places, each for what the other cannot survive:
- `Outbox`, a SQLite file in OUTBOX_DIR (one per node: every replica on it shares the file,
  SQLite locks it). Rows go in when a write to the database fails for an outage and come out
  once a replay has written them; a replica that restarts, or another one on the node, finds
  them and replays them. It lives as long as the node's disk: on Kubernetes, the pod.
- `SharedOutbox`, a list in Redis (REDIS_URL; the Redis of the shipped topologies keeps its data
  on a volume, append-only). With Redis configured, rows the database refuses go here first, so
  they do not depend on any pod's disk; any replica replays them. The node's file takes them
  only while Redis does not answer, and a replica that stops hands what its node's file and its
  memory still hold to the list (on a graceful stop and at exit after SIGTERM:
  auditing.Auditor.hand_off). Every key of the cache expires; this list does not, so an
  eviction policy that evicts only keys with an expiry (volatile-*) never drops it.

The database stores each row once whatever happens (ON CONFLICT (id) DO NOTHING), so a replay
that is cut short and runs again, or a row replayed from both places, adds nothing.

No Ray import. Both hold what the audit rows hold: ids, counts, model versions, timings, never
the financial rows.
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

import redis
from redis.exceptions import RedisError

from serve_app.infra.store_interface import AnalysisRecord

FILE = "audit_outbox.db"
SHARED_KEY = "fineasy:audit_outbox"
SHARED_TIMEOUT_S = 2.0
"""A hand-off happens while a replica stops (its grace period is 30 s and more), so it may wait
longer on Redis than a request's ~100 ms."""


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

    def everything(self) -> list[AnalysisRecord]:
        """Every row, oldest first (a hand-off reads them all; synchronous, for shutdown)."""
        if not self.path.exists():
            return []
        with self._connection() as conn:
            found = conn.execute("SELECT body FROM audit_rows ORDER BY rowid").fetchall()
        return [_decoded(body) for (body,) in found]

    def put_now(self, rows: Sequence[AnalysisRecord]) -> None:
        """`put`, synchronously (shutdown, when no event loop may be left to run it)."""
        self._put(rows)

    def done_now(self, ids: Sequence[str]) -> None:
        self._done(ids)


class SharedOutbox:
    """Rows the database refused, in a Redis list of JSON rows (SHARED_KEY): pushed by the
    replica that could not write them, replayed by any. A row leaves the list only once it is
    written (`done` removes exactly the rows `take` read), so a replica that dies mid-replay
    loses nothing and two replaying at once remove nothing the other has not written."""

    def __init__(self, url: str, key: str = SHARED_KEY) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=SHARED_TIMEOUT_S, socket_connect_timeout=SHARED_TIMEOUT_S
        )
        self._key = key
        self._read: dict[str, bytes] = {}
        """What `take` read, by row id: `done` removes exactly these values."""

    def push_now(self, rows: Sequence[AnalysisRecord]) -> None:
        """Appends `rows`; RedisError when Redis cannot take them. Synchronous (shutdown)."""
        if rows:
            self._client.rpush(self._key, *(_encoded(row) for row in rows))

    def _take(self, limit: int) -> list[AnalysisRecord]:
        raw: list[bytes] = self._client.lrange(self._key, 0, limit - 1)  # type: ignore[assignment]
        rows = [_decoded(body.decode()) for body in raw]
        self._read = {row.id: body for row, body in zip(rows, raw, strict=True)}
        return rows

    def _done(self, ids: Sequence[str]) -> None:
        pipe = self._client.pipeline(transaction=False)
        for row_id in ids:
            body = self._read.pop(row_id, None)
            if body is not None:
                pipe.lrem(self._key, 1, body)  # type: ignore[arg-type]
        pipe.execute()

    def size_now(self) -> int:
        return int(self._client.llen(self._key))

    async def put(self, rows: Sequence[AnalysisRecord]) -> None:
        await asyncio.to_thread(self.push_now, rows)

    async def take(self, limit: int) -> list[AnalysisRecord]:
        """The oldest `limit` rows, left in the list until `done`; none while Redis does not
        answer (they wait there for a later round)."""
        try:
            return await asyncio.to_thread(self._take, limit)
        except RedisError:
            return []

    async def done(self, ids: Sequence[str]) -> None:
        await asyncio.to_thread(self._done, ids)

    async def size(self) -> int:
        """0 when Redis does not answer: what it holds waits for a later round."""
        try:
            return await asyncio.to_thread(self.size_now)
        except RedisError:
            return 0
