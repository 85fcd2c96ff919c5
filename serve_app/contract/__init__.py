"""The HTTP contract of the FinEasy client: request and response models, and the error tree
with its one JSON shape ({"message", "code", "details"}). No Ray import; imports only the kernel.
"""
