"""Cache keys of model results: what was asked, which model and tuning answered, and a
fingerprint of the business's books, so new data or a new model never reads a stale answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Protocol

from kernel.model_io import ModelInfo
from serve_app.store import Store


class HasInfo(Protocol):
    async def info(self) -> ModelInfo: ...


async def result_key(
    kind: str,
    subject: str,
    model: HasInfo,
    store: Store,
    business_id: str,
    day: dt.date | None = None,
) -> str:
    """Asks the model and the store together and waits for both, even when one fails: a
    query left running would outlive its request (and, at shutdown, its event loop)."""
    info, books = await asyncio.gather(
        model.info(), store.fingerprint(business_id), return_exceptions=True
    )
    for outcome in (info, books):
        if isinstance(outcome, BaseException):
            raise outcome
    assert isinstance(info, ModelInfo) and isinstance(books, str)
    fingerprint = hashlib.sha256(books.encode()).hexdigest()[:24]
    key = f"{kind}:{subject}:{info.version}:{info.config_hash}:{fingerprint}"
    return f"{key}:{day.isoformat()}" if day else key
