"""Assembles a replica's components from Settings. No Ray import: the ingress passes in
model clients wrapping its handles; tests pass fakes."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from kernel.models.assistant import AssistantModel
from kernel.models.compliance import ComplianceModel
from kernel.models.fraud import FraudModel
from kernel.models.insights import InsightsModel
from kernel.models.invoice import InvoiceModel
from kernel.models.ocr import OcrModel
from serve_app.health import HealthService
from serve_app.infra.auditing import Auditor
from serve_app.infra.auth import SupabaseAuth, issuer_for
from serve_app.infra.cache import Cache, MemoryCache, RedisCache
from serve_app.infra.jwks import ProjectKeys
from serve_app.infra.outbox import Outbox, SharedOutbox
from serve_app.infra.rate_limit import RateLimiter
from serve_app.infra.settings import Settings
from serve_app.infra.store.sql import SqlStore
from serve_app.infra.store.supabase_rest import SupabaseStore
from serve_app.infra.store_interface import Store
from serve_app.infra.telemetry import Telemetry
from serve_app.metrics import MetricsPage
from serve_app.services.assistant import AssistantService
from serve_app.services.compliance import ComplianceService
from serve_app.services.feedback import FeedbackService
from serve_app.services.fraud import FraudService
from serve_app.services.insights import InsightsService
from serve_app.services.invoices import InvoiceService
from serve_app.services.ocr import OcrService
from serve_app.services.results import ModelVersions, Results

logger = logging.getLogger("ai_backend")


@dataclass(frozen=True)
class Components:
    """Per-replica state: built once in the ingress's __init__ (or by a test)."""

    settings: Settings
    auth: SupabaseAuth
    store: Store
    cache: Cache
    auditor: Auditor
    fraud: FraudService
    insights: InsightsService
    compliance: ComplianceService
    invoices: InvoiceService
    assistant: AssistantService
    ocr: OcrService
    feedback: FeedbackService
    user_limit: RateLimiter
    """Per user, on every authenticated route."""
    health: HealthService
    versions: ModelVersions
    metrics: MetricsPage
    telemetry: Telemetry

    def record(self, status: int, elapsed_ms: float) -> None:
        """One served request, its status and latency (ms): the health summary's counts and
        the telemetry's."""
        self.health.count(status, elapsed_ms)
        self.telemetry.record_request(status, elapsed_ms)

    async def close(self) -> None:
        """Background work first (health refresh, audit writes), then the pools they use.
        Must run on the loop that opened the pools."""
        await self.health.close()
        await self.versions.close()
        await self.auditor.drain()
        await asyncio.to_thread(self.auditor.hand_off)  # what the database did not take yet
        await self.store.close()
        await self.cache.close()


def build_store(settings: Settings) -> Store:
    if settings.store_kind == "supabase":
        return SupabaseStore.from_settings(settings)
    return SqlStore.from_settings(settings)


def build_auth(settings: Settings) -> SupabaseAuth:
    """The legacy secret and the project's JWKS, whichever are configured (both during a move
    to signing keys)."""
    secret = settings.SUPABASE_JWT_SECRET
    keys = ProjectKeys(settings.jwks_url) if settings.jwks_url else None
    if secret is None:
        logger.warning("SUPABASE_JWT_SECRET is not set: HS256 (legacy) tokens are refused")
    return SupabaseAuth(
        secret.get_secret_value() if secret is not None else None,
        issuer_for(settings.SUPABASE_URL),
        keys,
    )


def build_cache(settings: Settings) -> Cache:
    if settings.REDIS_URL:
        return RedisCache(settings.REDIS_URL)
    return MemoryCache(settings.MODEL_CACHE_SIZE)


def build_components(
    settings: Settings,
    fraud: FraudModel,
    insights: InsightsModel,
    compliance: ComplianceModel,
    invoice: InvoiceModel,
    assistant: AssistantModel,
    ocr: OcrModel,
    telemetry: Telemetry,
    store: Store | None = None,
    cache: Cache | None = None,
) -> Components:
    """`telemetry` is told of every request, cache lookup and business event, and feeds Ray's
    node metrics into /metrics."""
    store = store or build_store(settings)
    cache = cache or build_cache(settings)
    versions = ModelVersions(
        {
            "fraud": fraud,
            "insights": insights,
            "compliance": compliance,
            "invoice": invoice,
            "assistant": assistant,
            "ocr": ocr,
        }
    )
    handed = SharedOutbox(settings.REDIS_URL) if settings.REDIS_URL else None
    auditor = Auditor(store, Outbox(settings.outbox_dir), handed)
    auth = build_auth(settings)
    health = HealthService(
        settings,
        store,
        cache,
        versions,
        upkeep=[auditor.resume],
        waiting=auditor.waiting,
        keys=auth.keys,
    )
    results = Results(store, cache, versions, auditor, telemetry)
    feedback = FeedbackService(store, versions)
    shared = cache if isinstance(cache, RedisCache) else None
    user_limit = RateLimiter(settings.RATE_LIMIT_PER_USER, shared, scope="user")
    address_limit = RateLimiter(settings.RATE_LIMIT_PER_ADDRESS, shared, scope="address")

    rates = compliance if settings.COMPLIANCE_CHECKING_ENABLED else None
    fraud_service = FraudService(store, results, fraud, auditor)
    insights_service = InsightsService(store, results, insights, auditor)
    compliance_service = ComplianceService(store, results, compliance, auditor)
    invoice_service = InvoiceService(
        store, results, invoice, auditor, rates=rates, limiter=address_limit
    )
    return Components(
        settings=settings,
        auth=auth,
        store=store,
        cache=cache,
        auditor=auditor,
        fraud=fraud_service,
        insights=insights_service,
        compliance=compliance_service,
        invoices=invoice_service,
        assistant=AssistantService(
            store,
            results,
            assistant,
            auditor,
            insights_service,
            fraud_service,
            compliance_service,
            rates,
            invoice_service,
        ),
        ocr=OcrService(
            ocr,
            results,
            RateLimiter(settings.RATE_LIMIT_OCR_PER_ADDRESS, shared, scope="ocr"),
        ),
        feedback=feedback,
        user_limit=user_limit,
        health=health,
        versions=versions,
        metrics=MetricsPage(health, settings.features, telemetry.node_metrics, feedback.accuracies),
        telemetry=telemetry,
    )
