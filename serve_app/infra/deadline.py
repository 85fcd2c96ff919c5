"""One time budget per request, shared by every call made while serving it.

The client gives up after 30 s and retries once; a request that would outlive its budget is
answered 503/504 before then, and the work it started is cancelled rather than left holding a
model slot or a database connection. The ingress's edge starts the budget (REQUEST_BUDGET_SECONDS);
each database or model call takes `remaining(its own cap)`.

No Ray import.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Coroutine, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from serve_app.contract.errors import DeadlineExceeded

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)
T = TypeVar("T")


@contextlib.contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Every call inside shares `seconds` from now (an inner budget never extends an outer)."""
    ends = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(ends if outer is None else min(outer, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining(cap: float) -> float:
    """The time one call may take: `cap`, or less when the request has less left;
    DeadlineExceeded (504) when it has nothing left."""
    ends = _deadline.get()
    if ends is None:
        return cap
    left = ends - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded()
    return min(cap, left)


def detached(work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """A background task outside any request's budget (a task otherwise inherits the budget of
    the request that started it, and would fail once that request is answered)."""
    context = contextvars.copy_context()
    context.run(_deadline.set, None)
    return asyncio.get_running_loop().create_task(work, context=context)
