"""ES256 and RS256 access tokens verified against the project's JWKS (plan T18, T19), with real
keys and a real JWKS endpoint on 127.0.0.1 (tests/support/jwks.py). The keys' clock is the
test's, so lifespans and cooldowns pass without waiting; the server counts every fetch."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.warnings import InsecureKeyLengthWarning

from serve_app.contract.errors import AuthUnavailable, Unauthenticated
from serve_app.infra.auth import SupabaseAuth, mint_token, user_claims
from serve_app.infra.jwks import COOLDOWN_S, LIFESPAN_S, RETRY_S, ProjectKeys, usable_keys
from tests.support.jwks import JwksServer, SigningKey, jwks_server, refused_url

SECRET = "k" * 48
USER = "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11"
EC_KEY = SigningKey.es256("ec-2026-01")
RSA_KEY = SigningKey.rs256("rsa-2026-01")
ATTACKER = SigningKey.es256("attacker")


class Clock:
    """The keys' monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server() -> Iterator[JwksServer]:
    with jwks_server(EC_KEY, RSA_KEY) as running:
        yield running


def auth_for(
    url: str, clock: Clock, secret: str | None = SECRET, **keys: Any
) -> tuple[SupabaseAuth, ProjectKeys]:
    project = ProjectKeys(url, clock=clock, **keys)
    return SupabaseAuth(secret, keys=project), project


def bearer(token: str) -> str:
    return f"Bearer {token}"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hmac_token(secret: bytes, kid: str) -> str:
    """An HS256 token written by hand (PyJWT refuses to use a public key as an HMAC secret)."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64(json.dumps(user_claims(USER)).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


async def test_es256_and_rs256_tokens_verify_beside_the_legacy_secret(
    server: JwksServer, clock: Clock
) -> None:
    auth, _ = auth_for(server.url, clock)
    for token in (EC_KEY.sign(USER), RSA_KEY.sign(USER), mint_token(SECRET, USER)):
        assert (await auth.authenticate(bearer(token))).user_id == USER
    assert server.requests == 1  # one fetch served both keys
    forged = jwt.encode(
        user_claims(USER), ATTACKER.private, algorithm="ES256", headers={"kid": EC_KEY.kid}
    )
    with pytest.raises(Unauthenticated):  # a published kid, someone else's signature
        await auth.authenticate(bearer(forged))


async def test_each_key_verifies_only_its_own_algorithm(server: JwksServer, clock: Clock) -> None:
    auth, _ = auth_for(server.url, clock)
    public_pem = EC_KEY.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    wrong = [
        hmac_token(public_pem, EC_KEY.kid),  # the published key as an HMAC secret
        hmac_token(json.dumps(EC_KEY.jwk()).encode(), EC_KEY.kid),
        jwt.encode(  # an ES256 header naming the RSA key
            user_claims(USER), EC_KEY.private, algorithm="ES256", headers={"kid": RSA_KEY.kid}
        ),
        jwt.encode(  # an RS256 header naming the EC key
            user_claims(USER), RSA_KEY.private, algorithm="RS256", headers={"kid": EC_KEY.kid}
        ),
        jwt.encode(user_claims(USER), None, algorithm="none", headers={"kid": EC_KEY.kid}),
    ]
    for token in wrong:
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(token))
    keys_only, _ = auth_for(server.url, clock, secret=None)
    with pytest.raises(Unauthenticated):  # no legacy secret configured: HS256 is not accepted
        await keys_only.authenticate(bearer(mint_token(SECRET, USER)))
    assert (await keys_only.authenticate(bearer(EC_KEY.sign(USER)))).user_id == USER


async def test_a_symmetric_key_in_the_jwks_is_never_a_verifier(clock: Clock) -> None:
    shared = b"s" * 48
    octet = {"kty": "oct", "k": b64(shared), "kid": "sym", "alg": "HS256", "use": "sig"}
    with jwks_server(EC_KEY) as server:
        server.keys.append(octet)
        auth, keys = auth_for(server.url, clock)
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(hmac_token(shared, "sym")))
        await keys.refresh(force=True)
        assert keys.state().kids == [EC_KEY.kid]


def test_usable_keys_keep_asymmetric_signing_keys_only() -> None:
    p384 = SigningKey("p384", "ES384", ec.generate_private_key(ec.SECP384R1())).jwk()
    document = {
        "keys": [
            EC_KEY.jwk(),
            RSA_KEY.jwk(),
            {**ATTACKER.jwk(), "use": "enc"},
            {k: v for k, v in ATTACKER.jwk().items() if k != "kid"},
            {"kty": "oct", "k": b64(b"x" * 32), "kid": "sym"},
            {**p384, "alg": "ES384"},
            {"kty": "EC", "kid": "broken"},
            "not a key",
        ]
    }
    assert sorted(usable_keys(document)) == sorted([EC_KEY.kid, RSA_KEY.kid])
    assert usable_keys({"keys": []}) == {}  # a project with only its legacy secret
    with pytest.raises(ValueError):
        usable_keys({"no": "keys"})


async def test_a_weak_rsa_key_is_refused(clock: Clock) -> None:
    weak = SigningKey.rs256("weak", bits=1024)
    with jwks_server(weak) as server:
        auth, _ = auth_for(server.url, clock)
        with pytest.warns(InsecureKeyLengthWarning):  # PyJWT signs with it, but says so
            token = weak.sign(USER)
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(token))


async def test_a_tokens_own_jku_x5u_and_issuer_are_never_followed(clock: Clock) -> None:
    with jwks_server(EC_KEY) as project, jwks_server(ATTACKER) as attacker:
        auth = SupabaseAuth(
            SECRET,
            issuer="https://ref.supabase.co/auth/v1",
            keys=ProjectKeys(project.url, clock=clock),
        )
        pointing = {"jku": attacker.url, "x5u": attacker.url}
        tokens = [
            ATTACKER.sign(USER, headers=pointing, issuer="https://ref.supabase.co/auth/v1"),
            ATTACKER.sign(USER, headers=pointing, issuer=attacker.url),
        ]
        for token in tokens:
            with pytest.raises(Unauthenticated):
                await auth.authenticate(bearer(token))
        assert attacker.requests == 0 and project.requests == 1
        good = EC_KEY.sign(USER, headers=pointing, issuer="https://ref.supabase.co/auth/v1")
        assert (await auth.authenticate(bearer(good))).user_id == USER
        assert attacker.requests == 0


async def test_a_thousand_made_up_kids_cost_at_most_two_fetches(
    server: JwksServer, clock: Clock
) -> None:
    auth, _ = auth_for(server.url, clock)
    claims = user_claims(USER)
    for _ in range(1000):
        made_up = jwt.encode(
            claims, ATTACKER.private, algorithm="ES256", headers={"kid": uuid.uuid4().hex}
        )
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(made_up))
    assert 1 <= server.requests <= 2
    fetched = server.requests
    clock.now += COOLDOWN_S  # a cooldown later, one more unknown kid may look again, once
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(ATTACKER.sign(USER)))
    assert server.requests == fetched + 1


async def test_a_rotated_key_is_taken_after_a_refetch_and_a_removed_one_stops(
    clock: Clock,
) -> None:
    new = SigningKey.es256("ec-2026-07")
    with jwks_server(EC_KEY) as server:
        auth, keys = auth_for(server.url, clock)
        remembered = bearer(EC_KEY.sign(USER))
        assert (await auth.authenticate(remembered)).user_id == USER
        server.publish(EC_KEY, new)  # Supabase publishes the new key, then signs with it
        clock.now += COOLDOWN_S
        assert (await auth.authenticate(bearer(new.sign(USER)))).user_id == USER  # no restart
        assert server.requests == 2

        server.publish(new)  # the old key revoked
        clock.now += LIFESPAN_S  # past the set's lifespan: the next token starts a fetch
        await auth.authenticate(bearer(EC_KEY.sign(USER)))  # still the set it has
        await keys.refresh()  # the fetch it started, done
        assert server.requests == 3 and keys.state().kids == [new.kid]
        for token in (remembered, bearer(EC_KEY.sign(USER))):  # remembered as verified too
            with pytest.raises(Unauthenticated):
                await auth.authenticate(token)
        assert (await auth.authenticate(bearer(new.sign(USER)))).user_id == USER


async def test_a_cold_start_with_the_jwks_down_is_503_and_recovers(
    server: JwksServer, clock: Clock
) -> None:
    server.status = 503
    auth, _ = auth_for(server.url, clock)
    for _ in range(20):  # one attempt, not one per request
        with pytest.raises(AuthUnavailable) as down:
            await auth.authenticate(bearer(EC_KEY.sign(USER)))
    assert server.requests == 1
    assert (down.value.status_code, down.value.code) == (503, "auth_unavailable")
    assert down.value.details == {
        "reason": "the project's signing keys cannot be fetched",
        "retry_after_s": 5,
    }
    assert (await auth.authenticate(bearer(mint_token(SECRET, USER)))).user_id == USER
    server.status = 200
    clock.now += RETRY_S
    assert (await auth.authenticate(bearer(EC_KEY.sign(USER)))).user_id == USER
    assert server.requests == 2

    unreachable, _ = auth_for(refused_url(), clock)  # nothing listens: refused, not a hang
    with pytest.raises(AuthUnavailable):
        await unreachable.authenticate(bearer(EC_KEY.sign(USER)))


async def test_keys_held_keep_verifying_through_an_outage(server: JwksServer, clock: Clock) -> None:
    auth, keys = auth_for(server.url, clock)
    assert (await auth.authenticate(bearer(RSA_KEY.sign(USER)))).user_id == USER
    server.status = 500
    clock.now += LIFESPAN_S + 1
    for _ in range(5):  # fresh tokens each time: none is remembered as verified
        assert (await auth.authenticate(bearer(EC_KEY.sign(USER)))).user_id == USER
        await keys.refresh()
    state = keys.state()
    assert state.error == "PyJWKClientConnectionError" and state.kids == sorted(
        [EC_KEY.kid, RSA_KEY.kid]
    )
    assert server.requests == 2  # one failed fetch; the next waits RETRY_S
    with pytest.raises(AuthUnavailable):  # a key it cannot know now: not a 401
        await auth.authenticate(bearer(ATTACKER.sign(USER)))


async def test_the_operators_cache_bust_fetches_at_once(clock: Clock) -> None:
    new = SigningKey.es256("ec-2026-08")
    with jwks_server(EC_KEY) as server:
        auth, keys = auth_for(server.url, clock)
        assert (await auth.authenticate(bearer(EC_KEY.sign(USER)))).user_id == USER
        server.publish(EC_KEY, new)
        with pytest.raises(Unauthenticated):  # within the cooldown: not fetched again
            await auth.authenticate(bearer(new.sign(USER)))
        state = await keys.refresh(force=True)
        assert state.kids == sorted([EC_KEY.kid, new.kid]) and server.requests == 2
        assert (await auth.authenticate(bearer(new.sign(USER)))).user_id == USER


async def test_tokens_waiting_for_keys_share_one_fetch(server: JwksServer, clock: Clock) -> None:
    auth, _ = auth_for(server.url, clock)
    tokens = [bearer(k.sign(USER)) for k in (EC_KEY, RSA_KEY) for _ in range(25)]
    callers = await asyncio.gather(*(auth.authenticate(t) for t in tokens))
    assert {c.user_id for c in callers} == {USER} and server.requests == 1


async def test_a_slow_jwks_neither_blocks_the_loop_nor_outlasts_its_timeout(
    server: JwksServer, clock: Clock
) -> None:
    server.hold = threading.Event()
    auth, keys = auth_for(server.url, clock)
    waiting = asyncio.create_task(auth.authenticate(bearer(EC_KEY.sign(USER))))
    assert await asyncio.to_thread(server.arrived.wait, 10)  # the fetch is at the server
    # the loop serves others meanwhile: a legacy token is verified while the fetch still waits
    assert (await auth.authenticate(bearer(mint_token(SECRET, USER)))).user_id == USER
    assert keys.state().error is None and keys.state().fetched_s_ago is None
    server.hold.set()  # the JWKS answers: the waiting token goes through
    assert (await waiting).user_id == USER

    server.hold.clear()
    slow, _ = auth_for(server.url, clock, timeout_s=0.2)
    with pytest.raises(AuthUnavailable):  # past its timeout: a 503, never a hang
        await slow.authenticate(bearer(EC_KEY.sign(USER)))
    server.hold.set()


async def test_garbage_and_legacy_tokens_are_judged_locally_without_a_fetch(
    server: JwksServer, clock: Clock
) -> None:
    """T37: a minute of garbage from one address (200 tokens: random text, forged HS256,
    expired, HS256 naming a published kid) is refused here, each by parsing and at most one
    HMAC, none by a call to the JWKS (or to Supabase's Auth server, which is never called)."""
    auth, _ = auth_for(server.url, clock)
    garbage = [
        f"{uuid.uuid4().hex}.{uuid.uuid4().hex}.{uuid.uuid4().hex}",
        mint_token("f" * 48, USER),
        mint_token(SECRET, USER, ttl_s=10, now=time.time() - 3600),
        hmac_token(b"g" * 48, EC_KEY.kid),
    ]
    for index in range(200):
        with pytest.raises(Unauthenticated):
            await auth.authenticate(bearer(garbage[index % len(garbage)]))
    assert server.requests == 0
    assert (await auth.authenticate(bearer(mint_token(SECRET, USER)))).user_id == USER
    assert server.requests == 0
