"""Training of the forecast models on generated books. Offline: no replica imports it.

Seeds are disjoint from each other and from the fraud models': TRAIN_SEED fits, CALIBRATION_SEED
measures the interval residuals (and the manifest's held-out metrics), BACKTEST_SEED is only read
by the backtest command.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from deployments.insights.forecasting import INTERVAL, ForecastModels
from deployments.insights.offline.evaluation import backtest, calibrated_scales, summary
from deployments.insights.offline.examples import Example, generated_examples

TRAIN_SEED, CALIBRATION_SEED, BACKTEST_SEED = 4101, 5202, 6303


def fit(
    train: Sequence[Example], calibration: Sequence[Example], version: str, max_iter: int = 300
) -> ForecastModels:
    models: dict[tuple[str, int], HistGradientBoostingRegressor] = {}
    residuals: dict[tuple[str, int], tuple[float, float]] = {}
    for key in sorted({(e.series, e.h) for e in train}):
        rows = [e for e in train if (e.series, e.h) == key]
        x = np.stack([e.x for e in rows])
        target = np.clip([e.target_ratio for e in rows], 0.0, 10.0)
        model = HistGradientBoostingRegressor(
            loss="absolute_error",
            learning_rate=0.05,
            max_iter=max_iter,
            max_leaf_nodes=15,
            min_samples_leaf=30,
            l2_regularization=1.0,
            random_state=0,
        )
        model.fit(x, target)
        models[key] = model
        held = [e for e in calibration if (e.series, e.h) == key]
        if held:
            predicted = model.predict(np.stack([e.x for e in held]))
            errors = np.array([e.target_ratio for e in held]) - predicted
            residuals[key] = (
                float(np.quantile(errors, INTERVAL[0])),
                float(np.quantile(errors, INTERVAL[1])),
            )
        else:
            residuals[key] = (-0.5, 0.5)
    return ForecastModels(version, models, residuals)


def train(version: str, businesses: int, max_iter: int = 300) -> tuple[ForecastModels, str]:
    training, data_hash = generated_examples(TRAIN_SEED, businesses)
    calibration, _ = generated_examples(CALIBRATION_SEED, max(4, businesses // 4))
    models = fit(training, calibration, version, max_iter=max_iter)
    models.metrics = summary(backtest(models, calibration))
    models.interval_scale = calibrated_scales(models, calibration)
    models.metrics["interval_scale"] = dict(models.interval_scale)
    return models, data_hash
