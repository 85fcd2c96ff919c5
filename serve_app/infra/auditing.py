"""The audit trail of predictions: a JSON line in audit/ai_audit.log and a row in
ai_analysis_results.

No Ray import. Entry-time calls record in the background (`later`), batched by one writer;
`drain` waits for them (shutdown, tests).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from serve_app.contract.errors import AppError
from serve_app.infra.auth import Caller
from serve_app.infra.deadline import detached
from serve_app.infra.logs import audit
from serve_app.infra.store import AnalysisRecord, Store

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
    locked"). Rows that fail for a database outage stay queued and are tried again every
    `retry_s`; past `max_pending` the oldest are dropped, and said so. They live in memory: a
    replica that stops with rows still queued loses them after `drain`'s deadline; the audit log
    line is written for each at once either way."""

    BATCH = 500

    def __init__(
        self,
        store: Store,
        retry_s: float = 1.0,
        max_pending: int = 20_000,
        linger_s: float = 0.05,
    ) -> None:
        self._store, self._retry_s, self._max_pending = store, retry_s, max_pending
        self._linger_s = linger_s
        self._pending: list[AnalysisRecord] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, caller: Caller, entry: Audit) -> None:
        """One audit-log line and one row of ai_analysis_results, written before returning.
        The log line is written first, so a database outage cannot lose it; a row the database
        refuses for an outage joins the background queue rather than failing the request whose
        work is done (a saved draft must not answer 503, or the client's retry saves again)."""
        row = self._logged(caller, entry)
        try:
            await self._store.record_analyses([row])
        except AppError as exc:
            logger.warning("audit row queued: %s", exc.code)
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
            except AppError as exc:  # the database is down or slow: keep them, try again
                logger.warning(
                    "audit rows not written yet (%d queued): %s", len(self._pending), exc.code
                )
                await asyncio.sleep(self._retry_s)
                continue
            except Exception:  # a fault in the rows themselves: retrying cannot help
                logger.exception("audit rows not written: %d dropped", len(batch))
            del self._pending[: len(batch)]

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Waits for queued rows to be written (shutdown, tests), at most `timeout_s`."""
        writer = self._writer
        if writer is None or writer.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(writer), timeout_s)
        except TimeoutError:
            logger.error("audit rows not written at shutdown: %d lost", len(self._pending))
            writer.cancel()

    def _logged(self, caller: Caller, entry: Audit) -> AnalysisRecord:
        row = AnalysisRecord(
            id=str(uuid.uuid4()),
            business_id=entry.business_id,
            analysis_type=entry.action,
            caller_id=caller.user_id,
            model_version=entry.model_version,
            summary=entry.summary,
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
