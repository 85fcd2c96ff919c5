"""The HTTP surface of the FinEasy client contract, assembled: the routers of serve_app/routes,
the error handlers and the middleware. No Ray import: `create_api` takes a callable that returns
the replica's Components, so TestClient can drive it directly."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from serve_app.components import Components
from serve_app.contract.errors import (
    AppError,
    app_error_handler,
    http_error_handler,
    unhandled_error_handler,
    validation_error_handler,
)
from serve_app.edge import EdgeMiddleware, RouteLimit
from serve_app.infra.settings import Settings
from serve_app.routes import assistant, compliance, feedback, fraud, health, insights, invoices, ocr

ROUTERS = (
    health.router,
    feedback.router,
    assistant.router,
    fraud.router,
    insights.router,
    compliance.router,
    invoices.router,
    ocr.router,
)


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
    for router in ROUTERS:
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
        routes={
            ocr.OCR_PATH: RouteLimit(settings.MAX_IMAGE_REQUEST_BYTES, settings.OCR_MAX_IN_FLIGHT)
        },
        tag=tag_request,
    )
    if settings.trusted_proxies:
        # Outermost, so every layer sees the caller's address (the legacy routes' rate limit).
        api.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return api
