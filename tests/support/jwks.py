"""A Supabase project's JWKS endpoint for tests: a real HTTP server on 127.0.0.1 (a thread of
this process) serving the public half of keys made here with `cryptography`, and tokens signed
with their private half, shaped as Supabase's.

Hosted Supabase cannot run here; what the backend does with a JWKS (fetch it over HTTP with a
timeout, pick keys, cache them, survive its outage) runs for real against this server. The
server counts the requests it answers, can fail them (`status`), hold them until released
(`hold`), or be stopped (then its port refuses connections).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from serve_app.infra.auth import user_claims
from testkit.ports import free_port

JWKS_PATH = "/auth/v1/.well-known/jwks.json"


@dataclass
class SigningKey:
    """One asymmetric key of the project: its private half signs, its public half is
    published."""

    kid: str
    algorithm: str
    private: Any

    @classmethod
    def es256(cls, kid: str) -> SigningKey:
        return cls(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def rs256(cls, kid: str, bits: int = 2048) -> SigningKey:
        return cls(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=bits))

    def jwk(self) -> dict[str, Any]:
        """The public JWK, as Supabase publishes it (kid, alg, use, key_ops)."""
        writer = ECAlgorithm if self.algorithm.startswith("ES") else RSAAlgorithm
        public: dict[str, Any] = json.loads(writer.to_jwk(self.private.public_key()))
        return {
            **public,
            "kid": self.kid,
            "alg": self.algorithm,
            "use": "sig",
            "key_ops": ["verify"],
        }

    def sign(self, user_id: str, headers: dict[str, Any] | None = None, **claims: Any) -> str:
        """A user's access token signed with this key (`claims`: user_claims' arguments)."""
        return jwt.encode(
            user_claims(user_id, **claims),
            self.private,
            algorithm=self.algorithm,
            headers={"kid": self.kid, **(headers or {})},
        )


@dataclass
class JwksServer:
    """The JWKS endpoint: `keys` are published at `url`; `requests` counts what it answered."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    requests: int = 0
    hold: threading.Event | None = None
    """When given, each request waits until it is set (a JWKS that answers too slowly)."""
    arrived: threading.Event = field(default_factory=threading.Event)
    """Set when a request has reached the server."""
    url: str = ""

    def publish(self, *keys: SigningKey) -> None:
        self.keys = [k.jwk() for k in keys]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                server.arrived.set()
                if server.hold is not None:
                    server.hold.wait(30)
                body = json.dumps({"keys": server.keys}).encode()
                if self.path != JWKS_PATH:
                    self.send_response(404)
                    body = b"{}"
                else:
                    self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                return None

        return Handler


@contextmanager
def jwks_server(*keys: SigningKey) -> Iterator[JwksServer]:
    """A running JWKS endpoint publishing `keys`; stopped (its port closed) on exit."""
    state = JwksServer()
    state.publish(*keys)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state._handler())
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}{JWKS_PATH}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def refused_url() -> str:
    """A JWKS URL on 127.0.0.1 where nothing listens (connections refused at once)."""
    return f"http://127.0.0.1:{free_port()}{JWKS_PATH}"
