"""The edge of every request, before any route: duplicate slashes collapsed, load shed, body
size bounded, the request id and time budget set, status and latency recorded. Plain ASGI, no
Ray import."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve_app.contract.errors import Overloaded, render, rendered
from serve_app.infra.deadline import budget
from serve_app.infra.logs import client_request_id, request_id

logger = logging.getLogger("ai_backend")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""A caller's X-Request-ID is logged (client_request_id) when it looks like an id."""
UNSHED = ("/health", "/api/health", "/metrics")
"""Paths answered however busy the replica is: the probes and the scrape must not read an
overload as an outage."""


@dataclass(frozen=True)
class RouteLimit:
    """A path's own body limit and in-flight cap, in place of the app's."""

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
