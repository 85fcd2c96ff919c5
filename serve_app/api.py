"""The HTTP surface of the FinEasy client contract. No Ray import: `create_api` takes a
callable that returns the replica's Components, so TestClient can drive it directly."""

from __future__ import annotations

import hmac
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from serve_app.components import Components
from serve_app.contract.errors import (
    AppError,
    FeatureDisabled,
    InvalidInput,
    NotFound,
    Overloaded,
    Unauthenticated,
    app_error_handler,
    http_error_handler,
    render,
    rendered,
    unhandled_error_handler,
    validation_error_handler,
)
from serve_app.contract.schemas.assistant import (
    GenerateRequest,
    GenerateResponse,
    GenerateTextResponse,
)
from serve_app.contract.schemas.common import ProbeBody, Uuid, error_responses
from serve_app.contract.schemas.compliance import (
    ComplianceCheckRequest,
    ComplianceResponse,
    FilingScheme,
    GstinResponse,
    InvoiceIn,
    RemindersResponse,
)
from serve_app.contract.schemas.feedback import (
    FeedbackIn,
    FeedbackResponse,
    ModelsPerformanceResponse,
)
from serve_app.contract.schemas.fraud import (
    FraudAnalysisResponse,
    FraudAnalyzeRequest,
    FraudScoreRequest,
    FraudScoreResponse,
)
from serve_app.contract.schemas.insights import (
    BusinessInsightsResponse,
    ForecastRequest,
    ForecastResponse,
)
from serve_app.contract.schemas.invoices import (
    InvoiceGenerateRequest,
    InvoiceGenerationResponse,
    LegacyInvoiceResponse,
    LegacyParseRequest,
    ParseInvoiceRequest,
)
from serve_app.contract.schemas.ocr import OcrRequest, OcrResponse
from serve_app.infra.auth import Caller, bearer
from serve_app.infra.deadline import budget
from serve_app.infra.logs import client_request_id, request_id
from serve_app.infra.settings import Settings


# Dependencies are `async def`: FastAPI runs plain `def` ones in a thread pool, a hop per
# dependency per request that costs more than the work they do.
async def components(request: Request) -> Components:
    parts: Components = request.app.state.get_components()
    return parts


ComponentsDep = Annotated[Components, Depends(components)]


async def caller(
    parts: ComponentsDep, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    # Unauthenticated -> 401, AnonymousUser -> 403, AuthUnavailable (no JWKS yet) -> 503
    who = await parts.auth.authenticate(authorization)
    await parts.user_limit.check(who.user_id)  # raises RateLimited -> 429
    return who


CallerDep = Annotated[Caller, Depends(caller)]


def feature(name: str) -> Callable[[Components], Awaitable[None]]:
    async def check(parts: ComponentsDep) -> None:
        if not parts.settings.features[name]:
            raise FeatureDisabled(name)

    return check


# The errors each group of routes can answer, documented in the OpenAPI document (the
# property-based run in tests/app/test_openapi_fuzz.py holds every answer to it).
USER_ERRORS = error_responses(400, 401, 403, 404, 413, 422, 429, 503, 504)
PUBLIC_ERRORS = error_responses(400, 413, 422, 429, 503, 504)
OPERATOR_ERRORS = error_responses(401, 404)
NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": ProbeBody, "description": "Not ready (yet)"}
}

health_router = APIRouter(tags=["health"])
api_router = APIRouter(prefix="/api/v1", responses=USER_ERRORS)
fraud_router = APIRouter(
    prefix="/api/v1/fraud",
    tags=["fraud"],
    dependencies=[Depends(feature("fraud_detection"))],
    responses=USER_ERRORS,
)

insights_router = APIRouter(
    prefix="/api/v1/insights",
    tags=["insights"],
    dependencies=[Depends(feature("predictive_analytics"))],
    responses=USER_ERRORS,
)

compliance_router = APIRouter(
    prefix="/api/v1/compliance",
    tags=["compliance"],
    dependencies=[Depends(feature("compliance_checking"))],
    responses=USER_ERRORS,
)

invoice_router = APIRouter(tags=["invoice"], dependencies=[Depends(feature("nlp_invoice"))])


@health_router.get("/health")
@health_router.get("/api/health")
async def health(parts: ComponentsDep) -> dict[str, Any]:
    return parts.health.summary()


@api_router.get("/health", tags=["health"])
async def api_health(parts: ComponentsDep, _: CallerDep) -> dict[str, Any]:
    return parts.health.summary()


@api_router.post("/feedback/structured", tags=["feedback"])
async def structured_feedback(
    body: FeedbackIn, parts: ComponentsDep, who: CallerDep
) -> FeedbackResponse:
    """Contract 3.5: always 200 when taken (a repeated vote too: `recorded` says which)."""
    return await parts.feedback.submit(who, body)


@api_router.post("/generate/text", tags=["assistant"])
async def generate_text(
    body: GenerateRequest, parts: ComponentsDep, who: CallerDep
) -> GenerateTextResponse:
    """The web dashboard's AI Autopilot chat (contract 3.8): the answer's text."""
    return GenerateTextResponse(text=(await parts.assistant.answer(who, body)).text)


@api_router.post("/generate/response", tags=["assistant"])
async def generate_response(
    body: GenerateRequest, parts: ComponentsDep, who: CallerDep
) -> GenerateResponse:
    """The same answer with what the message was read as and the figures it used."""
    answer = await parts.assistant.answer(who, body)
    return GenerateResponse(
        text=answer.text,
        intent=answer.intent,
        confidence=answer.confidence,
        business_id=answer.business_id,
        figures=answer.figures,
        generated_at=parts.assistant.now(),
    )


@api_router.get("/models/performance", tags=["feedback"])
async def models_performance(
    parts: ComponentsDep, authorization: Annotated[str | None, Header()] = None
) -> ModelsPerformanceResponse:
    """A signed-in user sees the figures of their own businesses (and each model's held-out
    accuracy); the operator credential (OPS_TOKEN) sees the whole platform's."""
    if presents_operator_credential(parts.settings, authorization):
        return await parts.feedback.performance()
    return await parts.feedback.performance_of(await caller(parts, authorization))


@health_router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@health_router.get("/health/ready", responses=NOT_READY)
async def ready(parts: ComponentsDep) -> JSONResponse:
    ok, body = await parts.health.ready()
    return JSONResponse(body, status_code=200 if ok else 503)


@health_router.get("/health/startup", responses=NOT_READY)
async def startup(parts: ComponentsDep) -> JSONResponse:
    ok = parts.health.started_ok or (await parts.health.ready())[0]
    return JSONResponse({"status": "started" if ok else "starting"}, status_code=200 if ok else 503)


def check_operator(settings: Settings, authorization: str | None) -> None:
    """The operator routes show model hashes, replica ids and every Ray node's metrics, and
    run checks on demand: with OPS_TOKEN set they need `Authorization: Bearer <OPS_TOKEN>`.
    Outside development start-up requires OPS_TOKEN; without it (development) they are open,
    and should settings without it reach here any other way, absent (404) outside development."""
    if settings.OPS_TOKEN is None:
        if settings.ENVIRONMENT != "development":
            raise NotFound("Not Found")
        return
    if not presents_operator_credential(settings, authorization):
        raise Unauthenticated("The operator credential is required")


def presents_operator_credential(settings: Settings, authorization: str | None) -> bool:
    """The bearer credential is OPS_TOKEN (compared in constant time); never without one set."""
    token = settings.OPS_TOKEN
    given = bearer(authorization).encode()
    return (
        token is not None
        and bool(given)
        and hmac.compare_digest(given, token.get_secret_value().encode())
    )


async def operator(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    check_operator(request.app.state.settings, authorization)


OperatorDep = Depends(operator)


@health_router.get("/health/detailed", dependencies=[OperatorDep], responses=OPERATOR_ERRORS)
async def detailed(parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.detailed()


@health_router.get("/health/dependencies", dependencies=[OperatorDep], responses=OPERATOR_ERRORS)
async def dependencies(parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.dependencies()


@health_router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"},
        **error_responses(401, 404, 422),
    },
)
async def metrics(
    request: Request,
    parts: ComponentsDep,
    scope: Literal["all", "app"] = "all",
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """scope=app (the ingress's own gauges) is public; the whole page (every Ray node's
    metrics) is an operator route."""
    if scope == "all":
        check_operator(request.app.state.settings, authorization)
    return Response(await parts.metrics.render(scope), media_type=CONTENT_TYPE_LATEST)


@health_router.post(
    "/health/test/{component}", dependencies=[OperatorDep], responses=OPERATOR_ERRORS
)
async def test_component(component: str, parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.test(component)


@fraud_router.post("/analyze")
async def analyze_fraud(
    body: FraudAnalyzeRequest, parts: ComponentsDep, who: CallerDep
) -> FraudAnalysisResponse:
    return await parts.fraud.analyze(who, body.business_id)


@fraud_router.post("/score")
async def score_transactions(
    body: FraudScoreRequest, parts: ComponentsDep, who: CallerDep
) -> FraudScoreResponse:
    return await parts.fraud.score(who, body)


@insights_router.post("/forecast")
async def forecast_series(
    body: ForecastRequest, parts: ComponentsDep, who: CallerDep
) -> ForecastResponse:
    return await parts.insights.forecast(who, body)


@insights_router.get("/{business_id}")
async def business_insights(
    business_id: Annotated[Uuid, Path()], parts: ComponentsDep, who: CallerDep
) -> BusinessInsightsResponse:
    return await parts.insights.insights(who, business_id)


@compliance_router.post("/check")
async def check_compliance(
    body: ComplianceCheckRequest, parts: ComponentsDep, who: CallerDep
) -> ComplianceResponse:
    return await parts.compliance.check(who, body.invoice_id)


@compliance_router.post("/validate")
async def validate_invoice(
    body: InvoiceIn, parts: ComponentsDep, who: CallerDep
) -> ComplianceResponse:
    return await parts.compliance.validate(who, body)


@compliance_router.get("/gstin/{gstin}")
async def explain_gstin(gstin: str, parts: ComponentsDep, _: CallerDep) -> GstinResponse:
    return parts.compliance.gstin(gstin)


@compliance_router.get("/reminders/{business_id}")
async def filing_reminders(
    business_id: Annotated[Uuid, Path()],
    parts: ComponentsDep,
    who: CallerDep,
    scheme: Annotated[FilingScheme, Query()] = "quarterly",
) -> RemindersResponse:
    return await parts.compliance.reminders(who, business_id, scheme)


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def idempotency_key(
    key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", json_schema_extra={"pattern": IDEMPOTENCY_KEY.pattern}),
    ] = None,
) -> str | None:
    """A client's key for one write: its retries carry the same (visible ASCII, 1-200)."""
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key must be 1-200 visible ASCII characters")
    return key


@invoice_router.post("/api/v1/invoice/generate", responses=USER_ERRORS)
async def generate_invoice(
    body: InvoiceGenerateRequest,
    parts: ComponentsDep,
    who: CallerDep,
    key: Annotated[str | None, Depends(idempotency_key)],
) -> InvoiceGenerationResponse:
    return await parts.invoices.generate(who, body, key)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@invoice_router.post("/api/nlp/process-invoice", responses=PUBLIC_ERRORS)
async def legacy_process_invoice(
    body: LegacyParseRequest, request: Request, parts: ComponentsDep
) -> LegacyInvoiceResponse:
    """The live "AI Invoice Generator" (docs/api.md): no token, no tenant data."""
    return await parts.invoices.legacy(body.text, _client(request), form_shape=False)


@invoice_router.post("/api/v1/nlp/parse-invoice", responses=PUBLIC_ERRORS)
async def legacy_parse_invoice(
    body: ParseInvoiceRequest, request: Request, parts: ComponentsDep
) -> LegacyInvoiceResponse:
    """OCR step 2 (docs/api.md): no token, no tenant data; the invoice form's shape. Reads a
    sentence or a printed bill's lines (the text step 1 returns)."""
    return await parts.invoices.legacy(body.text, _client(request), form_shape=True)


ocr_router = APIRouter(tags=["ocr"])
OCR_PATH = "/api/v1/ocr/extract-text"


@ocr_router.post(OCR_PATH, responses=PUBLIC_ERRORS)
async def extract_text(body: OcrRequest, request: Request, parts: ComponentsDep) -> OcrResponse:
    """The OCR Invoice Scanner's photo (docs/api.md): no token; its printed lines, top to
    bottom, a table's columns two spaces apart. Never logged or stored."""
    return await parts.ocr.extract(body, _client(request))


logger = logging.getLogger("ai_backend")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""A caller's X-Request-ID is logged (client_request_id) when it looks like an id."""


UNSHED = ("/health", "/api/health", "/metrics")
"""Paths answered however busy the replica is: the probes and the scrape must not read an
overload as an outage."""


@dataclass(frozen=True)
class RouteLimit:
    max_bytes: int
    max_in_flight: int


class EdgeMiddleware:
    """Collapses duplicate slashes (the app's feature-flag URLs have `//api/v1`), sheds load
    past `max_in_flight` requests at once (503 `overloaded`, Retry-After), refuses bodies over
    the limit with 413 before they are read, tags the request with an id (the X-Request-ID
    response header and every log line), starts its time budget (infra/deadline.py), and
    records its status and latency."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        record: Callable[[int, float], None],
        budget_s: float = 20.0,
        max_in_flight: int = 128,
        routes: Mapping[str, RouteLimit] | None = None,
        tag: Callable[[str], None] | None = None,
    ) -> None:
        """`routes`: paths with their own body limit and in-flight cap (the OCR route: bigger
        bodies, far fewer at once). `tag`: told each request's id as it starts (the ingress
        hands it to Ray, so the model replicas' logs carry the same id)."""
        self.app, self.max_bytes, self.record, self.budget_s = app, max_bytes, record, budget_s
        self.tag = tag
        self.max_in_flight, self.in_flight = max_in_flight, 0
        self.routes = dict(routes or {})
        self.route_in_flight = dict.fromkeys(self.routes, 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        # The id is always this server's own: a caller could otherwise reuse another request's
        # id and blur the audit trail. The caller's own (when it looks like an id) is logged
        # beside it, so the app's logs and ours can still be joined.
        rid = uuid.uuid4().hex
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        token = request_id.set(rid)
        if self.tag is not None:
            self.tag(rid)
        theirs = client_request_id.set(given if REQUEST_ID.fullmatch(given) else None)

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            with budget(self.budget_s):  # every call made for this request shares it
                await self._limited(scope, receive, observed)
        finally:
            request_id.reset(token)
            client_request_id.reset(theirs)
            try:
                self.record(status, (time.perf_counter() - started) * 1000)
            except Exception as exc:  # metrics must never fail a request that was answered
                logger.warning("request not recorded in metrics: %r", exc)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope = {**scope, "path": re.sub(r"/{2,}", "/", scope["path"])}
        path = scope["path"]
        route = self.routes.get(path)
        busy = self.in_flight >= self.max_in_flight and not path.startswith(UNSHED)
        if busy or (route is not None and self.route_in_flight[path] >= route.max_in_flight):
            # before the body is read: a refusal must cost next to nothing (a photo is a MB)
            await rendered(Overloaded())(scope, receive, send)
            return
        self.in_flight += 1
        if route is not None:
            self.route_in_flight[path] += 1
        try:
            await self._bounded(scope, receive, send)
        finally:
            self.in_flight -= 1
            if route is not None:
                self.route_in_flight[path] -= 1

    async def _bounded(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"])
        limit = route.max_bytes if route is not None else self.max_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = render(413, "payload_too_large", f"Request body over {limit} bytes")
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise StarletteHTTPException(413, f"Request body over {limit} bytes")
            return message

        await self.app(scope, limited, send)


def create_api(
    get_components: Callable[[], Components],
    settings: Settings,
    tag_request: Callable[[str], None] | None = None,
) -> FastAPI:
    """The app; `tag_request` is told each request's own id as it starts."""
    # The interactive docs and the OpenAPI document help development; production does not
    # hand a map of every route and schema to anyone who asks.
    shown = settings.ENVIRONMENT != "production"
    api = FastAPI(
        title="FinEasy AI backend",
        version="0.1.0",
        docs_url="/docs" if shown else None,
        redoc_url="/redoc" if shown else None,
        openapi_url="/openapi.json" if shown else None,
    )
    api.state.get_components = get_components
    api.state.settings = settings
    routers = (
        health_router,
        api_router,
        fraud_router,
        insights_router,
        compliance_router,
        invoice_router,
        ocr_router,
    )
    for router in routers:
        api.include_router(router)
    api.add_exception_handler(AppError, app_error_handler)
    api.add_exception_handler(RequestValidationError, validation_error_handler)
    api.add_exception_handler(StarletteHTTPException, http_error_handler)
    api.add_exception_handler(Exception, unhandled_error_handler)
    origins = [o.strip() for o in settings.CORS_ORIGINS.split(",") if o.strip()]
    api.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Accept", "Idempotency-Key"],
    )

    def record(status: int, elapsed_ms: float) -> None:
        get_components().record(status, elapsed_ms)

    api.add_middleware(
        EdgeMiddleware,
        max_bytes=settings.MAX_REQUEST_BYTES,
        record=record,
        budget_s=settings.REQUEST_BUDGET_SECONDS,
        max_in_flight=settings.MAX_IN_FLIGHT,
        routes={OCR_PATH: RouteLimit(settings.MAX_IMAGE_REQUEST_BYTES, settings.OCR_MAX_IN_FLIGHT)},
        tag=tag_request,
    )
    if settings.trusted_proxies:
        # Outermost, so every layer sees the caller's address (the legacy routes' rate limit).
        api.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return api
