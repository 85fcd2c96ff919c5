"""The assistant's offline code: the generated question corpus (`corpus`), training of the
intent model (`training`) and its evaluation (`evaluation`). No replica imports it."""
