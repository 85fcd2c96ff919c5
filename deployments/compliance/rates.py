"""Rules about rates: each item's rate must be a GST slab on the invoice's date and the rate of
that item then (by its HSN, or by the learned model when the HSN does not settle it), with the
item's rate history in the explanation; a pre-22-09-2025 slab on an unknown item is a warning.
Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from deployments.compliance.arithmetic import after_discount_share
from deployments.compliance.issues import Issues, day_text, pct
from deployments.compliance.rate_model import RateModel, Reading
from kernel import gst_rules
from kernel.models.compliance import ComplianceTuning, InvoiceFacts, ItemFacts
from kernel.work import checkpoint

Expected = tuple[str, float, str] | None
"""expected_item's answer for one line."""
OTHER = "other"
"""The rate model's class for goods and services the table does not hold (its reject option)."""


def expected_items(
    items: Sequence[ItemFacts], rate_model: RateModel, tuning: ComplianceTuning
) -> list[Expected]:
    """expected_item of each line, the model asked once for all of them (linear in the lines
    and their names' length: one vectoriser pass, one matrix product)."""
    readings = rate_model.readings([item.name for item in items])
    checkpoint(len(items))
    return [
        expected_item(item, reading, tuning) for item, reading in zip(items, readings, strict=True)
    ]


def expected_item(item: ItemFacts, reading: Reading, tuning: ComplianceTuning) -> Expected:
    """(rate-table key, confidence, how) of an item: its HSN when that settles it, else the
    learned model (`reading`: what it reads in the item's name) when confident, not "none of
    these", and not contradicted by the HSN's chapter. Between an item's loose and
    pre-packaged rows only the description's own words decide (the model would guess)."""
    keys = gst_rules.keys_for_hsn(item.hsn_code)
    if len(keys) == 1:
        return keys[0], 1.0, "hsn"
    if frozenset(keys) in gst_rules.SIZED:
        return _engine(frozenset(keys), item.name, "hsn+engine")
    if len(keys) > 1:
        choice = reading.among(keys)
        if choice is None or choice[1] < tuning.min_rate_confidence:
            return None
        return _form(choice[0], keys, item.name, choice[1], "hsn+model")
    key, confidence = reading.best()
    if key == OTHER or confidence < tuning.min_rate_confidence:
        return None
    hsn = re.sub(r"\D", "", item.hsn_code or "")
    if hsn and not any(r.hsn[:2] == hsn[:2] for r in gst_rules.rows_for(key)):
        return None  # the description and the HSN chapter disagree: no confident opinion
    if not hsn and any(r.scope == "non_gst" for r in gst_rules.rows_for(key)):
        return None  # "Swift VXI petrol" names a car; only an HSN says a line is fuel
    sized = next((pair for pair in gst_rules.SIZED if key in pair), None)
    if sized is not None:
        return _engine(sized, item.name, "engine")
    siblings = [
        k
        for k in gst_rules.item_keys()
        if k.removesuffix(gst_rules.LOOSE) == key.removesuffix(gst_rules.LOOSE)
    ]
    return _form(key, siblings, item.name, confidence, "model")


def _engine(keys: frozenset[str], name: str, how: str) -> tuple[str, float, str] | None:
    """A motorcycle's or car's class only from its stated engine size: the model reads "Classic
    350" as a large motorcycle, as "650" is in its vocabulary."""
    key = gst_rules.by_engine(keys, name)
    return (key, 1.0, how) if key is not None else None


def _form(
    key: str, keys: list[str], name: str, confidence: float, how: str
) -> tuple[str, float, str] | None:
    base = key.removesuffix(gst_rules.LOOSE)
    pair = {base, base + gst_rules.LOOSE}
    if not pair <= set(keys):
        return key, confidence, how
    form = gst_rules.stated_form(name)
    if form is None:
        return None  # "basmati rice": loose (exempt) or pre-packaged (5%), the words do not say
    return (base + gst_rules.LOOSE if form == "loose" else base), confidence, how + "+form"


def rates(inv: InvoiceFacts, issues: Issues, expected_items: Sequence[Expected]) -> None:
    """`expected_items`: expected_item of each line, worked out once by the checker (the
    arithmetic's cess bounds read them too)."""
    assert inv.invoice_date is not None
    day = inv.invoice_date
    if inv.composition_dealer and inv.invoice_type == "customer":
        composition(inv, issues)
        return
    slabs, legacy = gst_rules.slabs_on(day), gst_rules.legacy_on(day)
    for i, (item, expected) in enumerate(zip(inv.items, expected_items, strict=True), 1):
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
        row = gst_rules.rate_on(expected[0], day, item.unit_price) if expected is not None else None
        if row is not None and expected is not None:
            if abs(row.rate - item.tax_rate) > 1e-9:
                rate_mismatch(issues, i, name, item, row, expected, day)
            continue
        if expected is None and _none_of_the_heading(issues, i, name, item, day):
            continue
        if item.tax_rate in legacy:
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


def _none_of_the_heading(issues: Issues, i: int, name: str, item: ItemFacts, day: dt.date) -> bool:
    """When the HSN leaves several items of the table (and nothing else) and the description
    does not settle which: a rate none of them has on that date is wrong whichever it is.
    Returns whether the HSN spoke (so the legacy-slab warning is not needed)."""
    match = gst_rules.hsn_match(item.hsn_code)
    rows = [r for k in match.keys if (r := gst_rules.rate_on(k, day, item.unit_price))]
    if not match.exhaustive or not rows:
        return False
    allowed = sorted({r.rate for r in rows})
    if item.tax_rate not in allowed:
        items = ", ".join(f"{r.description.lower()} {pct(r.rate)}" for r in rows)
        issues.add(
            f"rate_of_heading:{i}",
            "gst_mismatch",
            "high",
            f"{name}: charged {pct(item.tax_rate)}; HSN {item.hsn_code} on {day.isoformat()} "
            f"is {items}",
            f"{name} is charged GST at {pct(item.tax_rate)}, but goods under HSN "
            f"{item.hsn_code} are taxed at {' or '.join(pct(r) for r in allowed)} on "
            f"{day_text(day)} ({items}).",
            [f"Charge {' or '.join(pct(r) for r in allowed)} on {name}, whichever it is"],
        )
    return True


def composition(inv: InvoiceFacts, issues: Issues) -> None:
    """A composition dealer pays tax on its turnover and may not collect GST from buyers: its
    sales are billed on a bill of supply, every line at 0% (CGST Act s.10(4), Rule 49)."""
    charged = [(i, item) for i, item in enumerate(inv.items, 1) if item.tax_rate > 0]
    for i, item in charged:
        name = item.name or f"item {i}"
        issues.add(
            f"composition_tax:{i}",
            "gst_mismatch",
            "high",
            f"{name}: a composition dealer charged {pct(item.tax_rate)} GST",
            f"Your business pays GST under the composition scheme, so it may not charge GST on "
            f"its sales. {name} shows {pct(item.tax_rate)}.",
            [
                "Issue a bill of supply with no GST on it",
                "Write 'composition taxable person, not eligible to collect tax on supplies'",
            ],
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
    if row.scope == "non_gst":
        issues.add(
            f"rate_mismatch:{i}",
            "gst_mismatch",
            "high",
            f"{name}: charged {pct(item.tax_rate)} GST, but {row.description} is outside GST "
            f"(by {basis}; {row.source})",
            f"{name} is charged GST at {pct(item.tax_rate)}, but {row.description.lower()} is "
            "not under GST at all: the state's VAT applies instead, and no GST may be charged.",
            [f"Remove GST from {name}", "Charge the state VAT as your fuel supplier does"],
        )
        return
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


def cess_bounds(inv: InvoiceFacts, expected_items: Sequence[Expected]) -> tuple[float, float]:
    """The least and most compensation cess (rupees) the invoice's items could bear on its
    date: per item, its row's cess (or, when the HSN leaves several items, from none to the
    largest of theirs), on its value after and before the discount."""
    if inv.invoice_date is None:
        return 0.0, 0.0
    day = inv.invoice_date
    share = after_discount_share(inv)
    low = high = 0.0
    for item, expected in zip(inv.items, expected_items, strict=True):
        keys = [expected[0]] if expected is not None else gst_rules.keys_for_hsn(item.hsn_code)
        rows = [r for k in keys if (r := gst_rules.rate_on(k, day, item.unit_price))]
        spans = [r.cess or (0.0, 0.0) for r in rows]
        if not spans:
            continue
        value = item.quantity * item.unit_price
        low += value * share * min(s[0] for s in spans) / 100
        high += value * max(s[1] for s in spans) / 100
    return round(low, 2), round(high, 2)
