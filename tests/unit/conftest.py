"""Unit tier: no Ray, no sleeps, and no network servers but one stand-in for an HTTP dependency
that cannot run here: the Supabase project's JWKS endpoint, a thread of the test process on
127.0.0.1 (tests/support/jwks.py)."""

import pytest


@pytest.fixture(autouse=True)
def _no_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    import ray

    def refuse(*_: object, **__: object) -> None:
        raise RuntimeError("unit tests must not start Ray")

    monkeypatch.setattr(ray, "init", refuse)
