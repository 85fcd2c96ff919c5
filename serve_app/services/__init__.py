"""What the ingress does for each model: tenancy, the business's data, the cached model call
(services.results, shared by all four), storage and the audit trail. No Ray import: each model
is reached through a small protocol (a handle client in production, a fake in tests).
"""
