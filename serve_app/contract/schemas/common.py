"""What every resource's bodies share: the field types that validate text, ids and dates
once (and state the same rules in the OpenAPI document), the strict base of request
bodies, and the one error shape every route documents."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value) or "\x7f" in value:
        raise ValueError("control characters are not allowed")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise ValueError("text must be valid Unicode (a lone surrogate is not)")
    return value


def _uuid(value: str) -> str:
    if not re.fullmatch(UUID_PATTERN, value):
        raise ValueError("must be a UUID such as 3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c")
    return value.lower()


def _iso_text(value: object) -> object:
    """Dates come as ISO 8601 text (Dart's toIso8601String, midnight times included), never as
    numbers: a `0` is not taken for 1970-01-01."""
    if not isinstance(value, str | dt.date):
        raise ValueError("must be an ISO 8601 date or date-time string")
    return value


# The validators give the app's own messages; the OpenAPI document states the same rules
# (json_schema_extra), so generated clients and schemathesis send what the server takes.
Uuid = Annotated[
    str,
    Field(max_length=36, json_schema_extra={"format": "uuid", "pattern": UUID_PATTERN}),
    AfterValidator(_uuid),
]
Clean = Annotated[
    str,
    Field(json_schema_extra={"pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}),
    AfterValidator(_no_control_chars),
]
"""Text that is stored, echoed or put into another model as it is: control characters other
than tab and line breaks (NUL among them, which PostgreSQL refuses in text and jsonb) and lone
surrogates (no UTF-8 encodes them) are a 422 here, not an error at the database or in the
response's encoding. The texts a parser reads (`raw_input`, `text`) take anything and strip it
themselves."""
CleanText = Annotated[Clean, Field(max_length=500)]
IsoDate = Annotated[dt.date, Field(strict=False), BeforeValidator(_iso_text)]
IsoDateTime = Annotated[dt.datetime, Field(strict=False), BeforeValidator(_iso_text)]


def iso_utc(moment: dt.datetime) -> str:
    """2025-01-03T10:15:00Z: what Dart's DateTime.parse reads as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds") + "Z"


UtcDateTime = Annotated[dt.datetime, PlainSerializer(iso_utc, return_type=str)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class ErrorBody(BaseModel):
    """Every error answer (serve_app/contract/errors.py renders it). A 422 also carries
    `field` and `validation_errors` at the top, where the app reads them."""

    model_config = ConfigDict(extra="allow")
    message: str
    code: str
    details: dict[str, object] | None


# The probes' body (/health/ready, /health/startup); no docstring, which would become its
# description in the OpenAPI document.
class ProbeBody(BaseModel):
    status: str


ERROR_MEANINGS = {
    400: "The body is not JSON",
    401: "No valid user token (or no operator credential on an operator route)",
    403: "The token is an anonymous (guest) sign-in's: business routes need an account",
    404: "No such business, invoice or prediction among the caller's own, or an unknown route",
    413: "Request body over the size limit",
    422: "Invalid input: `field` and `validation_errors` say what",
    429: "Over the rate limit: `Retry-After` says when to come back",
    503: "A model, the database or the project's signing keys are unavailable for now, or the"
    " feature is off (`Retry-After`)",
    504: "The request ran out of its time budget (`Retry-After`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of the errors a route can answer, all in the one error shape."""
    return {s: {"model": ErrorBody, "description": ERROR_MEANINGS[s]} for s in statuses}
