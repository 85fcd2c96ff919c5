"""Work budgets: how long one model call may still run, whether anyone still waits for it, and
how much work it has done.

A model call runs in a thread, and a thread cannot be stopped from outside: Python has no safe
way to kill one. So the predictors stop themselves. Their loops call `checkpoint(units)` (per
line, row, token, candidate, image stage), which counts the work just done and raises
`WorkCancelled` once the caller has given up, or `OutOfTime` past the deadline. The host that
runs the call (deployments/hosting/host.py; the app tier's in-process fakes) installs a `Budget`
for the thread with `run_in_thread`, and cancels it when the request awaiting the call is
cancelled, so the thread ends at its next checkpoint instead of running on unseen.

With no budget installed (a predictor used from a notebook, training or an evaluation),
`checkpoint` does nothing but return: predictors never need one.

The count (`Budget.spent`) is the deterministic measure of a call's cost the property tests bound
(tests/app/test_bounded_cost.py): units are what the calling loop names (characters scanned,
triples of numbers tried, tokens tagged, pixels processed), so a loop that grows faster than its
input shows up in the count, not only in a clock.

Pure: no Ray, no project import.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class WorkStopped(Exception):
    """A call stopped at a checkpoint before its work was done."""


class WorkCancelled(WorkStopped):
    """Whoever waited for the call stopped waiting (the request was cancelled)."""


class OutOfTime(WorkStopped):
    """The call ran past its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the work ran past its {seconds:g} s")
        self.seconds = seconds


class Budget:
    """One call's deadline (time.monotonic), its cancel flag and the work it has counted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.spent = 0
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Thread-safe: the working thread stops at its next checkpoint."""
        self._cancelled.set()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if self._cancelled.is_set():
            raise WorkCancelled("the caller stopped waiting")
        if time.monotonic() > self.deadline:
            raise OutOfTime(self.seconds)


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


def current() -> Budget | None:
    return _current.get()


@contextlib.contextmanager
def installed(budget: Budget) -> Iterator[Budget]:
    """`budget` is the one checkpoint() counts against inside the block (this thread only)."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


@contextlib.contextmanager
def within(seconds: float) -> Iterator[Budget]:
    """At most `seconds` more for the block: the installed budget's deadline brought forward
    (and restored after), or a budget of its own when none is installed."""
    budget = _current.get()
    if budget is None:
        with installed(Budget(seconds)) as own:
            yield own
        return
    before, before_seconds = budget.deadline, budget.seconds
    ends = time.monotonic() + seconds
    if ends < before:
        budget.deadline, budget.seconds = ends, seconds
    try:
        yield budget
    finally:
        budget.deadline, budget.seconds = before, before_seconds


def checkpoint(units: int = 1) -> None:
    """Counts `units` of work just done; raises WorkCancelled or OutOfTime when the call is to
    stop. Without an installed budget it does nothing."""
    budget = _current.get()
    if budget is not None:
        budget.spent += units
        budget.check()


async def run_in_thread(budget: Budget, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread with `budget` installed there. When the task awaiting
    this is cancelled, the budget is cancelled too, so the thread stops at its next checkpoint
    (the awaiting task does not wait for that: it is cancelled at once)."""

    def call() -> T:
        with installed(budget):
            return work(*args)

    try:
        return await asyncio.to_thread(call)
    except asyncio.CancelledError:
        budget.cancel()
        raise
