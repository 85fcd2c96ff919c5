"""Replays PostgREST exchanges (tests/fixtures/postgrest_exchanges.json) to the supabase client.

No PostgREST server runs on this machine, so the exchanges are written to PostgREST's documented
wire format. The transport fails the test on any request the scenario does not expect, so the
queries the store builds are checked as strictly as the answers it parses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

EXCHANGES = Path(__file__).parents[1] / "fixtures" / "postgrest_exchanges.json"


class ReplayTransport(httpx.AsyncBaseTransport):
    def __init__(self, scenario: str, service_key: str) -> None:
        self.pending: list[dict[str, Any]] = json.loads(EXCHANGES.read_text())[scenario]
        self.sent: list[httpx.Request] = []
        self.service_key = service_key

    def _matches(self, expected: dict[str, Any], request: httpx.Request) -> bool:
        if (expected["method"], expected["path"]) != (request.method, request.url.path):
            return False
        if expected["params"] is not None:
            actual = sorted(
                (k, "*" if k == "columns" else v) for k, v in request.url.params.multi_items()
            )
            if actual != sorted(tuple(p) for p in expected["params"]):
                return False
        return expected["prefer"] is None or request.headers.get("prefer") == expected["prefer"]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.sent.append(request)
        assert request.headers["apikey"] == self.service_key
        assert request.headers["authorization"] == f"Bearer {self.service_key}"
        for index, exchange in enumerate(self.pending):
            if self._matches(exchange["request"], request):
                del self.pending[index]
                answer = exchange["response"]
                body = b"" if answer["json"] is None else json.dumps(answer["json"]).encode()
                return httpx.Response(answer["status"], headers=answer["headers"], content=body)
        raise AssertionError(f"unexpected request {request.method} {request.url}")
