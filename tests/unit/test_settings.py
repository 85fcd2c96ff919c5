import re
from pathlib import Path

import pytest

from serve_app.infra.settings import SettingsError, load_settings

BASE = {"ENVIRONMENT": "development", "SUPABASE_JWT_SECRET": "s" * 40}
OUTSIDE_DEVELOPMENT = {
    "SUPABASE_JWT_SECRET": "s" * 40,
    "SUPABASE_URL": "https://ref.supabase.co",
    "OPS_TOKEN": "o" * 24,
    "DATABASE_URL": "postgresql://u:p@db:5432/x",
}
"""What staging and production need to start (besides ENVIRONMENT itself)."""


def test_defaults_select_embedded_sqlite_and_enable_every_feature() -> None:
    settings = load_settings(BASE)
    assert settings.store_kind == "sqlite"
    assert settings.sqlalchemy_url().startswith("sqlite+aiosqlite:///")
    assert settings.features == {
        "fraud_detection": True,
        "predictive_analytics": True,
        "compliance_checking": True,
        "nlp_invoice": True,
    }


@pytest.mark.parametrize(
    "name, value",
    [
        ("MODEL_TIMEOUT_SECONDS", "zero"),
        ("MODEL_TIMEOUT_SECONDS", "-1"),
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("DATABASE_TIMEOUT_SECONDS", "abc"),
        ("MODEL_CACHE_SIZE", "-5"),
        ("FRAUD_DETECTION_ENABLED", "maybe"),
        ("ENVIRONMENT", "prod"),
        ("DATABASE_URL", "mysql://x"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, lb.internal"),
        ("TRUSTED_PROXIES", "10.0.0.1/8"),
    ],
)
def test_bad_value_stops_startup_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**BASE, name: value})


def test_missing_or_short_jwt_secret_is_refused() -> None:
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET"):
        load_settings({"ENVIRONMENT": "development"})
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET"):
        load_settings({"ENVIRONMENT": "development", "SUPABASE_JWT_SECRET": "short"})


def test_database_url_selects_postgres_with_the_asyncpg_driver() -> None:
    settings = load_settings({**BASE, "DATABASE_URL": "postgresql://u:p@db:5432/x"})
    assert settings.store_kind == "postgres"
    assert settings.sqlalchemy_url() == "postgresql+asyncpg://u:p@db:5432/x"


def test_behind_supabases_transaction_pooler_no_statement_is_cached_or_shared() -> None:
    pooled = load_settings(
        {
            **BASE,
            "DATABASE_URL": "postgresql://u:p@aws-0.pooler.supabase.com:6543/x?sslmode=require",
        }
    )
    assert pooled.behind_transaction_pooler()
    assert pooled.sqlalchemy_url() == (
        "postgresql+asyncpg://u:p@aws-0.pooler.supabase.com:6543/x"
        "?sslmode=require&prepared_statement_cache_size=0"
    )
    flagged = load_settings({**BASE, "DATABASE_URL": "postgresql://u:p@db:5432/x?pgbouncer=true"})
    assert flagged.sqlalchemy_url().endswith("@db:5432/x?prepared_statement_cache_size=0")
    session = load_settings({**BASE, "DATABASE_URL": "postgresql://u:p@db:5432/x"})
    assert not session.behind_transaction_pooler()
    from serve_app.infra.store.engines import POOLER_CONNECT_ARGS

    names = POOLER_CONNECT_ARGS["prepared_statement_name_func"]
    assert POOLER_CONNECT_ARGS["statement_cache_size"] == 0 and names() != names()


def test_production_never_falls_back_to_the_embedded_file() -> None:
    with pytest.raises(SettingsError, match="ENVIRONMENT=production needs DATABASE_URL"):
        load_settings({**BASE, "ENVIRONMENT": "production"})
    remote = {**OUTSIDE_DEVELOPMENT, "ENVIRONMENT": "production"}
    assert load_settings(remote).store_kind == "postgres"


def test_supabase_url_and_service_key_alone_select_rest() -> None:
    settings = load_settings(
        {**BASE, "SUPABASE_URL": "https://ref.supabase.co", "SUPABASE_SERVICE_KEY": "k"}
    )
    assert settings.store_kind == "supabase"


def test_disabled_feature_shows_false() -> None:
    settings = load_settings({**BASE, "NLP_INVOICE_ENABLED": "false"})
    assert settings.features["nlp_invoice"] is False


def test_secrets_are_not_in_the_repr() -> None:
    settings = load_settings({**BASE, "DATABASE_URL": "postgresql://u:hunter2@db/x"})
    assert "hunter2" not in repr(settings) and "s" * 40 not in repr(settings)


def test_explicit_settings_ignore_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://leaked/x")
    monkeypatch.setenv("FRAUD_DETECTION_ENABLED", "false")
    settings = load_settings(BASE)
    assert settings.store_kind == "sqlite" and settings.features["fraud_detection"] is True


def test_process_environment_is_read_when_nothing_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in OUTSIDE_DEVELOPMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NLP_INVOICE_ENABLED", "false")
    monkeypatch.setenv("ENVIRONMENT", "staging")  # reads .env.staging, absent here
    settings = load_settings(folder=tmp_path)
    assert settings.ENVIRONMENT == "staging" and settings.features["nlp_invoice"] is False


def test_environment_has_no_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither a given mapping nor a process (a container whose env file forgot it) starts
    without ENVIRONMENT: a default of development would open /docs and the operator routes."""
    with pytest.raises(SettingsError, match="ENVIRONMENT is not set"):
        load_settings({"SUPABASE_JWT_SECRET": "s" * 40})
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    for name, value in OUTSIDE_DEVELOPMENT.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="ENVIRONMENT is not set"):
        load_settings(folder=tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "")
    with pytest.raises(SettingsError, match="ENVIRONMENT is not set"):
        load_settings(folder=tmp_path)


def test_the_development_file_may_name_development_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`make env` writes ENVIRONMENT=development into .env, so `make run` and `make token` work
    without exporting it; .env cannot make a process staging or production."""
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    monkeypatch.delenv("SUPABASE_JWT_SECRET", raising=False)
    (tmp_path / ".env").write_text(f"ENVIRONMENT=development\nSUPABASE_JWT_SECRET={'d' * 40}\n")
    settings = load_settings(folder=tmp_path)
    assert settings.ENVIRONMENT == "development"
    assert settings.jwt_secret() == "d" * 40
    (tmp_path / ".env").write_text(f"ENVIRONMENT=production\nSUPABASE_JWT_SECRET={'d' * 40}\n")
    with pytest.raises(SettingsError, match=re.escape("ENVIRONMENT='production' in .env")):
        load_settings(folder=tmp_path)


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("missing", ["OPS_TOKEN", "SUPABASE_URL"])
def test_outside_development_start_up_needs_the_operator_credential_and_the_issuer(
    environment: str, missing: str
) -> None:
    complete = {**OUTSIDE_DEVELOPMENT, "ENVIRONMENT": environment}
    assert environment == load_settings(complete).ENVIRONMENT
    without = {k: v for k, v in complete.items() if k != missing}
    with pytest.raises(SettingsError, match=f"{missing} is required with ENVIRONMENT"):
        load_settings(without)
    # development keeps working without either (make run on a fresh clone)
    assert load_settings({**without, "ENVIRONMENT": "development"}).ENVIRONMENT == "development"


def test_trusted_proxies_are_addresses_and_networks() -> None:
    assert load_settings(BASE).trusted_proxies == []
    settings = load_settings({**BASE, "TRUSTED_PROXIES": " 10.0.0.0/8, 127.0.0.1,::1 ,"})
    assert settings.trusted_proxies == ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]


def test_the_jwks_comes_from_the_settings_and_outside_development_over_tls() -> None:
    assert load_settings(BASE).jwks_url is None  # development without a project: HS256 only
    project = load_settings({**BASE, "SUPABASE_URL": "https://ref.supabase.co/"})
    assert project.jwks_url == "https://ref.supabase.co/auth/v1/.well-known/jwks.json"
    chosen = load_settings({**BASE, "SUPABASE_JWKS_URL": "http://127.0.0.1:9/jwks.json"})
    assert chosen.jwks_url == "http://127.0.0.1:9/jwks.json"  # plain http in development only
    staging = {**OUTSIDE_DEVELOPMENT, "ENVIRONMENT": "staging"}
    with pytest.raises(SettingsError, match="SUPABASE_JWKS_URL must be https"):
        load_settings({**staging, "SUPABASE_JWKS_URL": "http://jwks.internal/keys"})
    with pytest.raises(SettingsError, match="SUPABASE_URL must be https"):
        load_settings({**staging, "SUPABASE_URL": "http://ref.supabase.co"})
    with pytest.raises(SettingsError, match="SUPABASE_JWKS_URL must be an http"):
        load_settings({**BASE, "SUPABASE_JWKS_URL": "file:///etc/keys.json"})


def test_the_legacy_secret_is_optional_once_a_jwks_can_verify_tokens() -> None:
    """A project that has revoked its legacy HS256 secret has none to give: with a JWKS it
    starts without one (its HS256 tokens are then refused); with neither, nothing could verify
    a token, and start-up stops naming the secret."""
    keys_only = {k: v for k, v in OUTSIDE_DEVELOPMENT.items() if k != "SUPABASE_JWT_SECRET"}
    assert load_settings({**keys_only, "ENVIRONMENT": "production"}).SUPABASE_JWT_SECRET is None
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET is required without a JWKS"):
        load_settings({"ENVIRONMENT": "development"})
