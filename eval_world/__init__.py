"""The independent evaluation world: books and texts written apart from demo_data (which trains
the models) from a different description of how Indian small businesses keep their books.

Every held-out number measured on demo_data's books only says how well a model recovers its own
generator. This package is the second opinion: it imports only the kernel, shares no code,
vocabulary or random stream with demo_data, and no training code may import it (the import
rule in tests/support/imports.py). The evaluation commands report on both worlds.
"""
