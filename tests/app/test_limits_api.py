"""The limits every business route holds, shown on fraud analysis and scoring: a per-user
budget a minute, one time budget per request, and an in-flight limit per ingress replica."""

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from deployments.fraud.predictor import FraudPredictor
from deployments.hosting.local import LocalModel
from kernel.models.fraud import FRAUD, FraudModel, ScoreRequest, TxnScores
from serve_app.infra.auth import mint_token
from testkit.factories import OTHER_USER, SECRET, predictor
from tests.app.conftest import ClientFactory
from tests.support.contract import assert_error


def analyze(client: TestClient, business_id: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/fraud/analyze", json={"business_id": business_id}, headers=headers)


def test_each_user_has_a_budget_per_minute_and_is_told_when_to_come_back(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    client = make_client(RATE_LIMIT_PER_USER="3")
    answers = [analyze(client, business_id, owner_headers) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_error(answers[3], 429, "rate_limited")
    assert 1 <= int(answers[3].headers["Retry-After"]) <= 61
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    assert analyze(client, business_id, stranger).status_code == 404  # another user's budget


def test_a_slow_database_is_answered_within_the_request_budget(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    """Every query takes 3 s. The store alone would wait (DATABASE_TIMEOUT_SECONDS is 60) and
    answer 200 late; the request's budget of 1 s answers 503 in time instead."""
    import time as clock

    from sqlalchemy import event

    def slow(*_: object) -> None:
        clock.sleep(3.0)  # in the database driver's thread, as a slow server would be

    client = make_client(DATABASE_TIMEOUT_SECONDS="60", REQUEST_BUDGET_SECONDS="1")
    engine = client.components.store.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", slow)
    try:
        response = analyze(client, business_id, owner_headers)
    finally:
        event.remove(engine, "before_cursor_execute", slow)
    assert_error(response, 503, "database_unavailable")
    assert response.headers["Retry-After"] == "5"


class HeldFraudModel(LocalModel[FraudModel]):
    """Scores only once released: a request that stays in flight."""

    def __init__(self, predictor: FraudPredictor) -> None:
        super().__init__(FRAUD, predictor)
        self.entered, self.released = threading.Event(), threading.Event()

    async def score_many(self, requests: Sequence[ScoreRequest]) -> list[TxnScores]:
        self.entered.set()
        while not self.released.is_set():
            await asyncio.sleep(0.01)
        result: list[TxnScores] = await self.call("score_many", requests)
        return result


def test_past_its_in_flight_limit_a_replica_answers_503_overloaded_at_once_probes_excepted(
    make_client: ClientFactory, owner_headers: dict[str, str]
) -> None:
    """Overload is answered in the app's JSON shape with Retry-After (Ray's own queue, further
    out, would answer plain text), while the health probes and the scrape still pass."""
    model = HeldFraudModel(predictor())
    client = make_client(model=model, MAX_IN_FLIGHT="1")
    body = {"transactions": [{"type": "debit", "amount": 500, "date": "2026-06-02T11:00:00"}]}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, "/api/v1/fraud/score", json=body, headers=owner_headers)
        assert model.entered.wait(10)
        busy = client.post("/api/v1/fraud/score", json=body, headers=owner_headers)
        probes = [client.get(p).status_code for p in ("/health", "/health/ready", "/metrics")]
        model.released.set()
        assert first.result(10).status_code == 200
    assert_error(busy, 503, "overloaded")
    assert busy.headers["Retry-After"] == "5"
    assert probes == [200, 200, 200]
    assert client.post("/api/v1/fraud/score", json=body, headers=owner_headers).status_code == 200
