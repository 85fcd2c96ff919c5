"""Offline code that more than one model's offline package uses, so that none imports another's:
the shared word lists (`vocabulary`) and the generated invoice requests (`invoice_corpus`). Like
each deployments.<model>.offline, no replica imports it.
"""
