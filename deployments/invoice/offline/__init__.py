"""The invoice parser's offline code: the generated corpus of invoice requests (`corpus`),
training (`training`) and field-level evaluation (`evaluation`). No replica imports it."""
