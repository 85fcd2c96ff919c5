"""Rules about rates: each item's rate must be a GST slab on the invoice's date and the rate of
that item then (by its HSN, or by the learned model when the HSN does not settle it), with the
item's rate history in the explanation; a pre-22-09-2025 slab on an unknown item is a warning.
Pure."""

from __future__ import annotations

import datetime as dt
import re

from deployments.compliance.issues import Issues, day_text, pct
from deployments.compliance.rate_model import RateModel
from kernel import gst_rules
from kernel.model_io import InvoiceFacts, ItemFacts
from kernel.tuning import ComplianceTuning


def expected_item(
    item: ItemFacts, rate_model: RateModel, tuning: ComplianceTuning
) -> tuple[str, float, str] | None:
    """(rate-table key, confidence, how) of an item: its HSN when that settles it, else the
    learned model when confident and not contradicted by the HSN's chapter."""
    keys = gst_rules.keys_for_hsn(item.hsn_code)
    if len(keys) == 1:
        return keys[0], 1.0, "hsn"
    if len(keys) > 1:
        choice = rate_model.among(item.name, keys)
        if choice and choice[1] >= tuning.min_rate_confidence:
            return choice[0], choice[1], "hsn+model"
        return None
    [(key, confidence)] = rate_model.predict([item.name])
    if confidence < tuning.min_rate_confidence:
        return None
    hsn = re.sub(r"\D", "", item.hsn_code or "")
    if hsn and not any(r.hsn[:2] == hsn[:2] for r in gst_rules.rows_for(key)):
        return None  # the description and the HSN chapter disagree: no confident opinion
    return key, confidence, "model"


def rates(
    inv: InvoiceFacts, issues: Issues, rate_model: RateModel, tuning: ComplianceTuning
) -> None:
    assert inv.invoice_date is not None
    day = inv.invoice_date
    slabs, legacy = gst_rules.slabs_on(day), gst_rules.legacy_on(day)
    for i, item in enumerate(inv.items, 1):
        name = item.name or f"item {i}"
        if item.tax_rate not in slabs:
            later = item.tax_rate in gst_rules.slabs_on(gst_rules.GST_2_0)
            when = (
                f"; it applies only from {day_text(gst_rules.GST_2_0)}"
                if later and day < gst_rules.GST_2_0
                else ""
            )
            issues.add(
                f"rate_not_a_slab:{i}",
                "gst_mismatch",
                "high",
                f"{name}: {pct(item.tax_rate)} is not a GST rate on {day.isoformat()}{when}",
                f"{name} is charged GST at {pct(item.tax_rate)}, which is not a GST rate on "
                f"{day_text(day)}{when}.",
                [
                    f"Charge {name} at its GST rate (GST slabs on that date: "
                    f"{', '.join(pct(r) for r in sorted(slabs - legacy))})"
                ],
            )
            continue
        expected = expected_item(item, rate_model, tuning)
        row = gst_rules.rate_on(expected[0], day, item.unit_price) if expected is not None else None
        if row is not None and expected is not None and abs(row.rate - item.tax_rate) > 1e-9:
            rate_mismatch(issues, i, name, item, row, expected, day)
        elif row is None and item.tax_rate in legacy:
            issues.add(
                f"legacy_rate:{i}",
                "warning",
                "medium",
                f"{name}: {pct(item.tax_rate)} on {day.isoformat()} is a pre-22-09-2025 slab",
                f"{name} is charged {pct(item.tax_rate)}. From {day_text(gst_rules.GST_2_0)} "
                f"{pct(item.tax_rate)} is no longer a general GST rate: most such items "
                "moved to 5% or 18%. Check this item's current rate.",
                ["Look up the item's HSN in the rate notification of 17 Sep 2025"],
            )


def rate_mismatch(
    issues: Issues,
    i: int,
    name: str,
    item: ItemFacts,
    row: gst_rules.RateRow,
    expected: tuple[str, float, str],
    day: dt.date,
) -> None:
    key, confidence, how = expected
    before = [
        r
        for r in gst_rules.rows_for(key)
        if r.effective_to is not None
        and r.effective_to < row.effective_from
        and r.applies(r.effective_to, item.unit_price)
    ]
    since = f"since {day_text(row.effective_from)}"
    history = (
        f" (it was {pct(before[-1].rate)} until {day_text(before[-1].effective_to)})"
        if (before and before[-1].effective_to)
        else ""
    )
    basis = f"HSN {item.hsn_code}" if how == "hsn" else f"the description ({confidence:.0%} sure)"
    issues.add(
        f"rate_mismatch:{i}",
        "gst_mismatch",
        "high",
        f"{name}: charged {pct(item.tax_rate)}, expected {pct(row.rate)} for "
        f"{row.description} on {day.isoformat()} (by {basis}; {row.source})",
        f"{name} is charged GST at {pct(item.tax_rate)}, but {row.description.lower()} is "
        f"taxed at {pct(row.rate)} {since}{history}. Invoices dated {day_text(day)} must use "
        f"{pct(row.rate)}.",
        [f"Charge {pct(row.rate)} on {name}", "Update the rate in your product master"],
    )
