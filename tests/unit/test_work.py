"""Work budgets (kernel/work.py): a checkpoint counts work and stops a call that is cancelled or
past its deadline; without a budget it does nothing; a thread run under one stops when the task
awaiting it is cancelled."""

from __future__ import annotations

import asyncio
import threading

import pytest

from kernel import work


def test_without_a_budget_a_checkpoint_does_nothing() -> None:
    work.checkpoint(10**9)
    assert work.current() is None


def test_a_budget_counts_the_work_its_checkpoints_report() -> None:
    with work.installed(work.Budget(60.0)) as budget:
        work.checkpoint()
        work.checkpoint(41)
    assert budget.spent == 42
    assert work.current() is None


def test_a_cancelled_budget_stops_the_call_at_its_next_checkpoint() -> None:
    budget = work.Budget(60.0)
    with work.installed(budget):
        work.checkpoint()
        budget.cancel()
        with pytest.raises(work.WorkCancelled):
            work.checkpoint()


def test_a_budget_past_its_deadline_stops_the_call() -> None:
    with work.installed(work.Budget(0.0)), pytest.raises(work.OutOfTime, match="0 s"):
        work.checkpoint()


def test_within_brings_the_deadline_forward_and_back_never_later() -> None:
    with work.installed(work.Budget(60.0)) as budget:
        with work.within(0.0), pytest.raises(work.OutOfTime):
            work.checkpoint()
        work.checkpoint()  # the outer deadline again
        ends = budget.deadline
        with work.within(3600.0):
            assert budget.deadline == ends
    with work.within(0.0) as own, pytest.raises(work.OutOfTime):  # no budget: one of its own
        work.checkpoint()
    assert own.spent == 1 and work.current() is None


async def test_a_thread_stops_at_its_next_checkpoint_when_its_caller_is_cancelled() -> None:
    started, ended = threading.Event(), threading.Event()
    stopped: list[BaseException] = []

    def loops() -> None:
        started.set()
        try:
            while True:
                work.checkpoint()
        except work.WorkStopped as exc:
            stopped.append(exc)
            raise
        finally:
            ended.set()

    budget = work.Budget(60.0)
    call = asyncio.ensure_future(work.run_in_thread(budget, loops))
    assert await asyncio.to_thread(started.wait, 10)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await asyncio.to_thread(ended.wait, 10)
    assert budget.cancelled and [type(e) for e in stopped] == [work.WorkCancelled]


async def test_a_thread_run_under_a_budget_sees_it_and_its_caller_does_not() -> None:
    budget = work.Budget(60.0)
    assert await work.run_in_thread(budget, work.current) is budget
    assert work.current() is None
