"""The rows both stores write the same way: a draft invoice and its lines as the database's
ai_save_draft takes them, insights as business_insights rows, and values as JSON carries them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kernel.models.insights import Insight

DRAFT_ITEMS = uuid.UUID("6a3f1c5e-2b7d-4e9a-8c1f-0d2e4b6a8c10")


def jsonable(value: Any) -> Any:
    """A row's value as JSON takes it (PostgREST bodies, the database's jsonb arguments)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with each value as JSON takes it."""
    return {k: jsonable(v) for k, v in row.items()}


def draft_payload(
    invoice: dict[str, Any], items: Sequence[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """ai_save_draft's arguments: the draft's row and its lines (ids derived), as JSON."""
    lines = with_item_ids(str(invoice["id"]), items)
    return json_row(invoice), [json_row(line) for line in lines]


def with_item_ids(invoice_id: str, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A draft's lines with ids derived from the draft's id and their place: written again
    (a retry that completes a partial write), they are the same rows."""
    return [
        {**item, "id": str(uuid.uuid5(DRAFT_ITEMS, f"{invoice_id}:{i}")), "invoice_id": invoice_id}
        for i, item in enumerate(items)
    ]


def insight_rows(business_id: str, insights: Sequence[Insight]) -> list[dict[str, Any]]:
    """business_insights rows; `payload` is the insight as the API serves it (JSON text)."""
    return [
        {
            "id": i.insight_id,
            "business_id": business_id,
            "insight_type": i.insight_type,
            "payload": i.model_dump_json(),
            "valid_until": i.valid_until,
        }
        for i in insights
    ]
