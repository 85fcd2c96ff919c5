"""India's GST rules as versioned data (kernel/data/gst_rules.json, gst_rates.csv), read by
invoice date. Pure: the compliance checker and the demo generator both read rates from here.

Sources and effective dates: docs/compliance.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
GST_2_0 = dt.date(2025, 9, 22)
"""Rate rationalisation (56th GST Council, 3 Sep 2025): slabs 5% and 18%, 40% de-merit."""


@dataclass(frozen=True)
class RateRow:
    key: str
    description: str
    hsn: str
    rate: float
    effective_from: dt.date
    effective_to: dt.date | None
    max_unit_price: float | None
    min_unit_price: float | None
    source: str

    def applies(self, day: dt.date, unit_price: float | None = None) -> bool:
        if day < self.effective_from or (self.effective_to and day > self.effective_to):
            return False
        if unit_price is None:
            return True
        if self.max_unit_price is not None and unit_price > self.max_unit_price:
            return False
        return self.min_unit_price is None or unit_price >= self.min_unit_price


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _price(text: str) -> float | None:
    return float(text) if text else None


@functools.cache
def rate_table() -> tuple[RateRow, ...]:
    with (DATA / "gst_rates.csv").open(newline="") as handle:
        return tuple(
            RateRow(
                key=row["key"],
                description=row["description"],
                hsn=row["hsn"],
                rate=float(row["rate"]),
                effective_from=_day(row["effective_from"]) or dt.date(2017, 7, 1),
                effective_to=_day(row["effective_to"]),
                max_unit_price=_price(row["max_unit_price"]),
                min_unit_price=_price(row["min_unit_price"]),
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        )


@functools.cache
def rules() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / "gst_rules.json").read_text())
    return loaded


def _period(day: dt.date) -> dict[str, Any]:
    for period in rules()["slab_periods"]:
        start, end = _day(period["from"]), _day(period["to"] or "")
        if start and day >= start and (end is None or day <= end):
            return dict(period)
    return dict(rules()["slab_periods"][0])


def slabs_on(day: dt.date) -> set[float]:
    """Rates in force on `day`, legacy ones included (they still apply to a few items)."""
    period = _period(day)
    return {float(r) for r in period["rates"]} | {float(r) for r in period["legacy"]}


def legacy_on(day: dt.date) -> set[float]:
    """Rates that were general slabs before `day`'s period and now apply only to a few items."""
    return {float(r) for r in _period(day)["legacy"]}


def item_keys() -> list[str]:
    return sorted({row.key for row in rate_table()})


def describe(key: str) -> str:
    return next(row.description for row in rate_table() if row.key == key)


def rows_for(key: str) -> list[RateRow]:
    return [row for row in rate_table() if row.key == key]


def rate_on(key: str, day: dt.date, unit_price: float | None = None) -> RateRow | None:
    """The row of item `key` in force on `day` (at that unit price, where the rate depends on
    it)."""
    return next((row for row in rows_for(key) if row.applies(day, unit_price)), None)


def keys_for_hsn(hsn: str | None) -> list[str]:
    """Items of the table whose HSN heading (first 4 digits) matches."""
    if not hsn or len(hsn) < 4:
        return []
    return sorted({row.key for row in rate_table() if row.hsn == hsn[:4]})


def e_invoice_threshold(day: dt.date) -> float | None:
    """Aggregate turnover above which a B2B invoice dated `day` needs an IRN (None: not yet)."""
    threshold = None
    for step in rules()["e_invoice_thresholds"]:
        start = _day(step["from"])
        if start and day >= start:
            threshold = float(step["turnover"])
    return threshold


def hsn_digits_required(turnover: float, b2b: bool) -> int:
    """Digits of HSN an invoice must show for an aggregate turnover (0: none required)."""
    for rule in rules()["hsn_digits"]:
        if rule["turnover_up_to"] is None or turnover <= rule["turnover_up_to"]:
            return int(rule["b2b"] if b2b else rule["b2c"])
    return 6


def financial_year(day: dt.date) -> str:
    """Indian financial year (April-March), e.g. 2025-26."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _month_name(day: dt.date) -> str:
    return day.strftime("%B %Y")


def filing_reminders(today: dt.date) -> list[dict[str, Any]]:
    """The next due date of each monthly return (GSTR-1 on the 11th, GSTR-3B on the 20th of
    the following month, for monthly filers), soonest first."""
    out = []
    for name, spec in rules()["filing"].items():
        due = today.replace(day=int(spec["day"]))
        if due < today:
            due = (due.replace(day=1) + dt.timedelta(days=32)).replace(day=int(spec["day"]))
        period = (due.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        days_left = (due - today).days
        out.append(
            {
                "return_type": name,
                "period": period.strftime("%Y-%m"),
                "due_date": due,
                "days_left": days_left,
                "title": f"{name} for {_month_name(period)} due {due:%d %b}",
                "description": (
                    f"{name} ({spec['what']}) for {_month_name(period)} is due on "
                    f"{due:%d %b %Y}, "
                    + (
                        "today."
                        if days_left == 0
                        else f"in {days_left} day{'s' if days_left != 1 else ''}."
                    )
                    + " Filing late costs a late fee for every day of delay, and tax paid late "
                    "carries 18% a year interest."
                ),
                "recommendations": [
                    f"Check that every {_month_name(period)} invoice is recorded in FinEasy",
                    f"File {name} on the GST portal by {due:%d %b}",
                ],
                "priority": "high" if days_left <= 3 else "medium" if days_left <= 7 else "low",
            }
        )
    return sorted(out, key=lambda r: r["due_date"])
