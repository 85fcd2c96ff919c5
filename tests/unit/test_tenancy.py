"""Tenancy is decided once, above the stores, on the business row a store reads: the owner gets
the business; another user's business is the same 404 as a missing one, and only the security
log tells the two apart. (test_store.py and test_supabase_store.py run it over each store.)"""

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from serve_app.contract.errors import NotFound
from serve_app.infra.auth import Caller
from serve_app.infra.logs import SECURITY
from serve_app.infra.store.tenancy import business_for
from testkit.factories import OTHER_USER

OWNER = Caller("6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11", "authenticated")
ROW = {"id": "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c", "user_id": OWNER.user_id, "name": "Shree"}


class OneBusiness:
    """A store reduced to the one read tenancy makes, holding one business."""

    async def business_row(self, business_id: str) -> dict[str, Any] | None:
        return ROW if business_id == ROW["id"] else None


@pytest.fixture
def denials() -> Iterator[list[logging.LogRecord]]:
    """What the security log receives (whether or not logging was configured)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger(SECURITY).addHandler(handler)
    yield records
    logging.getLogger(SECURITY).removeHandler(handler)


async def test_the_owner_gets_the_business_and_nothing_is_logged(
    denials: list[logging.LogRecord],
) -> None:
    business = await business_for(OneBusiness(), OWNER, str(ROW["id"]))  # type: ignore[arg-type]
    assert (business.id, business.name) == (ROW["id"], "Shree")
    assert denials == []


async def test_another_users_business_is_the_same_404_as_none_but_logged_apart(
    denials: list[logging.LogRecord],
) -> None:
    stranger = Caller(OTHER_USER, "authenticated")
    with pytest.raises(NotFound) as other:
        await business_for(OneBusiness(), stranger, str(ROW["id"]))  # type: ignore[arg-type]
    with pytest.raises(NotFound) as missing:
        await business_for(OneBusiness(), OWNER, "no-such-business")  # type: ignore[arg-type]
    answers = {(e.value.status_code, e.value.code, e.value.message) for e in (other, missing)}
    assert answers == {(404, "not_found", "Business not found")}
    assert other.value.details == missing.value.details
    assert [(r.event, r.caller, r.exists) for r in denials] == [  # type: ignore[attr-defined]
        ("tenancy_denied", OTHER_USER, True),
        ("tenancy_denied", OWNER.user_id, False),
    ]
