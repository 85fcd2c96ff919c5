"""Supabase access-token verification: the legacy HS256 project secret, and the project's
asymmetric keys (ES256, RS256) published as a JWKS (infra/jwks.py).

The key is chosen by the token's `alg` among what is configured, and pinned: HS256 only with the
secret (never with a published key, so a public key used as an HMAC secret verifies nothing),
ES256/RS256 only with the published key the `kid` names, in that key's own algorithm. A project
migrating to signing keys has both for a while; one that has revoked its legacy secret may run
without it (its HS256 tokens are then 401). Verifying an HS256 token is local (no call to the Auth
server), and so is an asymmetric one once its key is fetched.

User tokens must carry exp, sub (a UUID), aud == "authenticated", role == "authenticated" (a
token without a role is refused, not taken for a user) and, when the project URL is configured
(always, outside development), its issuer. The project's legacy anon and service_role keys are
HS256 JWTs signed with the same secret: presented as bearer tokens they are 401 like any other
wrong token (a leaked service key must not read every business through this API; the backend
uses that key only for its own database calls). Every verification failure is a 401; the reason
is logged, never echoed in detail. Keys that cannot be fetched are a 503 (infra/jwks.py).

A valid token of an anonymous sign-in (`is_anonymous: true`; Supabase gives those the
authenticated role) is a 403 `anonymous_user`: a guest owns no business, and anonymous sign-ins
cost an attacker nothing, so they must not spend the per-user budgets or reach tenancy checks.

A signed-out user's access token stays valid until its `exp` (Supabase revokes the session's
refresh token, not the access tokens already issued): it is accepted until then, as Supabase's
own API gateway does, and never past it (docs/security.md, T38).
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
from jwt import PyJWK

from serve_app.contract.errors import AnonymousUser, Unauthenticated
from serve_app.infra.jwks import ALGORITHMS, ProjectKeys

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


@dataclass(frozen=True)
class Verified:
    caller: Caller
    until: float
    kid: str | None
    """The published key that verified it (None: the legacy secret)."""


class SupabaseAuth:
    """Verifies bearer tokens. A verified token is remembered (the exact token string, so a
    changed byte is a new token) until its own expiry or VERIFIED_FOR_S, whichever is first, and
    no longer than its published key stays published: the client sends one token on every
    request of a session, and its signature need not be checked again for each."""

    def __init__(
        self,
        secret: str | None,
        issuer: str | None = None,
        keys: ProjectKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """`secret`: the legacy HS256 secret (None: HS256 tokens are refused); `keys`: the
        project's JWKS (None: ES256/RS256 tokens are refused)."""
        if secret is None and keys is None:
            raise ValueError("neither a JWT secret nor a JWKS: no token could be verified")
        self._secret, self._issuer, self._keys, self._clock = secret, issuer, keys, clock
        self._verified: OrderedDict[str, Verified] = OrderedDict()

    @property
    def keys(self) -> ProjectKeys | None:
        return self._keys

    async def authenticate(self, authorization: str | None) -> Caller:
        token = bearer(authorization)
        if not token:
            raise Unauthenticated("Missing bearer token")
        now = self._clock()
        known = self._verified.get(token)
        if known is not None and now < known.until and self._still_published(known.kid):
            self._verified.move_to_end(token)
            return known.caller
        try:
            key, kid = await self._key_for(token)
            claims = self._verify(token, key)
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
        until = min(float(claims["exp"]), now + VERIFIED_FOR_S)
        self._verified[token] = Verified(caller, until, kid)
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return caller

    def _still_published(self, kid: str | None) -> bool:
        return kid is None or (self._keys is not None and self._keys.holds(kid))

    async def _key_for(self, token: str) -> tuple[str | PyJWK, str | None]:
        """The key the token's header asks for, among those configured, and its kid."""
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm == "HS256" and self._secret is not None:
            return self._secret, None
        if algorithm in ALGORITHMS and self._keys is not None:
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise jwt.InvalidTokenError("no kid")
            return await self._keys.key(kid), kid
        raise jwt.InvalidAlgorithmError("the token's algorithm is not accepted here")

    def _verify(self, token: str, key: str | PyJWK) -> dict[str, Any]:
        claims = jwt.decode(
            token,
            key,
            algorithms=[key.algorithm_name] if isinstance(key, PyJWK) else ["HS256"],
            audience="authenticated",
            issuer=self._issuer,
            leeway=LEEWAY_S,
            options={
                "require": ["exp", "sub", "aud", "role", *(["iss"] if self._issuer else [])],
                "enforce_minimum_key_length": True,
            },
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


def user_claims(
    user_id: str,
    ttl_s: int = 3600,
    role: str = "authenticated",
    issuer: str | None = None,
    now: float | None = None,
    anonymous: bool = False,
) -> dict[str, Any]:
    """The claims of a Supabase access token (`anonymous`: a guest sign-in's, as Supabase
    makes them: role authenticated, is_anonymous true, no email)."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {"iat": issued, "exp": issued + ttl_s, "role": role}
    if issuer:
        claims["iss"] = issuer
    if role != "service_role":
        claims |= {"sub": user_id, "aud": "authenticated", "is_anonymous": anonymous}
        if not anonymous:
            claims["email"] = f"{user_id[:8]}@demo.local"
    return claims


def mint_token(secret: str, user_id: str, **claims: Any) -> str:
    """A Supabase-shaped access token signed with the legacy secret, for development and tests
    (`claims`: user_claims' own arguments)."""
    return jwt.encode(user_claims(user_id, **claims), secret, algorithm="HS256")
