"""Health and operations: the probes, the summaries, the operator's checks and /metrics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from serve_app.contract.schemas.common import ProbeBody, error_responses
from serve_app.dependencies import (
    OPERATOR_ERRORS,
    USER_ERRORS,
    CallerDep,
    ComponentsDep,
    OperatorDep,
    check_operator,
)

NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": ProbeBody, "description": "Not ready (yet)"}
}

router = APIRouter(tags=["health"])


@router.get("/health")
@router.get("/api/health")
async def health(parts: ComponentsDep) -> dict[str, Any]:
    return parts.health.summary()


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "alive"}


@router.get("/health/ready", responses=NOT_READY)
async def ready(parts: ComponentsDep) -> JSONResponse:
    ok, body = await parts.health.ready()
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/health/startup", responses=NOT_READY)
async def startup(parts: ComponentsDep) -> JSONResponse:
    ok = parts.health.started_ok or (await parts.health.ready())[0]
    return JSONResponse({"status": "started" if ok else "starting"}, status_code=200 if ok else 503)


@router.get("/health/detailed", dependencies=[OperatorDep], responses=OPERATOR_ERRORS)
async def detailed(parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.detailed()


@router.get("/health/dependencies", dependencies=[OperatorDep], responses=OPERATOR_ERRORS)
async def dependencies(parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.dependencies()


@router.get(
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


@router.post("/health/test/{component}", dependencies=[OperatorDep], responses=OPERATOR_ERRORS)
async def test_component(component: str, parts: ComponentsDep) -> dict[str, Any]:
    return await parts.health.test(component)


@router.get("/api/v1/health", responses=USER_ERRORS)
async def api_health(parts: ComponentsDep, _: CallerDep) -> dict[str, Any]:
    return parts.health.summary()
