"""The FastAPI dependencies the routes share: the replica's components, the caller (a user's
bearer token), the operator credential, the feature switches, the client's address and a write's
Idempotency-Key; and, for the OpenAPI document, the errors each kind of access can answer.
No Ray import."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request

from serve_app.components import Components
from serve_app.contract.errors import FeatureDisabled, InvalidInput, NotFound, Unauthenticated
from serve_app.contract.schemas.common import error_responses
from serve_app.infra.auth import Caller, bearer
from serve_app.infra.settings import Settings

# The errors each kind of access can answer, documented in the OpenAPI document (the
# property-based run in tests/app/test_openapi_fuzz.py holds every answer to it).
USER_ERRORS = error_responses(400, 401, 403, 404, 413, 422, 429, 503, 504)
PUBLIC_ERRORS = error_responses(400, 413, 422, 429, 503, 504)
OPERATOR_ERRORS = error_responses(401, 404)


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


async def client_address(request: Request) -> str:
    """The address the request came from (as a trusted proxy reports it, where there is one):
    what the public routes' budgets are kept by."""
    return request.client.host if request.client else "unknown"


AddressDep = Annotated[str, Depends(client_address)]
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


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]
