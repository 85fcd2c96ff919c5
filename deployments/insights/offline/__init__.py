"""The insights model's offline code: forecast examples from generated books (`examples`),
training (`training`) and the backtest against the baselines (`evaluation`); `train` makes the
artifact `fineasy train` saves, `evaluate` (the backtest) the report of `fineasy evaluate
--model insights` and `fineasy backtest`. No replica imports
it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from deployments.insights.forecasting import ForecastModels
from deployments.insights.offline import evaluation, training
from deployments.insights.offline.examples import MONTHS, Example, generated_examples
from deployments.offline.commands import Run, Shipped, Trained

METHODS = ("served", "model", "auto_ets", "auto_theta", "seasonal_naive")


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """Fits on `businesses` generated businesses (24) and calibrates the intervals on held-out
    ones, which the manifest's metrics are measured on."""
    del shipped  # the tuning decides what is shown, not what is fitted
    models, data_hash = training.train(version, businesses or 24)
    return models, {"held_out_seed": training.CALIBRATION_SEED, **models.metrics}, data_hash


def evaluate(run: Run) -> Iterator[str]:
    """sMAPE per series and horizon against both baselines on held-out businesses, then on the
    independent world; each time against AutoETS and AutoTheta too."""
    models: ForecastModels = run.payload
    seed = training.BACKTEST_SEED
    data, _ = generated_examples(seed, run.businesses)
    table = evaluation.backtest(models, data)
    yield (
        f"insights {run.manifest.version}: rolling-origin backtest on {run.businesses} held-out "
        f"businesses x {MONTHS} months (seed {seed}, never used in training)"
    )
    yield "sMAPE % (lower is better); origins with a year of history; cover80 = share of"
    yield "actuals inside the model's 80% interval"
    yield evaluation.format_table(table)
    result = evaluation.summary(table)
    means = result["mean_smape_h1_3"]
    gain = 1 - means["model"] / means["seasonal_naive"]
    yield (
        f"\nmean sMAPE, h=1-3, business series: model {means['model']:.2f}, last value "
        f"{means['last_value']:.2f}, seasonal naive {means['seasonal_naive']:.2f}; the model is "
        f"{gain:.1%} lower than seasonal naive; 80% interval coverage "
        f"{result['interval_coverage_80']:.3f}"
    )
    yield from _versus(models, data, "the same held-out businesses")
    seed, count = evaluation.INDEPENDENT_SEED, run.independent_businesses
    world = evaluation.independent_examples(seed, count)
    result = evaluation.summary(evaluation.backtest(models, world))
    means = result["mean_smape_h1_3"]
    yield (
        f"\nthe independent world (eval_world.sales, seed {seed}, {count} businesses x 30 "
        f"months; festivals on their real dates): mean sMAPE h=1-3 model {means['model']:.2f}, "
        f"last value {means['last_value']:.2f}, seasonal naive "
        f"{means['seasonal_naive']:.2f}; 80% coverage {result['interval_coverage_80']:.3f}"
    )
    yield from _versus(models, world, "the independent world")


def _versus(models: ForecastModels, data: Sequence[Example], where: str) -> Iterator[str]:
    """MASE, pinball loss and coverage against AutoETS and AutoTheta, per series and horizon,
    and how often what the app shows beats both."""
    versus = evaluation.compare(models, data)
    yield (
        f"\nagainst AutoETS and AutoTheta on {where} (statsforecast, season 12, refitted at "
        "every origin): MASE = mean |error| / mean one-month change of the series up to the "
        "origin (lower is better); pinball = the 80% bounds scored as 0.1/0.9 quantiles, same "
        "scale; cover = share of actuals inside each method's 80% interval"
    )
    yield evaluation.format_comparison(versus)
    rows = [row for by_h in versus.values() for h, row in by_h.items() if h <= 3]
    means = {m: float(sum(r[f"mase_{m}"] for r in rows) / len(rows)) for m in METHODS}
    wins = {
        m: sum(r[f"mase_{m}"] < min(r["mase_auto_ets"], r["mase_auto_theta"]) for r in rows)
        for m in ("served", "model")
    }
    cover = float(sum(r["cover_served"] for r in rows) / len(rows))
    yield (
        "mean MASE h=1-3: "
        + ", ".join(f"{m} {v:.3f}" for m, v in means.items())
        + f"; below both AutoETS and AutoTheta at {wins['served']} of {len(rows)} series x "
        f"horizon for what the app shows (the combination), {wins['model']} for the learned "
        f"model alone; the combination's 80% interval covers {cover:.2f}"
    )
