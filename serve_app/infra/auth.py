"""Supabase access-token verification (legacy HS256 project secret). Pure: no I/O.

User tokens must carry exp, sub (a UUID), aud == "authenticated", role == "authenticated" (a
token without a role is refused, not taken for a user) and, when the project URL is configured
(always, outside development), its issuer. The project's legacy anon and service_role keys are
HS256 JWTs signed with the same secret: presented as bearer tokens they are 401 like any other
wrong token (a leaked service key must not read every business through this API; the backend
uses that key only for its own database calls). Every verification failure is a 401; the reason
is logged, never echoed in detail.

A valid token of an anonymous sign-in (`is_anonymous: true`; Supabase gives those the
authenticated role) is a 403 `anonymous_user`: a guest owns no business, and anonymous sign-ins
cost an attacker nothing, so they must not spend the per-user budgets or reach tenancy checks.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from serve_app.contract.errors import AnonymousUser, Unauthenticated

logger = logging.getLogger("ai_backend.security")  # infra.logs: audit/ai_security.log
LEEWAY_S = 30
VERIFIED_TOKENS = 4096
"""Verified tokens a replica remembers (least recently used go first)."""
VERIFIED_FOR_S = 60.0
"""The longest a verified token is trusted without checking it again."""


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str


class SupabaseAuth:
    """Verifies bearer tokens. A verified token is remembered (the exact token string, so a
    changed byte is a new token) until its own expiry or VERIFIED_FOR_S, whichever is first: the
    client sends one token on every request of a session, and its signature need not be checked
    again for each."""

    def __init__(
        self,
        secret: str,
        issuer: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret, self._issuer, self._clock = secret, issuer, clock
        self._verified: OrderedDict[str, tuple[Caller, float]] = OrderedDict()

    def authenticate(self, authorization: str | None) -> Caller:
        token = bearer(authorization)
        if not token:
            raise Unauthenticated("Missing bearer token")
        now = self._clock()
        known = self._verified.get(token)
        if known is not None and now < known[1]:
            self._verified.move_to_end(token)
            return known[0]
        try:
            claims = self._verify(token)
        except jwt.PyJWTError as exc:
            logger.warning(
                "rejected token", extra={"event": "token_rejected", "reason": type(exc).__name__}
            )
            raise Unauthenticated("Invalid or expired token") from exc
        if claims.get("is_anonymous", False) is not False:
            logger.warning(
                "refused an anonymous user",
                extra={"event": "token_rejected", "reason": "anonymous", "caller": claims["sub"]},
            )
            raise AnonymousUser()
        caller = Caller(user_id=str(claims["sub"]), role="authenticated")
        self._verified[token] = (caller, min(float(claims["exp"]), now + VERIFIED_FOR_S))
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return caller

    def _verify(self, token: str) -> dict[str, Any]:
        claims = jwt.decode(
            token,
            self._secret,
            algorithms=["HS256"],
            audience="authenticated",
            issuer=self._issuer,
            leeway=LEEWAY_S,
            options={"require": ["exp", "sub", "aud", "role", *(["iss"] if self._issuer else [])]},
        )
        if claims["role"] != "authenticated":
            raise jwt.InvalidTokenError("role is not authenticated")
        try:
            uuid.UUID(str(claims["sub"]))
        except ValueError as exc:
            raise jwt.InvalidTokenError("sub is not a UUID") from exc
        return claims


def bearer(authorization: str | None) -> str:
    """The credential of an `Authorization: Bearer <credential>` header ("" if none)."""
    scheme, _, credential = (authorization or "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else ""


def issuer_for(supabase_url: str | None) -> str | None:
    return f"{supabase_url.rstrip('/')}/auth/v1" if supabase_url else None


def mint_token(
    secret: str,
    user_id: str,
    ttl_s: int = 3600,
    role: str = "authenticated",
    issuer: str | None = None,
    now: float | None = None,
    anonymous: bool = False,
) -> str:
    """A Supabase-shaped access token, for development and tests (`anonymous`: a guest
    sign-in's, as Supabase makes them: role authenticated, is_anonymous true, no email)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {"iat": issued, "exp": issued + ttl_s, "role": role}
    if issuer:
        claims["iss"] = issuer
    if role != "service_role":
        claims |= {"sub": user_id, "aud": "authenticated", "is_anonymous": anonymous}
        if not anonymous:
            claims["email"] = f"{user_id[:8]}@demo.local"
    return jwt.encode(claims, secret, algorithm="HS256")
