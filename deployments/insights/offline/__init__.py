"""The insights model's offline code: forecast examples from generated books (`examples`),
training (`training`) and the backtest against the baselines (`evaluation`). No replica imports
it."""
