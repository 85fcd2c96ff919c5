"""The compliance model's offline code: training of the learned rate check (`rate_training`) and
the evaluation of the checker on labelled invoices (`evaluation`). No replica imports it."""
