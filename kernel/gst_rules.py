"""India's GST rules as versioned data (kernel/data/gst_rules.json, gst_rates.csv), read by
invoice date. Pure: the compliance checker and the demo generator both read rates from here.

Sources and effective dates: docs/compliance.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import re
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
    cess: tuple[float, float] | None = None
    """Compensation cess on top of GST while this row is in force, as a (low, high) percent of
    the value (one number when it is a single ad valorem rate; wide where it is specific)."""
    scope: str = "taxable"
    """taxable, exempt (nil rated), or non_gst (outside GST, e.g. petrol: no GST is charged)."""

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


SPECIFIC_CESS = (0.0, 300.0)
"""Cess charged by quantity or retail price (tobacco): only its range as a share of the value
can be checked."""


def _cess(text: str) -> tuple[float, float] | None:
    if not text:
        return None
    if text == "varies":
        return SPECIFIC_CESS
    low, _, high = text.partition("-")
    return float(low), float(high or low)


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
                cess=_cess(row["cess"]),
                scope=row["scope"],
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
    return rows_for(key)[-1].description


def rows_for(key: str) -> list[RateRow]:
    return [row for row in rate_table() if row.key == key]


def rate_on(key: str, day: dt.date, unit_price: float | None = None) -> RateRow | None:
    """The row of item `key` in force on `day` (at that unit price, where the rate depends on
    it)."""
    return next((row for row in rows_for(key) if row.applies(day, unit_price)), None)


@dataclass(frozen=True)
class HsnMatch:
    keys: tuple[str, ...]
    exhaustive: bool
    """False when `keys` came from rows more specific than the code itself: the code's heading
    holds other goods the table does not list, so no rate can be ruled out by it."""


def hsn_match(hsn: str | None) -> HsnMatch:
    """Items of the table an HSN code can be, the most specific row winning: the rows whose
    code is the longest prefix of `hsn` (a 6 or 8-digit row beats its 4-digit heading), plus
    any row more specific than `hsn` itself (an invoice with only the heading "2106" may be
    namkeen or pan masala, or anything else under 2106). Codes shorter than a heading say
    nothing."""
    digits = "".join(ch for ch in hsn or "" if ch.isdigit())
    if len(digits) < 4:
        return HsnMatch((), False)
    table = rate_table()
    prefixes = [row for row in table if digits.startswith(row.hsn)]
    longest = max((len(row.hsn) for row in prefixes), default=0)
    deeper = {row.key for row in table if len(row.hsn) > len(digits) and row.hsn.startswith(digits)}
    keys = {row.key for row in prefixes if len(row.hsn) == longest} | deeper
    return HsnMatch(tuple(sorted(keys)), not deeper)


def keys_for_hsn(hsn: str | None) -> list[str]:
    return list(hsn_match(hsn).keys)


LOOSE = "_loose"
"""Suffix of an item sold loose whose pre-packaged form is another row (rice_loose, rice)."""
FORM_WORDS = {
    "loose": ("loose", "khula", "khuli", "khule", "unbranded", "unpacked"),
    "packed": ("pack", "packed", "packet", "pkt", "pouch", "branded", "brand", "bag", "sealed"),
}


SIZED = {
    frozenset({"motorcycle_small", "motorcycle_large"}): (
        350,
        "motorcycle_small",
        "motorcycle_large",
    ),
    frozenset({"small_car", "large_car"}): (1500, None, "large_car"),
}
"""Items told apart by engine size, which a description states in cc or not at all: (the limit
in cc, the item at or under it, the item above it). A car up to 1500cc may still be a large car
(a petrol engine above 1200cc, or longer than 4 m), so only above 1500cc is it certain."""
ENGINE = re.compile(r"(above|over|more than|upto|up to)?\s*(\d{2,4})\s*cc\b")


def by_engine(keys: frozenset[str], description: str) -> str | None:
    """The item of a SIZED pair the description's engine size makes certain, else None."""
    limit, small, large = SIZED[keys]
    found = ENGINE.search(description.lower())
    if found is None:
        return None
    above = found.group(1) in ("above", "over", "more than")
    cc = int(found.group(2)) + (1 if above else 0)
    return small if cc <= limit else large


def stated_form(description: str) -> str | None:
    """ "loose" or "packed" when the description says which, else None."""
    words = set(re.findall(r"[a-z]+", description.lower()))
    found = {form for form, cues in FORM_WORDS.items() if words & set(cues)}
    return found.pop() if len(found) == 1 else None


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


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


SCHEMES = ("monthly", "quarterly", "composition")
"""How a business files: monthly returns; QRMP (quarterly returns with monthly payment, for an
aggregate turnover up to ₹5 crore, Notification 84/2020-Central Tax); or the composition scheme."""


def _periods(spec: dict[str, Any], today: dt.date) -> list[tuple[dt.date, int, str]]:
    """(first day of a return period, its length in months, its name), from a year back."""
    months = {"month": 1, "quarter": 3, "year": 12}[spec["every"]]
    start = _add_months(today.replace(day=1), -14)
    while (start.month - 4) % months:  # quarters and years run from April
        start = _add_months(start, -1)
    out = []
    for k in range(30 // months + 2):
        first = _add_months(start, k * months)
        position = (first.month - 4) % 3 + 1
        if (
            months == 1
            and spec.get("months_of_quarter")
            and position not in spec["months_of_quarter"]
        ):
            continue
        last = _add_months(first, months) - dt.timedelta(days=1)
        name = (
            _month_name(first)
            if months == 1
            else f"{first:%b}-{last:%b %Y}"
            if months == 3
            else f"financial year {financial_year(first)}"
        )
        out.append((first, months, name))
    return out


def filing_reminders(
    today: dt.date, scheme: str = "monthly", state_code: str | None = None
) -> list[dict[str, Any]]:
    """The next due date of each return of `scheme` (see SCHEMES), soonest first. A quarterly
    filer's GSTR-3B is due on the 22nd or the 24th by its state (`state_code`, the GSTIN's first
    two digits); the 22nd when the state is unknown, the earlier, so no reminder comes late."""
    out = []
    for name, spec in rules()["filing"][scheme].items():
        day = int(spec["day"])
        if state_code in spec.get("day_24_states", ()):
            day = 24
        first, months, period_name = next(
            p for p in _periods(spec, today) if _add_months(p[0], p[1]).replace(day=day) >= today
        )
        due = _add_months(first, months).replace(day=day)
        days_left = (due - today).days
        out.append(
            {
                "return_type": name,
                "period": first.strftime("%Y-%m") if months == 1 else period_name,
                "due_date": due,
                "days_left": days_left,
                "title": f"{name} for {period_name} due {due:%d %b}",
                "description": (
                    f"{name} ({spec['what']}) for {period_name} is due on {due:%d %b %Y}, "
                    + (
                        "today."
                        if days_left == 0
                        else f"in {days_left} day{'s' if days_left != 1 else ''}."
                    )
                    + " Filing late costs a late fee for every day of delay, and tax paid late "
                    "carries 18% a year interest."
                ),
                "recommendations": [
                    f"Check that every invoice of {period_name} is recorded in FinEasy",
                    f"File {name} on the GST portal by {due:%d %b}",
                ],
                "priority": "high" if days_left <= 3 else "medium" if days_left <= 7 else "low",
            }
        )
    return sorted(out, key=lambda r: (r["due_date"], r["return_type"]))
