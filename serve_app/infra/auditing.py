"""The audit trail of predictions: a JSON line in audit.log and a row in ai_analysis_results.

No Ray import. Entry-time calls record in the background (`later`); `drain` waits for them
(shutdown, tests).
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


class Auditor:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._background: set[asyncio.Task[None]] = set()

    async def record(self, caller: Caller, entry: Audit) -> None:
        """One audit-log line and one row of ai_analysis_results per prediction served. The
        log line is written first, so a database outage cannot lose it."""
        row = AnalysisRecord(
            id=str(uuid.uuid4()),
            business_id=entry.business_id,
            analysis_type=entry.action,
            caller_id=caller.user_id,
            model_version=entry.model_version,
            summary=entry.summary,
            duration_ms=entry.elapsed_ms,
            created_at=entry.at,
        )
        audit(
            entry.action,
            record_id=row.id,
            caller=caller.user_id,
            role=caller.role,
            business_id=entry.business_id,
            model_version=entry.model_version,
            duration_ms=entry.elapsed_ms,
            **entry.summary,
        )
        await self._store.record_analysis(row)

    def later(self, caller: Caller, entry: Audit) -> None:
        """`record` without waiting for the database: the caller answers first."""
        task = asyncio.create_task(self.record(caller, entry))
        self._background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        error = None if task.cancelled() else task.exception()
        if isinstance(error, AppError):
            logger.warning("audit record not written: %s", error.code)
        elif error is not None:
            logger.error("audit record not written", exc_info=error)

    async def drain(self) -> None:
        await asyncio.gather(*self._background, return_exceptions=True)
