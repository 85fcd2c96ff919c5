import time
import uuid
from typing import Any

import jwt
import pytest
from jwt import PyJWK

from serve_app.contract.errors import AnonymousUser, Unauthenticated
from serve_app.infra.auth import (
    LEEWAY_S,
    VERIFIED_FOR_S,
    VERIFIED_TOKENS,
    SupabaseAuth,
    mint_token,
)

SECRET = "k" * 48
USER = "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11"
auth = SupabaseAuth(SECRET)


def bearer(token: str) -> str:
    return f"Bearer {token}"


async def test_valid_user_token_yields_its_sub() -> None:
    caller = await auth.authenticate(bearer(mint_token(SECRET, USER)))
    assert (caller.user_id, caller.role) == (USER, "authenticated")


@pytest.mark.parametrize("role", ["service_role", "anon"])
async def test_the_projects_api_keys_are_not_callers(role: str) -> None:
    """The legacy service_role and anon keys are JWTs signed with the same secret: as bearer
    tokens they are refused like any wrong token, never an identity (a leaked service key would
    otherwise read every business through this API)."""
    key = jwt.encode(
        {"iss": "supabase", "ref": "abcdefghijklmnop", "role": role, "iat": 1, "exp": 2**31},
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(key))
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(mint_token(SECRET, USER, role=role)))


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer x.y.z"])
async def test_missing_or_malformed_header_is_401(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        await auth.authenticate(header)


async def test_expired_token_is_401() -> None:
    token = mint_token(SECRET, USER, ttl_s=60, now=time.time() - 3600)
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(token))


async def test_forged_signature_is_401() -> None:
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(mint_token("z" * 48, USER)))


async def test_alg_none_is_401() -> None:
    claims = {"sub": USER, "aud": "authenticated", "exp": int(time.time()) + 600}
    token = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(token))


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "authenticated"},  # no sub
        {"sub": USER},  # no aud
        {"sub": USER, "aud": "anon"},  # anon audience
        {"sub": "not-a-uuid", "aud": "authenticated"},
        {"sub": USER, "aud": "authenticated", "role": "anon"},
        {"sub": USER, "aud": "authenticated"},  # no role: not taken for a user
        {"sub": USER, "aud": "authenticated", "role": None},
    ],
)
async def test_claims_that_are_not_a_signed_in_user_are_401(claims: dict[str, str | None]) -> None:
    token = jwt.encode({**claims, "exp": int(time.time()) + 600}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(token))


async def test_missing_exp_is_401() -> None:
    token = jwt.encode({"sub": USER, "aud": "authenticated"}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(token))


async def test_issuer_is_checked_when_configured() -> None:
    strict = SupabaseAuth(SECRET, issuer="https://ref.supabase.co/auth/v1")
    with pytest.raises(Unauthenticated):
        await strict.authenticate(bearer(mint_token(SECRET, USER, issuer="https://evil/auth/v1")))
    with pytest.raises(Unauthenticated):  # a token naming no issuer at all
        await strict.authenticate(bearer(mint_token(SECRET, USER)))
    good = mint_token(SECRET, USER, issuer="https://ref.supabase.co/auth/v1")
    assert (await strict.authenticate(bearer(good))).user_id == USER


@pytest.mark.parametrize("flag", [True, "true", 1])
async def test_an_anonymous_sign_in_is_403_not_a_caller(flag: object) -> None:
    """Supabase gives guest sign-ins the authenticated role and `is_anonymous: true`; the
    signature and every other claim are fine, the caller is still refused (and anything but
    a plain false counts as anonymous)."""
    token = mint_token(SECRET, USER, anonymous=True)
    with pytest.raises(AnonymousUser) as refused:
        await auth.authenticate(bearer(token))
    assert refused.value.status_code == 403 and refused.value.code == "anonymous_user"
    claims = {**jwt.decode(token, options={"verify_signature": False}), "is_anonymous": flag}
    with pytest.raises(AnonymousUser):
        await auth.authenticate(bearer(jwt.encode(claims, SECRET, algorithm="HS256")))
    signed_in = mint_token(SECRET, USER)
    assert jwt.decode(signed_in, options={"verify_signature": False})["is_anonymous"] is False
    assert (await auth.authenticate(bearer(signed_in))).user_id == USER


async def test_a_signed_out_users_token_is_taken_until_its_expiry_and_never_after() -> None:
    """T38: signing out revokes the session's refresh token, not the access token already
    issued, which carries nothing that changes. It is accepted until its exp (plus LEEWAY_S of
    clock skew), refused after; the verified-token memory never outlasts it (next test)."""
    signed_out_at = time.time()
    still_valid = mint_token(SECRET, USER, ttl_s=300, now=signed_out_at - 60)
    assert (await auth.authenticate(bearer(still_valid))).user_id == USER
    within_leeway = mint_token(SECRET, USER, ttl_s=60, now=signed_out_at - 60 - LEEWAY_S / 2)
    assert (await auth.authenticate(bearer(within_leeway))).user_id == USER
    expired = mint_token(SECRET, USER, ttl_s=60, now=signed_out_at - 60 - LEEWAY_S - 1)
    with pytest.raises(Unauthenticated):
        await auth.authenticate(bearer(expired))


class CountingAuth(SupabaseAuth):
    """Counts signature checks; the clock is the test's."""

    def __init__(self, now: list[float]) -> None:
        super().__init__(SECRET, clock=lambda: now[0])
        self.checks = 0

    def _verify(self, token: str, key: str | PyJWK) -> dict[str, Any]:
        self.checks += 1
        return super()._verify(token, key)


async def test_a_verified_token_is_not_checked_again_until_its_expiry_or_a_minute() -> None:
    real = time.time()
    now = [real]  # the cache's clock; the signature check keeps the real one
    counting = CountingAuth(now)
    long_lived = bearer(mint_token(SECRET, USER, ttl_s=3600, now=real))
    assert [(await counting.authenticate(long_lived)).user_id for _ in range(3)] == [USER] * 3
    assert counting.checks == 1
    now[0] = real + VERIFIED_FOR_S + 1  # trusted for a minute at most
    await counting.authenticate(long_lived)
    assert counting.checks == 2

    now[0] = real
    short_lived = bearer(mint_token(SECRET, USER, ttl_s=5, now=real))
    await counting.authenticate(short_lived)
    await counting.authenticate(short_lived)
    assert counting.checks == 3
    now[0] = real + 6  # past its own expiry: checked again, never served from memory
    await counting.authenticate(short_lived)
    assert counting.checks == 4


async def test_a_token_one_byte_off_a_verified_one_is_checked_and_refused() -> None:
    counting = CountingAuth([time.time()])
    token = mint_token(SECRET, USER)
    await counting.authenticate(bearer(token))
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(Unauthenticated):
        await counting.authenticate(bearer(tampered))


async def test_remembered_tokens_are_bounded() -> None:
    counting = CountingAuth([time.time()])
    first = bearer(mint_token(SECRET, USER, now=time.time()))
    await counting.authenticate(first)
    for _ in range(VERIFIED_TOKENS):
        await counting.authenticate(bearer(mint_token(SECRET, str(uuid.uuid4()))))
    checks = counting.checks
    await counting.authenticate(first)  # the least recently used went first
    assert counting.checks == checks + 1
