"""Demo and training books: generated Indian small-business books with labelled anomalies.

Offline: seeding (`fineasy seed`), training and evaluation read it; no replica imports it.
Imports only the kernel. `generate.generate_dataset` is the entry point.
"""
