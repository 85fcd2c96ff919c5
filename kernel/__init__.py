"""The Ray-free shared kernel: domain rows, each model's inputs and outputs, tunings, GST rules.

Imported by the model deployments and by the ingress alike; imports no other package of this
project, and never Ray.
"""
