"""Configuration objects. Nothing here reads the environment at import time.

Three kinds, as in the style guide: `Settings` (environment and secrets, read per replica, here),
`AppArgs` (what to load, bind-time, here) and the `*Tuning` models (how to decide, live, in
kernel.tuning, which the model deployments share).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from kernel.paths import PROJECT_ROOT
from kernel.tuning import ModelsConfig

Environment = Literal["development", "staging", "production"]
ENV_FILES: dict[str, str] = {
    "development": ".env",
    "staging": ".env.staging",
    "production": ".env.production",
}


def trusted_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """`TRUSTED_PROXIES` parsed; a bad entry is an error here, where a proxy-headers middleware
    would silently treat it as a host name that never matches."""
    try:
        return [ipaddress.ip_network(item.strip()) for item in value.split(",") if item.strip()]
    except ValueError as exc:
        raise ValueError(f"not an address or network: {exc}") from exc


class SettingsError(RuntimeError):
    """A bad environment value; the message names the variable. Start-up stops on it."""


class Settings(BaseSettings):
    """Secrets, endpoints and switches, read on each replica from its environment."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    ENVIRONMENT: Environment
    """No default: a missing value stops start-up (load_settings), so an env file or manifest
    that forgets it cannot open development's routes (/docs, the operator routes) by accident.
    `make env` writes ENVIRONMENT=development into the development .env."""
    SUPABASE_URL: str | None = None
    """https://<ref>.supabase.co; with SUPABASE_SERVICE_KEY and no DATABASE_URL selects REST.
    Access tokens' issuer must be <SUPABASE_URL>/auth/v1. Required outside development."""
    SUPABASE_SERVICE_KEY: SecretStr | None = None
    SUPABASE_ANON_KEY: SecretStr | None = None
    SUPABASE_JWT_SECRET: SecretStr | None = None
    """The project's legacy HS256 JWT secret; verifies users' HS256 access tokens. Required
    unless a JWKS is configured (a project that has revoked its legacy secret has none to give);
    without it HS256 tokens are refused. Never logged."""
    SUPABASE_JWKS_URL: str | None = None
    """Where the project publishes its asymmetric signing keys (ES256/RS256 tokens). Unset:
    <SUPABASE_URL>/auth/v1/.well-known/jwks.json when SUPABASE_URL is set, else none. Never
    taken from a token. https outside development."""
    OPS_TOKEN: SecretStr | None = None
    """The operators' bearer credential for /health/detailed, /health/dependencies,
    POST /health/test/{component} and the whole /metrics page. Required outside development;
    unset in development, those routes are open. Never logged."""
    DATABASE_URL: SecretStr | None = None
    """postgresql://... (also Supabase's Postgres string). Unset: the embedded SQLite file."""
    REDIS_URL: str | None = None
    """redis://...; unset: an in-process TTL cache."""
    FRAUD_DETECTION_ENABLED: bool = True
    PREDICTIVE_ANALYTICS_ENABLED: bool = True
    COMPLIANCE_CHECKING_ENABLED: bool = True
    NLP_INVOICE_ENABLED: bool = True
    MODEL_CACHE_SIZE: int = Field(default=256, ge=1, le=1_000_000)
    """Entries the in-process cache keeps per replica."""
    MODEL_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0, le=120)
    """Deadline for one call into a model deployment."""
    REQUEST_BUDGET_SECONDS: float = Field(default=20.0, gt=0, le=300)
    """The time one request may take in all (the client gives up at 30 s and retries): every
    database and model call shares it, and is cancelled when it runs out (504)."""
    DATABASE_MAX_CONNECTIONS: int = Field(default=10, ge=1, le=200)
    DATABASE_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=300)
    SQLITE_PATH: str = str(PROJECT_ROOT / "var" / "fineasy.db")
    """The embedded database file, used when DATABASE_URL is unset."""
    LOG_DIR: str = str(PROJECT_ROOT / "var" / "logs")
    """Where ai_backend.log, audit/ai_audit.log and audit/ai_security.log are written (JSON
    lines, appended by every replica, rotated by logrotate or the container runtime)."""
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    LOG_FILES: bool = True
    """False: JSON lines on stderr only, no files in LOG_DIR (Kubernetes: the container runtime
    keeps and rotates a pod's stream, and an unrotated file would fill the pod's volume)."""
    OUTBOX_DIR: str | None = None
    """Where audit rows the database refused wait to be replayed (a SQLite file shared by the
    node's replicas). Unset: LOG_DIR/outbox, on the volume that keeps the logs."""
    RATE_LIMIT_PER_USER: int = Field(default=300, ge=1, le=100_000)
    """Requests a minute one user may make on the authenticated routes (all replicas, with
    Redis)."""
    RATE_LIMIT_PER_ADDRESS: int = Field(default=30, ge=1, le=100_000)
    """Requests a minute one client address may make on the public invoice parsers."""
    RETENTION_ANALYSIS_DAYS: int = Field(default=180, ge=1, le=36_500)
    """Days the audit rows of predictions (ai_analysis_results) are kept."""
    RETENTION_ALERTS_DAYS: int = Field(default=365, ge=1, le=36_500)
    """Days a fraud alert is kept after an analysis last found it."""
    RETENTION_INSIGHTS_DAYS: int = Field(default=90, ge=1, le=36_500)
    """Days a stored insight (business_insights) is kept after it was made."""
    RATE_LIMIT_OCR_PER_ADDRESS: int = Field(default=10, ge=1, le=100_000)
    """Photos a minute one client address may send to the OCR route (about a second of CPU
    each)."""
    MAX_REQUEST_BYTES: int = Field(default=1_000_000, ge=1024)
    MAX_IMAGE_REQUEST_BYTES: int = Field(default=8_200_000, ge=1024)
    """The OCR route's body limit: a photo of up to 6 MB as base64, in JSON."""
    OCR_MAX_IN_FLIGHT: int = Field(default=8, ge=1, le=1_000)
    """Photos one ingress replica sends on at once; past it a photo is answered 503
    `overloaded` before its body is read. Eight is about eight seconds of the two OCR replicas'
    work, inside the model call's 10 s: more would only wait to time out."""
    MAX_IN_FLIGHT: int = Field(default=128, ge=1, le=10_000)
    """Requests one ingress replica works on at once; past it a request is answered at once with
    503 `overloaded` and Retry-After (health and metrics excepted). Below the Ingress's
    max_ongoing_requests in config/serve.yaml, so overload is answered in the app's JSON shape,
    not by Ray's plain-text 503."""
    CORS_ORIGINS: str = ""
    """Comma-separated web origins allowed to call with a bearer token; empty allows none."""
    TRUSTED_PROXIES: str = ""
    """Comma-separated addresses or networks (10.0.0.0/8) of the proxies in front of the app
    whose X-Forwarded-For is believed: a load balancer that appends the caller's address, and the
    hop between it and the app (Ray's HAProxy, which passes the header on unchanged). The client
    is then the right-most address not in the list. Empty: the connecting peer is the client."""

    @field_validator("TRUSTED_PROXIES")
    @classmethod
    def _networks(cls, value: str) -> str:
        trusted_networks(value)
        return value

    @property
    def trusted_proxies(self) -> list[str]:
        return [str(network) for network in trusted_networks(self.TRUSTED_PROXIES)]

    @property
    def jwks_url(self) -> str | None:
        if self.SUPABASE_JWKS_URL:
            return self.SUPABASE_JWKS_URL
        if self.SUPABASE_URL:
            return f"{self.SUPABASE_URL.rstrip('/')}/auth/v1/.well-known/jwks.json"
        return None

    @property
    def outbox_dir(self) -> str:
        return self.OUTBOX_DIR or str(Path(self.LOG_DIR) / "outbox")

    @property
    def features(self) -> dict[str, bool]:
        return {
            "fraud_detection": self.FRAUD_DETECTION_ENABLED,
            "predictive_analytics": self.PREDICTIVE_ANALYTICS_ENABLED,
            "compliance_checking": self.COMPLIANCE_CHECKING_ENABLED,
            "nlp_invoice": self.NLP_INVOICE_ENABLED,
        }

    @property
    def store_kind(self) -> Literal["postgres", "supabase", "sqlite"]:
        if self.DATABASE_URL is not None:
            return "postgres"
        if self.SUPABASE_URL and self.SUPABASE_SERVICE_KEY is not None:
            return "supabase"
        return "sqlite"

    def sqlalchemy_url(self) -> str:
        if self.DATABASE_URL is None:
            return f"sqlite+aiosqlite:///{self.SQLITE_PATH}"
        url = self.DATABASE_URL.get_secret_value()
        for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + self._pooler_query(url[len(prefix) :])
        raise SettingsError("DATABASE_URL must be a postgresql:// URL")

    def behind_transaction_pooler(self) -> bool:
        """DATABASE_URL points at a pooler in transaction mode (Supabase's on port 6543, or any
        with `pgbouncer=true` in its query): a connection may change between statements, so
        prepared statements must not be cached or named across them."""
        if self.DATABASE_URL is None:
            return False
        parts = urlsplit(self.DATABASE_URL.get_secret_value())
        return parts.port == 6543 or "pgbouncer=true" in parts.query.lower()

    def _pooler_query(self, rest: str) -> str:
        """Behind a transaction pooler, SQLAlchemy's own prepared-statement cache is off, and
        the `pgbouncer=true` flag other clients use (asyncpg would refuse it) is dropped; every
        other option (sslmode, ...) stays."""
        if not self.behind_transaction_pooler():
            return rest
        place, _, query = rest.partition("?")
        kept = [(k, v) for k, v in parse_qsl(query) if k.lower() != "pgbouncer"]
        return f"{place}?{urlencode([*kept, ('prepared_statement_cache_size', '0')])}"

    def jwt_secret(self) -> str:
        if self.SUPABASE_JWT_SECRET is None:
            raise SettingsError("SUPABASE_JWT_SECRET is not set")
        return self.SUPABASE_JWT_SECRET.get_secret_value()


def _environment(env: dict[str, str], given: bool, folder: Path) -> str:
    """The ENVIRONMENT that names the env file: from the process environment (or the given
    mapping); else, for the process, from the development file `.env`, where `make env` writes
    it. Never a default."""
    environment = env.get("ENVIRONMENT") or None
    development_file = folder / ENV_FILES["development"]
    if environment is None and not given and development_file.is_file():
        named = DotEnvSettingsSource(Settings, env_file=development_file)().get("ENVIRONMENT")
        environment = str(named) if named else None
        if environment not in (None, "development"):
            raise SettingsError(
                f"ENVIRONMENT={environment!r} in {ENV_FILES['development']}, the development"
                " file: set ENVIRONMENT in the process environment for staging or production"
            )
    if environment is None:
        raise SettingsError(
            "ENVIRONMENT is not set: it must be development, staging or production (there is no"
            " default; `make env` writes ENVIRONMENT=development into .env)"
        )
    if environment not in ENV_FILES:
        raise SettingsError(
            f"ENVIRONMENT={environment!r} is not one of development, staging, production"
        )
    return environment


class _Given(Settings):
    """Settings from an explicit mapping only: no process environment, no env file."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _check_jwks_url(settings: Settings) -> None:
    """The JWKS decides which signatures are users': fetched over http(s) only, and outside
    development over TLS. The error names the variable it came from."""
    url = settings.jwks_url
    if url is None:
        return
    name = "SUPABASE_JWKS_URL" if settings.SUPABASE_JWKS_URL else "SUPABASE_URL"
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise SettingsError(f"{name} must be an http(s) URL")
    if scheme != "https" and settings.ENVIRONMENT != "development":
        raise SettingsError(
            f"{name} must be https with ENVIRONMENT={settings.ENVIRONMENT}: the project's"
            " signing keys are fetched from it"
        )


def load_settings(environ: dict[str, str] | None = None, folder: Path = PROJECT_ROOT) -> Settings:
    """Reads the process environment plus the env file its ENVIRONMENT names (in `folder`, the
    checkout), or only `environ` when given (tests, tools). Errors name the variable.

    Outside development the service fails closed: it does not start without OPS_TOKEN (the
    operator routes would otherwise be absent or open) or SUPABASE_URL (the issuer every access
    token must name)."""
    env = dict(os.environ if environ is None else environ)
    environment = _environment(env, environ is not None, folder)
    env_file = folder / ENV_FILES[environment]
    try:
        settings = (
            Settings(_env_file=env_file, ENVIRONMENT=environment)
            if environ is None
            else _Given.model_validate(env)
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid configuration: {problems}") from exc
    if settings.SUPABASE_JWT_SECRET is None and settings.jwks_url is None:
        raise SettingsError(
            "SUPABASE_JWT_SECRET is required without a JWKS (SUPABASE_URL or SUPABASE_JWKS_URL)"
            " to verify tokens with (development: `make env` writes one into .env)"
        )
    secret = settings.SUPABASE_JWT_SECRET
    if secret is not None and len(secret.get_secret_value()) < 32:
        raise SettingsError("SUPABASE_JWT_SECRET must be at least 32 characters")
    _check_jwks_url(settings)
    if settings.DATABASE_URL is not None:
        settings.sqlalchemy_url()
    if settings.OPS_TOKEN is not None and len(settings.OPS_TOKEN.get_secret_value()) < 24:
        raise SettingsError("OPS_TOKEN must be at least 24 characters")
    if settings.ENVIRONMENT == "production" and settings.store_kind == "sqlite":
        raise SettingsError(
            "ENVIRONMENT=production needs DATABASE_URL, or SUPABASE_URL and SUPABASE_SERVICE_KEY:"
            " the embedded SQLite file is for development"
        )
    if settings.ENVIRONMENT != "development":
        if settings.OPS_TOKEN is None:
            raise SettingsError(
                f"OPS_TOKEN is required with ENVIRONMENT={settings.ENVIRONMENT}: the operators'"
                " credential for /health/detailed, /health/test/*, /metrics (openssl rand -hex 24)"
            )
        if not settings.SUPABASE_URL:
            raise SettingsError(
                f"SUPABASE_URL is required with ENVIRONMENT={settings.ENVIRONMENT}: every access"
                " token's issuer is checked against <SUPABASE_URL>/auth/v1"
            )
    return settings


class AppArgs(BaseModel):
    """`args:` of config/serve.yaml: what the model deployments load, bind-time (a change
    restarts their replicas). Never secrets; tuning lives in each deployment's user_config."""

    model_config = ConfigDict(extra="forbid")

    models: ModelsConfig = ModelsConfig()
