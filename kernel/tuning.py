"""What a model deployment is told: where artifacts live (bind-time) and how to decide
(`user_config`, live). Shared by the shells, the predictors and the ingress; no Ray import.

The tunings have no defaults on purpose: their values are written once, in each deployment's
`user_config` in config/serve.yaml, which operators edit; tests and tools read them from there.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kernel.paths import PROJECT_ROOT


class ModelTuning(BaseModel):
    """The `user_config` every model deployment shares: changed live by `serve deploy`, no
    replica restart. An unknown key is an error (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_version: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    model_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """The artifact must hash to exactly this, whatever its own manifest says: `fineasy train`
    writes it here, so whoever can write the models' volume cannot swap in a model (and run
    code through unpickling) without also changing this file."""


class FraudTuning(ModelTuning):
    min_confidence: float = Field(ge=0.0, le=1.0)
    """Findings below this are not reported. The app shows alerts from 0.7 up by default."""
    duplicate_window_days: int = Field(ge=1, le=365)
    """How far apart two sales may be to be compared as a possible duplicate."""
    supplier_window_days: int = Field(ge=1, le=365)
    """The same for supplier bills, which are often booked weeks late."""


class InsightsTuning(ModelTuning):
    """What counts as worth telling the owner. Every threshold is live-tunable."""

    top_customers: int = Field(ge=1, le=20)
    concentration_share: float = Field(gt=0.0, le=1.0)
    """Warn when the top customers' share of the last 12 months' revenue reaches this."""
    slowdown_factor: float = Field(ge=1.0, le=10.0)
    """A regular customer has slowed when the days since their last order exceed this many
    times their usual gap between orders."""
    min_orders_for_pattern: int = Field(ge=2, le=50)
    runway_warning_days: int = Field(ge=1, le=365)
    expense_growth_alert: float = Field(ge=0.0, le=5.0)
    """Warn when the last 3 months' operating expenses exceed the 3 before by this share."""
    expense_drop_check: float = Field(default=0.4, gt=0.0, le=1.0)
    """When they fell by this share or more, ask the owner to check the books rather than call
    it good news: a fall that large is more often bills not yet entered than spending cut."""
    valid_hours: int = Field(ge=1, le=24 * 30)


class ComplianceTuning(ModelTuning):
    min_rate_confidence: float = Field(ge=0.5, le=1.0)
    """The learned rate check flags an item only when it names the item at least this surely."""
    tolerance_per_invoice: float = Field(ge=0.0, le=100.0)
    tolerance_per_item: float = Field(ge=0.0, le=10.0)
    """Tax and totals may differ by tolerance_per_invoice + tolerance_per_item x items (rupees):
    each line's tax rounded to paise, the total to the rupee."""


class ModelsConfig(BaseModel):
    """Where model deployments load artifacts from: bind-time, a change restarts the replicas."""

    model_config = ConfigDict(extra="forbid")

    models_dir: str = str(PROJECT_ROOT / "var" / "models")


class InvoiceTuning(ModelTuning):
    """The parser has no thresholds yet: the version is its whole configuration."""


class AssistantTuning(ModelTuning):
    min_intent_confidence: float = Field(ge=0.0, le=1.0)
    """Below this the assistant says what it can answer instead of guessing what was asked."""


class OcrTuning(ModelTuning):
    max_pixels: int = Field(ge=100_000, le=100_000_000)
    """Larger images are refused from their header, before decoding (a 6000x4000 phone photo
    is 24 million; the client sends at most 1920x1080)."""
    timeout_s: float = Field(gt=0.0, le=60.0)
    """A photo is read in at most this long, cleanup and Tesseract together (Tesseract is then
    killed), else refused with the reason: under the ingress's time for a model call (10 s), so
    the caller hears why rather than a 503 timeout."""
