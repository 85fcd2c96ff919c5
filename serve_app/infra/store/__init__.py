"""The stores behind `serve_app.infra.store_interface.Store`: `sql` over SQLAlchemy (a SQLite
file or PostgreSQL, on the engines of `engines`, running the statements of `queries`) and
`supabase_rest` over Supabase's REST API; `rows` shapes the rows both write alike. `tenancy`
decides, above both, whether a caller may act on a business, on the row either store reads.
"""
