"""Errors that carry their HTTP status, and the one handler that renders them.

    AppError (500, internal_error)
    ├── BadRequest (400, bad_request)
    ├── Unauthenticated (401, unauthenticated)
    ├── AnonymousUser (403, anonymous_user)
    ├── NotFound (404, not_found)            also another user's business: byte-identical
    ├── PayloadTooLarge (413, payload_too_large)
    ├── InvalidInput (422, validation_error)
    ├── UnreadableImage (422, invalid_image)
    ├── NoTextFound (422, no_text_found)
    ├── FeatureDisabled (503, feature_disabled)
    ├── ModelUnavailable (503, model_unavailable)
    ├── DatabaseUnavailable (503, database_unavailable)
    ├── AuthUnavailable (503, auth_unavailable)
    ├── Overloaded (503, overloaded)
    └── DeadlineExceeded (504, deadline_exceeded)

Every body is {"message": str, "code": str, "details": object|null}; never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("ai_backend")
M = TypeVar("M", bound=BaseModel)


class AppError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(AppError):
    status_code, code = 400, "bad_request"


class Unauthenticated(AppError):
    status_code, code = 401, "unauthenticated"


class AnonymousUser(AppError):
    """A valid token of a Supabase anonymous (guest) sign-in: a real session, but no account
    that owns a business. 403, not 401: the token is fine, the caller is not allowed; the app
    treats both as "log in again"."""

    status_code, code = 403, "anonymous_user"

    def __init__(self) -> None:
        super().__init__("Sign in with an account: guest sessions cannot use this service")


class NotFound(AppError):
    status_code, code = 404, "not_found"


class PayloadTooLarge(AppError):
    status_code, code = 413, "payload_too_large"


class InvalidInput(AppError):
    status_code, code = 422, "validation_error"


class UnreadableImage(AppError):
    """Not base64, not an image, damaged, or too many pixels: details.field is "image"."""

    status_code, code = 422, "invalid_image"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The image cannot be read: {reason}", {"field": "image", "reason": reason}
        )


class NoTextFound(AppError):
    """A photo that is an image but shows no printed text (a blank page, the floor): the app
    then says "Failed to extract text from image", which is what happened."""

    status_code, code = 422, "no_text_found"

    def __init__(self) -> None:
        reason = "no printed text was found in the photo"
        super().__init__(
            f"The image cannot be read: {reason}", {"field": "image", "reason": reason}
        )


class NotAnInvoice(AppError):
    """Text in which nothing invoice-like was found (no item): the legacy screens fall back to
    their local parser on any non-200, which is the honest answer."""

    status_code, code = 422, "not_an_invoice"


RETRY_AFTER_S = 5
"""What a 503 for a model or the database asks a client to wait before trying again."""


class RateLimited(AppError):
    status_code, code = 429, "rate_limited"


class FeatureDisabled(AppError):
    status_code, code = 503, "feature_disabled"

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is disabled on this server", {"feature": feature})


class ModelUnavailable(AppError):
    status_code, code = 503, "model_unavailable"

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(
            "AI services are temporarily unavailable",
            {"model": model, "reason": reason, "retry_after_s": RETRY_AFTER_S},
        )


class DatabaseUnavailable(AppError):
    status_code, code = 503, "database_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The database is temporarily unavailable",
            {"reason": reason, "retry_after_s": RETRY_AFTER_S},
        )


class AuthUnavailable(AppError):
    """The project's signing keys cannot be fetched (a cold start with the JWKS unreachable):
    the token may well be good, so it is not a 401, which would sign the user out."""

    status_code, code = 503, "auth_unavailable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "Sign-in cannot be checked right now; try again shortly",
            {"reason": reason, "retry_after_s": RETRY_AFTER_S},
        )


class Overloaded(AppError):
    """The ingress replica already works on as many requests as it takes (MAX_IN_FLIGHT)."""

    status_code, code = 503, "overloaded"

    def __init__(self) -> None:
        super().__init__("The service is busy; try again shortly", {"retry_after_s": RETRY_AFTER_S})


class DeadlineExceeded(AppError):
    """The request's time budget ran out before its work was done (infra/deadline.py)."""

    status_code, code = 504, "deadline_exceeded"

    def __init__(self) -> None:
        super().__init__(
            "The request took longer than its time budget", {"retry_after_s": RETRY_AFTER_S}
        )


def from_request(model: type[M], fields: dict[str, str], when: str, **values: Any) -> M:
    """`model` built from `values`, validated with its own limits. `fields` names, for each
    value taken from the caller's request, the request's field it came from: a value the model
    refuses is the caller's 422 naming that field (the message ends with `when`, "when asking
    for a bill"), in the shape of any invalid request, never a 500. A refusal of any other value
    is this code's error, and stays one."""
    try:
        return model(**values)
    except ValidationError as exc:
        errors = exc.errors()
        if not all(e["loc"] and e["loc"][0] in fields for e in errors):
            raise
        raise RequestValidationError(
            [
                {
                    "loc": ("body", fields[str(e["loc"][0])], *e["loc"][1:]),
                    "msg": f"{e['msg']} {when}",
                    "type": e["type"],
                }
                for e in errors
            ]
        ) from None


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"message": message, "code": code, "details": details}


def render(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
    **top_level: Any,
) -> JSONResponse:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503, 504) and isinstance(details, dict) and "retry_after_s" in details:
        headers["Retry-After"] = str(int(details["retry_after_s"]))
    body = error_body(code, message, details) | top_level
    return JSONResponse(body, status_code=status, headers=headers)


def rendered(exc: AppError) -> JSONResponse:
    return render(exc.status_code, exc.code, exc.message, exc.details)


async def app_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return rendered(exc)


async def validation_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in err["loc"] if p != "body"),
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors()
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    details = {"field": first["field"], "validation_errors": errors}
    # The app shows "Invalid {field}: {message}" from the body's top-level `field`, so the
    # message itself does not repeat the field; `validation_errors` is read at the top too.
    return render(
        422,
        "validation_error",
        str(first["message"]),
        details,
        field=first["field"],
        validation_errors=errors,
    )


async def http_error_handler(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {
        400: "bad_request",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
    }
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    # Starlette's own headers stay (a 405 names the allowed methods in `Allow`).
    code = codes.get(exc.status_code, "http_error")
    return render(exc.status_code, code, message, headers=dict(exc.headers or {}))


async def unhandled_error_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render(500, "internal_error", "An internal error occurred")
