"""A model hosted in-process, without Ray: its predictor's methods called as a replica calls
them (deployments/hosting/host.py), in a thread under a work budget (kernel/work.py) that is
cancelled when the awaiting request is, behind its seam's methods (kernel/models). What the
plain-uvicorn baseline of the benchmarks (bench/plain_app.py) and the tests run in place of a
DeploymentHandle; the methods come from the seam, so a new one needs nothing here."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar, cast

from kernel import work
from kernel.models import ModelInfo, Seam

M = TypeVar("M")
CALL_CAP_S = 30.0
"""As a replica's (host.CALL_CAP_S, which this module cannot import without Ray)."""


class LocalModel(Generic[M]):
    """`seam`'s methods over `predictor`. `counts` holds how often each method was called,
    `calls` the latest calls' arguments and `spent` the work each counted (the property tests'
    measure of cost): the latest only, as the baseline runs for minutes (bench/soak.py)."""

    def __init__(self, seam: Seam[M], predictor: Any, details: dict[str, Any] | None = None):
        self.seam, self.predictor, self.details = seam, predictor, details or {}
        self.loaded_at = dt.datetime.now(dt.UTC)
        self.counts: Counter[str] = Counter()
        self.calls: deque[tuple[str, tuple[Any, ...]]] = deque(maxlen=256)
        self.spent: deque[int] = deque(maxlen=64)

    def model(self) -> M:
        """This host, typed as the seam's Protocol (its methods are found by `__getattr__`)."""
        return cast(M, self)

    def __getattr__(self, method: str) -> Callable[..., Awaitable[Any]]:
        if method.startswith("_") or method not in self.seam.methods:
            raise AttributeError(method)
        return functools.partial(self.call, method)

    async def call(self, method: str, *args: Any) -> Any:
        """The predictor's `method(*args)`, as a replica runs it."""
        self.counts[method] += 1
        self.calls.append((method, args))
        budget = work.Budget(CALL_CAP_S)
        try:
            return await work.run_in_thread(budget, getattr(self.predictor, method), *args)
        finally:
            self.spent.append(budget.spent)

    def args_of(self, method: str) -> list[tuple[Any, ...]]:
        """The arguments of the latest calls of `method`, oldest first."""
        return [args for called, args in self.calls if called == method]

    async def info(self) -> ModelInfo:
        """As a replica reports it: the hash changes with the tuning; `details` are what a
        replica says of its artifact (artifacts.reported: held-out figures, accuracy, age)."""
        self.counts["info"] += 1
        tuning = getattr(self.predictor, "tuning", None)
        tuned = tuning.model_dump_json() if tuning is not None else ""
        return ModelInfo(
            name=self.seam.name,
            version=self.predictor.version,
            config_hash=hashlib.sha256(tuned.encode()).hexdigest()[:12],
            loaded_at=self.loaded_at,
            metrics=self.details,
        )
