"""What the services and the HTTP layer stand on: settings from the environment, the stores
(SQL and Supabase REST) and their migrations, the cache, token auth, the audit trail, JSON logs,
and the rate limiter. No Ray import; imports only the kernel and serve_app.contract.
"""
