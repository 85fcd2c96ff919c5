import time

import jwt
import pytest

from serve_app.contract.errors import Unauthenticated
from serve_app.infra.auth import SupabaseAuth, mint_token

SECRET = "k" * 48
USER = "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11"
auth = SupabaseAuth(SECRET)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def test_valid_user_token_yields_its_sub() -> None:
    caller = auth.authenticate(bearer(mint_token(SECRET, USER)))
    assert (caller.user_id, caller.is_service) == (USER, False)


def test_service_role_token_reaches_any_business() -> None:
    caller = auth.authenticate(bearer(mint_token(SECRET, "", role="service_role")))
    assert caller.is_service


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer x.y.z"])
def test_missing_or_malformed_header_is_401(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(header)


def test_expired_token_is_401() -> None:
    token = mint_token(SECRET, USER, ttl_s=60, now=time.time() - 3600)
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(token))


def test_forged_signature_is_401() -> None:
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(mint_token("z" * 48, USER)))


def test_alg_none_is_401() -> None:
    claims = {"sub": USER, "aud": "authenticated", "exp": int(time.time()) + 600}
    token = jwt.encode(claims, key=None, algorithm="none")
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(token))


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "authenticated"},  # no sub
        {"sub": USER},  # no aud
        {"sub": USER, "aud": "anon"},  # anon audience
        {"sub": "not-a-uuid", "aud": "authenticated"},
        {"sub": USER, "aud": "authenticated", "role": "anon"},
    ],
)
def test_claims_that_are_not_a_signed_in_user_are_401(claims: dict[str, str]) -> None:
    token = jwt.encode({**claims, "exp": int(time.time()) + 600}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(token))


def test_missing_exp_is_401() -> None:
    token = jwt.encode({"sub": USER, "aud": "authenticated"}, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        auth.authenticate(bearer(token))


def test_issuer_is_checked_when_configured() -> None:
    strict = SupabaseAuth(SECRET, issuer="https://ref.supabase.co/auth/v1")
    with pytest.raises(Unauthenticated):
        strict.authenticate(bearer(mint_token(SECRET, USER, issuer="https://evil/auth/v1")))
    good = mint_token(SECRET, USER, issuer="https://ref.supabase.co/auth/v1")
    assert strict.authenticate(bearer(good)).user_id == USER
