"""The invoice parser's offline code: training (`training`) on the generated invoice requests
(the shared deployments/offline/invoice_corpus.py) and field-level evaluation (`evaluation`). No
replica imports it."""
