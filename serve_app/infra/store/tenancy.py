"""Tenancy, decided once for every store: may this caller act on this business?

The stores only read the business's row (`Store.business_row`); the answer is made here, above
them, so the SQL store and the Supabase REST store (whose service key bypasses row-level
security) cannot answer it differently.
"""

from __future__ import annotations

from kernel.books import Business
from serve_app.contract.errors import NotFound
from serve_app.infra.auth import Caller
from serve_app.infra.logs import deny
from serve_app.infra.store_interface import Store


async def business_for(store: Store, caller: Caller, business_id: str) -> Business:
    """The business if it is the caller's; otherwise NotFound, the same as no row (another
    user's business is not confirmed to exist), and a line in the security log."""
    row = await store.business_row(business_id)
    if row is not None and str(row["user_id"]) == caller.user_id:
        return Business.model_validate(row)
    deny(caller, business_id, exists=row is not None)
    raise NotFound("Business not found")
