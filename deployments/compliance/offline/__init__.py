"""The compliance model's offline code: training of the learned rate check (`rate_training`),
the generated labelled invoices (`labelled`) and the checker's evaluation on them and on the
independent world (`evaluation`). No replica imports it."""
