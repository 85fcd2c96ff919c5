"""Clients scoring transactions while a fault happens (the fault tests of the integration and
cluster tiers)."""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from serve_app.infra.auth import mint_token
from testkit.factories import CASH_WITHDRAWAL_AT_NIGHT, SECRET


class Traffic:
    """Clients scoring transactions while a fault happens: `callers` threads, each a user of its
    own (so no per-user budget is spent for another) sending a request every `every_s`. With
    `retry_once`, a 5xx or a lost connection is sent again 2 s later, once, as the FinEasy app
    does. Records the final status of each request (0: no answer) and the first attempts that
    failed."""

    def __init__(self, url: str, callers: int = 3, every_s: float = 0.3, retry_once: bool = True):
        self._url, self._every, self._retry = url, every_s, retry_once
        self.statuses: list[int] = []
        self.first_failures = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._call) for _ in range(callers)]

    def _once(self, client: httpx.Client, headers: dict[str, str]) -> int:
        try:
            return client.post(
                "/api/v1/fraud/score",
                headers=headers,
                json={"transactions": [CASH_WITHDRAWAL_AT_NIGHT]},
            ).status_code
        except httpx.HTTPError:
            return 0

    def _call(self) -> None:
        headers = {"Authorization": f"Bearer {mint_token(SECRET, str(uuid.uuid4()))}"}
        with httpx.Client(base_url=self._url, timeout=30) as client:
            while not self._stop.is_set():
                status = self._once(client, headers)
                if (status == 0 or status >= 500) and self._retry:
                    self.first_failures += 1
                    time.sleep(2)
                    status = self._once(client, headers)
                self.statuses.append(status)
                time.sleep(self._every)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    @property
    def failed(self) -> list[int]:
        return [s for s in self.statuses if s == 0 or s >= 400]
