"""The Supabase project's published signing keys (its JWKS), for ES256 and RS256 access tokens.

Where they come from: the URL in the settings (SUPABASE_JWKS_URL, by default
<SUPABASE_URL>/auth/v1/.well-known/jwks.json), never from a token: its `jku`, `x5u` and `iss`
headers and claims are not read here.

Which keys count: those with a `kid`, meant for signatures, whose algorithm is ES256 or RS256
(from the key's own `alg`, else its type and curve). Each key verifies only its own algorithm
(PyJWK pins it), and a symmetric key published in a JWKS is ignored, so a published key can never
serve as an HMAC secret.

How they are kept (per replica):
- a fetched set is used for LIFESPAN_S; a token whose key is known but whose set is older is
  verified at once with the key it has while a fresh set is fetched in the background;
- an unknown `kid` fetches the set again at most once per COOLDOWN_S after the last fetch, so a
  flood of made-up kids costs one fetch, not one each (they are 401);
- after a failed fetch the next may start RETRY_S later; meanwhile the keys already fetched keep
  verifying (an outage of the JWKS costs nothing to tokens whose key is known), and a token whose
  key cannot be known is 503 `auth_unavailable` with Retry-After, not a 401 that would sign the
  user out: on a cold start with the JWKS unreachable, and for an unknown kid while it is down;
- one fetch at a time: callers that need a fetch under way wait for that one (never a second);
- the fetch runs in a worker thread with a TIMEOUT_S limit, so the event loop never waits on it;
- `refresh(force=True)` fetches now whatever the cooldown (the operators' cache-bust:
  POST /health/test/jwks).
A key removed from the JWKS thus stops verifying within LIFESPAN_S (plus the time a fetch takes)
on a replica that sees tokens, or at its first successful fetch after an outage.

PyJWKClient does the HTTP (its timeout, http(s) only, no redirects) and PyJWK the keys; its own
cache is not used: it has no stale-on-error, and after a failed fetch its cooldown does not start,
so during an outage every unknown kid would wait out another timeout under its lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient

from serve_app.contract.errors import AuthUnavailable
from serve_app.infra.deadline import detached

logger = logging.getLogger("ai_backend")
ALGORITHMS = ("ES256", "RS256")
"""What a published key may verify: the asymmetric algorithms Supabase signs user tokens with."""
LIFESPAN_S = 300.0
COOLDOWN_S = 30.0
RETRY_S = 5.0
TIMEOUT_S = 2.0


class UnknownKey(jwt.InvalidTokenError):
    """The token names a key the project does not publish (after at most one fetch per
    cooldown): a 401 like any wrong token."""


def usable_keys(document: Any) -> dict[str, PyJWK]:
    """The signing keys of a JWKS document, by kid: asymmetric ES256/RS256 keys only; anything
    else (no kid, an encryption key, a symmetric or unknown key type) is left out."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the JWKS document has no `keys` list")
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            key = PyJWK(entry)
        except jwt.PyJWTError:
            continue
        if key.algorithm_name in ALGORITHMS:
            keys[kid] = key
    return keys


@dataclass(frozen=True)
class KeysState:
    """What /health/detailed shows of the keys (public material: key ids only)."""

    url: str
    kids: list[str]
    fetched_s_ago: float | None
    error: str | None
    fetches: int


class ProjectKeys:
    def __init__(
        self,
        url: str,
        lifespan_s: float = LIFESPAN_S,
        cooldown_s: float = COOLDOWN_S,
        retry_s: float = RETRY_S,
        timeout_s: float = TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self._client = PyJWKClient(
            url,
            cache_jwk_set=False,
            timeout=timeout_s,
            headers={"User-Agent": "fineasy-ai-backend"},
        )
        self._lifespan, self._cooldown, self._retry = lifespan_s, cooldown_s, retry_s
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        """When the keys held were fetched (None: never)."""
        self._tried_at: float | None = None
        """When the last fetch, good or failed, ended."""
        self._error: str | None = None
        """Why the last fetch failed (None: it did not)."""
        self._fetching: asyncio.Task[None] | None = None
        self.fetches = 0

    def holds(self, kid: str) -> bool:
        """Whether `kid` is among the keys as last fetched. No I/O: a token remembered as
        verified is checked again once its key has left the set."""
        return kid in self._keys

    async def key(self, kid: str) -> PyJWK:
        """The published key `kid`; UnknownKey (401) if the project has no such key,
        AuthUnavailable (503) if the keys cannot be known now."""
        found = self._keys.get(kid)
        if found is not None:
            if self._stale() and self._due() and not self._busy():
                self._start()  # a fresh set for the next tokens; this one goes on now
            return found
        if self._busy() or self._due():
            await self._fetched()
            found = self._keys.get(kid)
            if found is not None:
                return found
        if self._fetched_at is None or self._error is not None:
            raise AuthUnavailable("the project's signing keys cannot be fetched")
        raise UnknownKey("no published key has this kid")

    async def refresh(self, force: bool = False) -> KeysState:
        """Fetches the keys if they are missing or old and a fetch is due, or at once with
        `force` (the operators' cache-bust); joins a fetch under way."""
        if self._busy() or force or (self._stale() and self._due()):
            await self._fetched()
        return self.state()

    def state(self) -> KeysState:
        age = None if self._fetched_at is None else round(self._clock() - self._fetched_at, 1)
        return KeysState(self.url, sorted(self._keys), age, self._error, self.fetches)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._lifespan

    def _due(self) -> bool:
        """A fetch may start: none yet, or COOLDOWN_S since the last good one, or RETRY_S
        since a failed one."""
        if self._tried_at is None:
            return True
        wait = self._retry if self._error is not None else self._cooldown
        return self._clock() - self._tried_at >= wait

    def _busy(self) -> bool:
        return self._fetching is not None and not self._fetching.done()

    def _start(self) -> asyncio.Task[None]:
        if self._fetching is None or self._fetching.done():
            self._fetching = detached(self._fetch())  # no request's budget: shared by all
        return self._fetching

    async def _fetched(self) -> None:
        # shielded: a caller that gives up (its budget, a disconnect) leaves the fetch to others
        await asyncio.shield(self._start())

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            document = await asyncio.to_thread(self._client.fetch_data)
            keys = usable_keys(document)
        except Exception as exc:  # any failure is an outage of the JWKS, reported, never raised
            self._error = type(exc).__name__
            logger.warning(
                "the project's JWKS could not be fetched",
                extra={"event": "jwks_unavailable", "reason": self._error},
            )
        else:
            self._keys, self._fetched_at, self._error = keys, self._clock(), None
        finally:
            self._tried_at = self._clock()
