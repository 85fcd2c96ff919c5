"""The fraud model's offline code: training on generated books (`training`) and the evaluation
of its findings (`evaluation`). No replica imports it."""
