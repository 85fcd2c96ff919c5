"""The audit trail of predictions: a JSON line in audit/ai_audit.log and a row in
ai_analysis_results.

No Ray import. Entry-time calls record in the background (`later`), batched by one writer;
`drain` waits for them (shutdown, tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from serve_app.contract.errors import AppError
from serve_app.infra.auth import Caller
from serve_app.infra.deadline import detached
from serve_app.infra.logs import audit, request_id
from serve_app.infra.outbox import Outbox, SharedOutbox
from serve_app.infra.store_interface import AnalysisRecord, Store

logger = logging.getLogger("ai_backend")


@dataclass(frozen=True)
class Audit:
    """One prediction served: what was asked about which business, which model version answered,
    counts (never the financial rows), how long the model took, and when."""

    action: str
    business_id: str | None
    model_version: str
    summary: dict[str, Any]
    elapsed_ms: float
    at: dt.datetime
    subject: str | None = None
    """The id of what was judged, when the client holds it (an invoice checked or drafted)."""


class Auditor:
    """Entry-time predictions are audited in the background by one writer per replica: rows
    queue up (for `linger_s` at least) and go to the database many to a transaction, so a burst
    of requests is a few inserts, not one racing insert each (SQLite then answers "database is
    locked"). Rows the database refuses for an outage go to the `outbox` (a local file that
    outlives the replica) and are replayed from it every `retry_s` until the database takes
    them; each is stored once (the insert ignores a known id). Without an outbox, or while it
    cannot be written, they stay queued in memory; past `max_pending` the oldest are dropped,
    and said so. The audit log line is written for each at once either way.

    A replica that stops hands what it still holds to the `shared` outbox (`hand_off`, on a
    graceful stop and at exit after SIGTERM), so rows outlive the pod whose disk held them; the
    replayers take them back from there."""

    BATCH = 500

    def __init__(
        self,
        store: Store,
        outbox: Outbox | None = None,
        shared: SharedOutbox | None = None,
        retry_s: float = 1.0,
        max_pending: int = 20_000,
        linger_s: float = 0.05,
    ) -> None:
        self._store, self._outbox, self._shared = store, outbox, shared
        self._retry_s, self._max_pending, self._linger_s = retry_s, max_pending, linger_s
        self._pending: list[AnalysisRecord] = []
        self._writer: asyncio.Task[None] | None = None
        self._replayer: asyncio.Task[None] | None = None
        self._stopping = False
        """Set by `drain` and `hand_off`: the replica is stopping, no replay starts."""

    async def record(self, caller: Caller, entry: Audit) -> None:
        """One audit-log line and one row of ai_analysis_results, written before returning.
        The log line is written first, so a database outage cannot lose it; a row the database
        refuses for an outage joins the background queue rather than failing the request whose
        work is done (a saved draft must not answer 503, or the client's retry saves again)."""
        row = self._logged(caller, entry)
        try:
            await self._store.record_analyses([row])
        except AppError as exc:
            logger.warning("audit row kept for later: %s", exc.code)
            if not await self._spill([row]):
                self._queue(row)

    def later(self, caller: Caller, entry: Audit) -> None:
        """`record` without waiting for the database: the caller answers first."""
        self._queue(self._logged(caller, entry))

    def _queue(self, row: AnalysisRecord) -> None:
        self._pending.append(row)
        if len(self._pending) > self._max_pending:
            dropped = len(self._pending) - self._max_pending
            del self._pending[:dropped]
            logger.error("audit rows dropped: %d queued rows over the limit", dropped)
        if self._writer is None or self._writer.done():
            self._writer = detached(self._write())

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def _write(self) -> None:
        # A moment's wait lets the rows of a steady trickle of requests share a transaction.
        await asyncio.sleep(self._linger_s)
        while self._pending:
            batch = self._pending[: self.BATCH]
            try:
                await self._store.record_analyses(batch)
            except AppError as exc:  # the database is down or slow: keep them for later
                logger.warning(
                    "audit rows not written yet (%d queued): %s", len(self._pending), exc.code
                )
                if not await self._spill(batch):
                    await asyncio.sleep(self._retry_s)
                    continue
            except Exception:  # a fault in the rows themselves: retrying cannot help
                logger.exception("audit rows not written: %d dropped", len(batch))
            del self._pending[: len(batch)]

    async def _spill(self, rows: list[AnalysisRecord]) -> bool:
        """Moves rows the database refused to the shared outbox (Redis), or while it does not
        answer to the node's outbox, and starts replaying; False when neither can take them
        (the rows then stay in memory)."""
        if self._shared is not None:
            try:
                await self._shared.put(rows)
            except RedisError as exc:
                logger.warning("shared audit outbox unavailable, rows kept on the node: %r", exc)
            else:
                self._start_replay_unless_stopping()
                return True
        if self._outbox is None:
            return False
        try:
            await self._outbox.put(rows)
        except (OSError, sqlite3.Error) as exc:
            logger.error("audit outbox unwritable, rows kept in memory: %r", exc)
            return False
        self._start_replay_unless_stopping()
        return True

    def _start_replay_unless_stopping(self) -> None:
        if not self._stopping:
            self._start_replay()

    def _start_replay(self) -> None:
        if self._replayer is None or self._replayer.done():
            self._replayer = detached(self._replay())

    async def resume(self) -> None:
        """Replays rows an earlier process left in the node's outbox, or any replica left in the
        shared one (the health refresher calls this every round, so a restarted replica
        replays without waiting for a request)."""
        for source in self._sources():
            if await source.size():
                self._start_replay()
                return

    async def waiting(self) -> dict[str, int]:
        """Rows the database has not taken yet, by where they wait: `shared` (Redis), `node`
        (this node's file), `memory` (this replica's queue). Redis unanswering reads as 0."""
        shared = await self._shared.size() if self._shared is not None else 0
        node = await self._outbox.size() if self._outbox is not None else 0
        return {"shared": shared, "node": node, "memory": len(self._pending)}

    def _sources(self) -> list[Outbox | SharedOutbox]:
        return [s for s in (self._shared, self._outbox) if s is not None]

    async def _replay(self) -> None:
        """Each outbox in turn, a batch at a time, until both are empty; a batch leaves its
        outbox only once the database has it."""
        while True:
            replayed = False
            for source in self._sources():
                rows = await source.take(self.BATCH)
                if not rows:
                    continue
                try:
                    await self._store.record_analyses(rows)
                except AppError as exc:
                    logger.warning("audit outbox not replayed yet: %s", exc.code)
                    await asyncio.sleep(self._retry_s)
                    replayed = True
                    break
                await source.done([row.id for row in rows])
                logger.info("audit outbox: %d rows replayed", len(rows))
                replayed = True
            if not replayed:
                return

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Waits for queued rows to be written or kept in the outbox (shutdown, tests), at most
        `timeout_s`; stops replaying (what is left in the outbox waits for the next process, or
        `hand_off` moves it)."""
        self._stopping = True
        writer = self._writer
        if writer is not None and not writer.done():
            try:
                await asyncio.wait_for(asyncio.shield(writer), timeout_s)
            except TimeoutError:
                writer.cancel()
        replayer = self._replayer
        if replayer is not None and not replayer.done():
            replayer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await replayer
        if self._pending and not await self._spill(list(self._pending)):
            logger.error("audit rows not written at shutdown: %d lost", len(self._pending))
        self._pending.clear()

    def hand_off(self) -> int:
        """What this replica still holds (queued in memory; with a shared outbox, its node's
        outbox too) moved to the shared outbox, so it outlives the pod; without one, or while
        Redis does not answer, queued rows go to the node's outbox, which outlives the replica.
        Returns the rows moved to the shared outbox. Synchronous: it also runs at exit after
        SIGTERM, when no event loop is left; it logs only at its end, since a log call then may
        end the process (Ray's log context is gone)."""
        self._stopping = True
        queued = list(self._pending)  # a copy: the loop's thread may still be writing them
        self._pending.clear()  # their write may still land: the database ignores a known id
        held = queued
        try:
            if self._outbox is not None and self._shared is not None:
                held = [*queued, *self._outbox.everything()]
            if self._shared is None:
                raise RedisError("no shared outbox")
            self._shared.push_now(held)
        except (RedisError, OSError, sqlite3.Error) as exc:
            if queued and self._outbox is not None:
                try:
                    self._outbox.put_now(queued)
                except (OSError, sqlite3.Error):
                    logger.error("audit rows not kept at shutdown: %d lost", len(queued))
                    return 0
            if self._shared is not None and held:
                logger.error("audit rows not handed off, left in the node's outbox: %r", exc)
            return 0
        if self._outbox is not None:
            self._outbox.done_now([row.id for row in held])
        if held:
            logger.warning("audit rows handed off to the shared outbox: %d", len(held))
        return len(held)

    def _logged(self, caller: Caller, entry: Audit) -> AnalysisRecord:
        rid = request_id.get()  # the request's own id: its log lines and model calls carry it
        row = AnalysisRecord(
            id=str(uuid.uuid4()),
            business_id=entry.business_id,
            analysis_type=entry.action,
            caller_id=caller.user_id,
            model_version=entry.model_version,
            summary={**entry.summary, "request_id": rid} if rid else entry.summary,
            duration_ms=entry.elapsed_ms,
            created_at=entry.at,
            subject_id=entry.subject,
        )
        audit(
            entry.action,
            record_id=row.id,
            caller=caller.user_id,
            role=caller.role,
            business_id=entry.business_id,
            model_version=entry.model_version,
            duration_ms=entry.elapsed_ms,
            subject_id=entry.subject,
            **entry.summary,
        )
        return row
