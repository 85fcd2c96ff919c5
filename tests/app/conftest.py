"""App tier: the HTTP contract through TestClient, no Ray cluster."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kernel.models.assistant import ASSISTANT, AssistantModel
from kernel.models.compliance import COMPLIANCE, ComplianceModel
from kernel.models.fraud import FRAUD, FraudModel
from kernel.models.insights import INSIGHTS, InsightsModel
from kernel.models.invoice import INVOICE, InvoiceModel
from kernel.models.ocr import OCR, OcrModel
from serve_app.api import create_api
from serve_app.components import build_components
from serve_app.infra.telemetry import InProcessTelemetry, Telemetry
from testkit import factories
from testkit.factories import (
    assistant_predictor,
    compliance_checker,
    insights_predictor,
    invoice_drafter,
    ocr_predictor,
    predictor,
)
from testkit.fakes import local
from testkit.stores import seeded_store, settings_for

ClientFactory = Callable[..., TestClient]
UNLIMITED = {
    "RATE_LIMIT_PER_USER": "100000",
    "RATE_LIMIT_PER_ADDRESS": "100000",
    "RATE_LIMIT_OCR_PER_ADDRESS": "100000",
}
"""Rate limits lifted, for the runs that send many requests (the budgets are tested apart, in
test_fraud_api.py, test_invoice_api.py and test_ocr_api.py)."""


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "app.db"

    async def seed() -> None:
        store = await seeded_store(settings_for(path))
        await store.close()

    asyncio.run(seed())
    return path


@pytest.fixture
def make_client(database: Path) -> Iterator[ClientFactory]:
    opened: list[TestClient] = []

    def make(
        model: FraudModel | None = None,
        insights: InsightsModel | None = None,
        compliance: ComplianceModel | None = None,
        invoice: InvoiceModel | None = None,
        assistant: AssistantModel | None = None,
        ocr: OcrModel | None = None,
        peer: str = "testclient",
        telemetry: Telemetry | None = None,
        **env: str,
    ) -> TestClient:
        """`peer`: the address the app sees the connection come from."""
        settings = settings_for(database, **env)
        parts = build_components(
            settings,
            model or local(FRAUD, predictor()),
            insights or local(INSIGHTS, insights_predictor()),
            compliance or local(COMPLIANCE, compliance_checker()),
            invoice or local(INVOICE, invoice_drafter()),
            assistant or local(ASSISTANT, assistant_predictor()),
            ocr or local(OCR, ocr_predictor()),
            telemetry=telemetry or InProcessTelemetry(),
        )
        client = TestClient(create_api(lambda: parts, settings), client=(peer, 50000))
        client.__enter__()
        client.components = parts  # type: ignore[attr-defined]
        opened.append(client)
        return client

    yield make
    for client in opened:
        # Close on the loop that opened the pools, so no aiosqlite thread outlives it.
        client.portal.call(client.components.close)  # type: ignore[attr-defined,union-attr]
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    return make_client()


@pytest.fixture
def unlimited(make_client: ClientFactory) -> TestClient:
    return make_client(**UNLIMITED)


@pytest.fixture
def owner_headers() -> dict[str, str]:
    return factories.owner_headers()


@pytest.fixture
def business_id() -> str:
    return factories.business_id()
