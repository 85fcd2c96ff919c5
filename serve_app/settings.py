"""Configuration objects. Nothing here reads the environment at import time.

Three kinds, as in the style guide: `Settings` (environment and secrets, read per replica),
`AppArgs`/`ModelsConfig` (what to load, bind-time), `*Tuning` (how to decide, live).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
Environment = Literal["development", "staging", "production"]
ENV_FILES: dict[str, str] = {
    "development": ".env",
    "staging": ".env.staging",
    "production": ".env.production",
}


class SettingsError(RuntimeError):
    """A bad environment value; the message names the variable. Start-up stops on it."""


class Settings(BaseSettings):
    """Secrets, endpoints and switches, read on each replica from its environment."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    ENVIRONMENT: Environment = "development"
    SUPABASE_URL: str | None = None
    """https://<ref>.supabase.co; with SUPABASE_SERVICE_KEY and no DATABASE_URL selects REST."""
    SUPABASE_SERVICE_KEY: SecretStr | None = None
    SUPABASE_ANON_KEY: SecretStr | None = None
    SUPABASE_JWT_SECRET: SecretStr | None = None
    """The project's legacy HS256 JWT secret; verifies users' access tokens. Never logged."""
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
    DATABASE_MAX_CONNECTIONS: int = Field(default=10, ge=1, le=200)
    DATABASE_TIMEOUT_SECONDS: float = Field(default=5.0, gt=0, le=300)
    SQLITE_PATH: str = str(PROJECT_ROOT / "var" / "fineasy.db")
    """The embedded database file, used when DATABASE_URL is unset."""
    LOG_DIR: str = str(PROJECT_ROOT / "var" / "logs")
    """Where ai_backend.log, audit.log and security.log rotate (JSON lines)."""
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    MAX_REQUEST_BYTES: int = Field(default=1_000_000, ge=1024)
    CORS_ORIGINS: str = ""
    """Comma-separated web origins allowed to call with a bearer token; empty allows none."""

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
                return "postgresql+asyncpg://" + url[len(prefix) :]
        raise SettingsError("DATABASE_URL must be a postgresql:// URL")

    def jwt_secret(self) -> str:
        if self.SUPABASE_JWT_SECRET is None:
            raise SettingsError("SUPABASE_JWT_SECRET is not set")
        return self.SUPABASE_JWT_SECRET.get_secret_value()


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


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Reads the process environment plus the env file its ENVIRONMENT names, or only `environ`
    when given (tests, tools). Errors name the variable."""
    env = dict(os.environ if environ is None else environ)
    environment = env.get("ENVIRONMENT", "development")
    if environment not in ENV_FILES:
        raise SettingsError(
            f"ENVIRONMENT={environment!r} is not one of development, staging, production"
        )
    env_file = PROJECT_ROOT / ENV_FILES[environment]
    try:
        settings = Settings(_env_file=env_file) if environ is None else _Given.model_validate(env)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid configuration: {problems}") from exc
    if settings.SUPABASE_JWT_SECRET is None:
        raise SettingsError(
            "SUPABASE_JWT_SECRET is required (development: `make env` writes one into .env)"
        )
    if len(settings.SUPABASE_JWT_SECRET.get_secret_value()) < 32:
        raise SettingsError("SUPABASE_JWT_SECRET must be at least 32 characters")
    if settings.DATABASE_URL is not None:
        settings.sqlalchemy_url()
    return settings


class ModelTuning(BaseModel):
    """The `user_config` every model deployment shares: changed live by `serve deploy`, no
    replica restart."""

    model_version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    model_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    """When set, the artifact must hash to exactly this, on top of its manifest's own check."""


class FraudTuning(ModelTuning):
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Findings below this are not reported. The app shows alerts from 0.7 up by default."""
    duplicate_window_days: int = Field(default=45, ge=1, le=365)


class InsightsTuning(ModelTuning):
    """What counts as worth telling the owner. Every threshold is live-tunable."""

    top_customers: int = Field(default=3, ge=1, le=20)
    concentration_share: float = Field(default=0.6, gt=0.0, le=1.0)
    """Warn when the top customers' share of the last 12 months' revenue reaches this."""
    slowdown_factor: float = Field(default=2.0, ge=1.0, le=10.0)
    """A regular customer has slowed when the days since their last order exceed this many
    times their usual gap between orders."""
    min_orders_for_pattern: int = Field(default=4, ge=2, le=50)
    runway_warning_days: int = Field(default=90, ge=1, le=365)
    expense_growth_alert: float = Field(default=0.15, ge=0.0, le=5.0)
    """Warn when the last 3 months' operating expenses exceed the 3 before by this share."""
    valid_hours: int = Field(default=24, ge=1, le=24 * 30)


class ComplianceTuning(ModelTuning):
    min_rate_confidence: float = Field(default=0.8, ge=0.5, le=1.0)
    """The learned rate check flags an item only when it names the item at least this surely."""
    tolerance_per_invoice: float = Field(default=1.0, ge=0.0, le=100.0)
    tolerance_per_item: float = Field(default=0.01, ge=0.0, le=10.0)
    """Tax and totals may differ by tolerance_per_invoice + tolerance_per_item x items (rupees):
    each line's tax rounded to paise, the total to the rupee."""


class ModelsConfig(BaseModel):
    """Where model deployments load artifacts from: bind-time, a change restarts the replicas."""

    models_dir: str = str(PROJECT_ROOT / "var" / "models")


class AppArgs(BaseModel):
    """`args:` of config/serve.yaml. Never secrets."""

    fraud: ModelsConfig = ModelsConfig()
    fraud_tuning: FraudTuning = FraudTuning(model_version="v1")
    """The initial user_config; a deployment's `user_config` in serve.yaml overrides it."""
    insights: ModelsConfig = ModelsConfig()
    insights_tuning: InsightsTuning = InsightsTuning(model_version="v1")
    compliance: ModelsConfig = ModelsConfig()
    compliance_tuning: ComplianceTuning = ComplianceTuning(model_version="v1")
    invoice: ModelsConfig = ModelsConfig()
    invoice_tuning: ModelTuning = ModelTuning(model_version="v1")
