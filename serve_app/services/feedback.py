"""Feedback on predictions and each model's accuracy from it (contract 3.5 and 3.6).

A vote is about a prediction the client holds an id of: a fraud alert, an insight, or an invoice
a compliance check or an invoice draft judged. It counts only for a prediction of the caller's own
business (another's answers 404, like a missing one), once per user per prediction (the first vote
stands; a replay changes nothing).

A model's accuracy blends what it scored on held-out data when trained (its manifest, through
ModelInfo.metrics["accuracy"]) with the votes, as a Beta prior worth PRIOR_VOTES votes:

    accuracy = (PRIOR_VOTES * held_out + helpful) / (PRIOR_VOTES + votes)

so a few votes move it a little, hundreds decide it. With no held-out figure (the model has not
answered since this replica started) the votes alone decide, and with neither the model shows 0.

Who sees which figures: a signed-in user, those of their own businesses (predictions served on
them, votes on them) blended with each model's held-out accuracy, which is the model's, not
anyone's data; the operator (OPS_TOKEN) and the /metrics gauge, the whole platform's. A user
learns nothing of other businesses' use or votes.

No Ray import. Counts come from the database, so every ingress replica reports the same; the
platform's are cached for CACHE_S (a replica forgets its copy when it records a vote), a user's
are counted on each call (their own rows, by the business index).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from serve_app.contract.errors import NotFound
from serve_app.contract.schemas.feedback import (
    FeedbackIn,
    FeedbackResponse,
    ModelPerformance,
    ModelsPerformanceResponse,
)
from serve_app.infra.auth import Caller
from serve_app.infra.store.tenancy import business_for
from serve_app.infra.store_interface import FeedbackRecord, PredictionCount, Store
from serve_app.services.results import ModelVersions, utcnow

logger = logging.getLogger("ai_backend")
PRIOR_VOTES = 20
CACHE_S = 15.0
ACCURACY_METHOD = (
    f"(held-out accuracy x {PRIOR_VOTES} + helpful votes) / ({PRIOR_VOTES} + votes); "
    "held-out accuracy from the model's training manifest"
)


@dataclass(frozen=True)
class ModelFacts:
    model_type: str
    """The feature it serves, as the client's settings name it."""
    actions: tuple[str, ...]
    """Its audit actions: what counts as a prediction it served."""
    sources: tuple[str, ...]
    """Where a prediction of it that a user can vote on is found (Store.prediction_owners)."""
    words: tuple[str, ...]
    """feedback_type words that mean it, when an id is found in more than one place."""


MODELS = {
    "fraud": ModelFacts(
        "fraud_detection", ("fraud_analysis", "fraud_score"), ("fraud_alert",), ("fraud",)
    ),
    "insights": ModelFacts(
        "predictive_analytics",
        ("business_insights", "series_forecast"),
        ("insight",),
        ("insight", "forecast"),
    ),
    "compliance": ModelFacts(
        "compliance_checking",
        ("compliance_check", "compliance_validate"),
        ("compliance_check",),
        ("compliance", "gst"),
    ),
    "invoice": ModelFacts(
        "nlp_invoice", ("invoice_generation",), ("invoice_generation",), ("invoice", "nlp")
    ),
}
MODEL_OF_SOURCE = {source: name for name, facts in MODELS.items() for source in facts.sources}


def blended(held_out: float | None, votes: int, helpful: int) -> float:
    if held_out is not None:
        return (PRIOR_VOTES * held_out + helpful) / (PRIOR_VOTES + votes)
    return helpful / votes if votes else 0.0


def _chosen(found: Sequence[tuple[str, str]], feedback_type: str) -> tuple[str, str] | None:
    """(business id, model) of the prediction the vote is about: the one feedback_type names
    when the id is found in more than one place (an invoice both drafted and checked)."""
    candidates = [(business, MODEL_OF_SOURCE[source]) for business, source in found]
    kind = feedback_type.lower()
    named = [c for c in candidates if any(w in kind for w in MODELS[c[1]].words)]
    chosen = named or candidates
    return chosen[0] if chosen else None


@dataclass(frozen=True)
class Tally:
    at: float
    votes: dict[str, tuple[int, int]]
    served: dict[str, PredictionCount]


class FeedbackService:
    def __init__(
        self,
        store: Store,
        versions: ModelVersions,
        clock: Callable[[], dt.datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._versions, self._clock, self._monotonic = (
            store,
            versions,
            clock,
            monotonic,
        )
        self._tally: Tally | None = None
        self._lock = asyncio.Lock()

    async def submit(self, caller: Caller, body: FeedbackIn) -> FeedbackResponse:
        chosen = _chosen(await self._store.prediction_owners(body.entity_id), body.feedback_type)
        if chosen is None:
            raise NotFound("Prediction not found", {"entity_id": body.entity_id})
        business_id, model = chosen
        await business_for(self._store, caller, business_id)  # another's: 404, and logged
        submitted = body.submitted_at
        record = FeedbackRecord(
            id=str(uuid.uuid4()),
            caller_id=caller.user_id,
            business_id=business_id,
            model=model,
            feedback_type=body.feedback_type,
            entity_id=body.entity_id,
            helpful=body.helpful,
            comment=body.comment,
            # Dart sends the phone's naive local time; its zone is unknown, so it is kept as is.
            submitted_at=submitted if submitted.tzinfo else submitted.replace(tzinfo=dt.UTC),
        )
        recorded = await self._store.save_feedback(record)
        if recorded:
            self._tally = None
        return FeedbackResponse(
            recorded=recorded,
            model=model,
            message="Thank you for the feedback"
            if recorded
            else "Your earlier vote on this prediction stands",
        )

    async def _counts(self) -> Tally:
        async with self._lock:
            if self._tally is None or self._monotonic() - self._tally.at > CACHE_S:
                self._tally = await self._counted(None)
            return self._tally

    async def _counted(self, businesses: list[str] | None) -> Tally:
        """The tallies of `businesses` (None: the platform's)."""
        votes, served = await asyncio.gather(
            self._store.feedback_votes(list(MODELS), businesses),
            self._store.prediction_counts({m: f.actions for m, f in MODELS.items()}, businesses),
        )
        return Tally(self._monotonic(), votes, served)

    async def _held_out(self, name: str) -> tuple[float | None, dt.datetime | None]:
        """The model's held-out accuracy and when it was trained, as last seen (None, None
        when it has not answered yet)."""
        try:
            info = await self._versions.current(name)
        except Exception as exc:  # a model that is down still has its votes shown
            logger.warning("%s held-out accuracy unknown: %s", name, type(exc).__name__)
            return None, None
        accuracy = info.metrics.get("accuracy")
        created = info.metrics.get("created_at")
        trained = dt.datetime.fromisoformat(created) if isinstance(created, str) else None
        return (float(accuracy) if accuracy is not None else None), trained or info.loaded_at

    async def performance_of(self, caller: Caller) -> ModelsPerformanceResponse:
        """What a signed-in user sees: the figures of their own businesses only."""
        owned = await self._store.businesses_of([caller.user_id])
        return await self._performance(await self._counted([b.id for b in owned]))

    async def performance(self) -> ModelsPerformanceResponse:
        """The whole platform's figures: the operator's view and the accuracy gauge."""
        return await self._performance(await self._counts())

    async def _performance(self, tally: Tally) -> ModelsPerformanceResponse:
        held = await asyncio.gather(*(self._held_out(name) for name in MODELS))
        models = []
        for (name, facts), (held_out, trained) in zip(MODELS.items(), held, strict=True):
            votes, helpful = tally.votes.get(name, (0, 0))
            served = tally.served.get(name, PredictionCount(0, None))
            models.append(
                ModelPerformance(
                    model_name=name,
                    model_type=facts.model_type,
                    accuracy_score=round(blended(held_out, votes, helpful), 4),
                    last_updated=trained or self._clock(),
                    total_predictions=served.served,
                    correct_predictions=helpful,
                    response_time_ms=round(served.mean_ms or 0.0, 1),
                    held_out_accuracy=held_out,
                    feedback_votes=votes,
                )
            )
        return ModelsPerformanceResponse(models=models, accuracy_method=ACCURACY_METHOD)

    async def accuracies(self) -> dict[str, float]:
        """ai_backend_model_accuracy{model}: the same figures, for /metrics; a model with
        neither a held-out figure nor a vote is left out (a 0 would raise a false alert)."""
        return {
            m.model_name: m.accuracy_score
            for m in (await self.performance()).models
            if m.held_out_accuracy is not None or m.feedback_votes
        }
