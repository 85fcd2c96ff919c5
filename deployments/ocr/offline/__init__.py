"""The OCR model's offline code: how well photographed invoices are read (`evaluation`). No
replica imports it."""
