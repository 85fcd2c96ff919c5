"""Operator commands (`fineasy ...`): set up, seed, mint development tokens, train, evaluate.

The top of the import graph: it may import every other package; nothing imports it, and no
replica ever loads it.
"""
