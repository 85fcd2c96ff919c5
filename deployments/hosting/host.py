"""ModelHost: what every model deployment does besides predicting, written once.

A subclass declares its model's seam (kernel/models: name, tuning type, the methods the
ingress calls), artifact type and predictor type, serves each method of the seam, and is
decorated with a bare `@serve.deployment`: replicas, resources, queues, autoscaling and health
checks are written only in config/serve.yaml. `user_config` (a
ModelTuning) names the version; a new version is loaded in place by
`reconfigure`, after its sha256 check, without restarting the replica; a version that fails the
check is refused while the old one keeps serving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from ray import serve
from ray.serve import metrics
from ray.serve.exceptions import RayServeException

from deployments.hosting.artifacts import ArtifactError, load_artifact, reported
from kernel.latency import LATENCY_BUCKETS_MS
from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelsConfig, ModelTuning
from kernel.work import Budget, run_in_thread

logger = logging.getLogger("ai_backend")
T = TypeVar("T")
CALL_CAP_S = 30.0
"""The longest any model call may run in a replica, whatever its caller asks: the client gives
up at 30 s (the ingress gives a model call 10 s and a request 20 s, and cancels the call when it
stops waiting). Past it the call stops at its next checkpoint (kernel/work.py)."""
HUNG_AFTER_S = 60.0
"""A prediction running this long is stuck (twice CALL_CAP_S: it is past every checkpoint):
the replica fails its health check and Serve replaces it."""


class Predictor(Protocol):
    """A plain predictor: built from an artifact payload and a tuning, retuned in place."""

    tuning: Any

    @property
    def version(self) -> str: ...


P = TypeVar("P", bound=Predictor)


class ModelHost(Generic[P]):
    """A subclass declares what it hosts, and adds the methods it serves."""

    seam: ClassVar[Seam[Any]]
    artifact_type: ClassVar[type[Any]]
    """What a verified artifact must unpickle to."""
    predictor_type: ClassVar[type[Any]]
    """Called with (artifact payload, tuning) to make the predictor."""

    def __init__(self, config: ModelsConfig) -> None:
        self._config = config
        self._served = metrics.Counter(
            "ai_backend_predictions",
            description="Predictions served, per model and kind",
            tag_keys=("model", "kind"),
        )
        self._latency = metrics.Histogram(
            "ai_backend_model_latency_ms",
            description="Time in the model per call",
            boundaries=list(LATENCY_BUCKETS_MS),
            tag_keys=("model", "kind"),
        )
        self._loaded = metrics.Gauge(
            "ai_backend_model_loaded",
            description="1 for the model version this replica serves",
            tag_keys=("model", "version"),
        )
        self._predictor: P | None = None
        self._info: ModelInfo | None = None
        self._running: dict[int, float] = {}
        """Predictions now running in threads: call number -> when it started."""
        self._calls = itertools.count()
        try:
            self._replica_id = serve.get_replica_context().replica_id.unique_id
        except RayServeException:  # constructed outside a replica
            self._replica_id = "local"

    def build(self, payload: Any, tuning: ModelTuning) -> P:
        """The predictor for a verified artifact payload; ArtifactError if it is the wrong kind."""
        if not isinstance(payload, self.artifact_type):
            raise ArtifactError(f"{self.seam.name}: not a {self.artifact_type.__name__} bundle")
        predictor: P = self.predictor_type(payload, tuning)
        return predictor

    # -- user_config ---------------------------------------------------------------------------
    def reconfigure(self, user_config: dict[str, Any]) -> None:
        """Applies a new user_config in place. A model version that fails its integrity check
        is refused: a replica already serving keeps its model and reports the refusal in
        info() (so /health/detailed shows it degraded); a replica with no model fails."""
        tuning = self.seam.tuning.model_validate(user_config)
        try:
            predictor, details = self._predictor_for(tuning)
        except ArtifactError as exc:
            if self._predictor is None or self._info is None:
                raise
            logger.error(
                "%s %s refused, still serving %s: %s",
                self.seam.name,
                tuning.model_version,
                self._predictor.version,
                exc,
            )
            self._info = self._info.model_copy(
                update={"load_error": f"{tuning.model_version} refused: {exc}"}
            )
            return
        if self._info is not None and self._info.version != tuning.model_version:
            self._loaded.set(0, tags={"model": self.seam.name, "version": self._info.version})
        self._loaded.set(1, tags={"model": self.seam.name, "version": tuning.model_version})
        self._info = ModelInfo(
            name=self.seam.name,
            version=tuning.model_version,
            metrics=details,
            config_hash=hashlib.sha256(tuning.model_dump_json().encode()).hexdigest()[:12],
            loaded_at=dt.datetime.now(dt.UTC),
            replica_id=self._replica_id,
        )
        self._predictor = predictor

    def _predictor_for(self, tuning: ModelTuning) -> tuple[P, dict[str, Any]]:
        """The current predictor with new tuning, or a new one when the artifact changes."""
        current, info = self._predictor, self._info
        if (
            current is not None
            and info is not None
            and current.version == tuning.model_version
            and tuning.model_sha256 == info.metrics.get("sha256")
        ):
            current.tuning = tuning  # new thresholds, same model: applied in place
            return current, info.metrics
        payload, manifest = load_artifact(
            self._config.models_dir, self.seam.name, tuning.model_version, tuning.model_sha256
        )
        predictor = self.build(payload, tuning)
        if predictor.version != tuning.model_version:
            raise ArtifactError(f"{self.seam.name} {tuning.model_version}: artifact says otherwise")
        logger.info(
            "%s model %s loaded (sha256 %s)",
            self.seam.name,
            tuning.model_version,
            manifest.sha256[:12],
        )
        return predictor, reported(self.seam, manifest)

    # -- serving ----------------------------------------------------------------------------------
    def _ready(self) -> P:
        if self._predictor is None:
            raise RuntimeError(
                f"no {self.seam.name} model loaded: user_config.model_version is required"
            )
        return self._predictor

    def _observe(self, kind: str, count: int, started: float) -> None:
        tags = {"model": self.seam.name, "kind": kind}
        self._served.inc(count, tags=tags)
        self._latency.observe((time.perf_counter() - started) * 1000, tags=tags)

    @contextlib.contextmanager
    def _observed(self, kind: str) -> Iterator[None]:
        """Counts one prediction of `kind` and its time in the model."""
        started = time.perf_counter()
        yield
        self._observe(kind, 1, started)

    async def _threaded(self, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in a thread: off the event loop (so health checks still answer), under a
        work budget of CALL_CAP_S (kernel/work.py), and watched. Cancelled (the ingress stopped
        waiting: its deadline passed or the client left), the budget is cancelled and the thread
        stops at its next checkpoint. A call still running after HUNG_AFTER_S (stuck where no
        checkpoint is reached) fails the health check. Every method a shell serves runs here
        (tests/unit/test_hosting.py)."""
        call = next(self._calls)

        def watched() -> T:
            self._running[call] = time.monotonic()
            try:
                return work(*args)
            finally:
                self._running.pop(call, None)

        return await run_in_thread(Budget(CALL_CAP_S), watched)

    def info(self) -> ModelInfo:
        self._ready()
        assert self._info is not None
        return self._info

    def check_health(self) -> None:
        """Serve's periodic check: a model is loaded, and no prediction has run for longer than
        any should (HUNG_AFTER_S); failing it, Serve replaces the replica. A predictor blocking
        the event loop itself fails it by never answering (health_check_timeout_s)."""
        self._ready()
        assert self._info is not None
        # Ray exports a gauge only while it is recorded: set again each round, or
        # ai_backend_model_loaded (and the alert on it) goes quiet while the model serves on.
        self._loaded.set(1, tags={"model": self.seam.name, "version": self._info.version})
        oldest = min(self._running.values(), default=None)
        if oldest is not None and time.monotonic() - oldest > HUNG_AFTER_S:
            raise RuntimeError(
                f"{self.seam.name}: a prediction has run {time.monotonic() - oldest:.0f} s;"
                " the replica is hung"
            )
