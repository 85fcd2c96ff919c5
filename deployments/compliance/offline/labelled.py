"""A labelled set of generated invoices with planted GST issues: what the compliance evaluation
measures the checker on. Offline: no replica imports it.

Invoices are dated on both sides of 22-09-2025. About half are clean; the rest carry one planted
issue (a few two) whose type is the label. Amounts are always consistent with the planted rates,
so a planted rate problem is only a rate problem. Item names come from the rate model's
vocabulary and, now and then, from its hand-written descriptions (real brands).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from demo_data.ledger import gstin_for
from demo_data.tables import FIRST_NAMES, SHOP_WORDS, SURNAMES, TRADE_SUFFIX
from deployments.compliance.offline.rate_training import BRANDS, hand_written
from deployments.offline.vocabulary import rate_vocabulary
from kernel import gst_rules
from kernel.gstin import CHARSET, STATE_CODES, STATE_NAMES
from kernel.models.compliance import InvoiceFacts, ItemFacts

ISSUE_TYPES = (
    "gst_mismatch",
    "missing_gstin",
    "tax_calculation_error",
    "incomplete_invoice_data",
    "warning",
)
"""The labels: the issue types the checker reports."""


def _changed(key: str) -> bool:
    before, after = (
        gst_rules.rate_on(key, day) for day in (dt.date(2025, 8, 1), dt.date(2026, 1, 1))
    )
    priced = any(r.max_unit_price or r.min_unit_price for r in gst_rules.rows_for(key))
    return not priced and before is not None and after is not None and before.rate != after.rate


CHANGED = [key for key in gst_rules.item_keys() if _changed(key)]
"""Items whose rate changed on 22-09-2025, whatever their price."""
UNLISTED = [("Plastic bucket 20L", "3924"), ("Steel almirah", "9403"), ("LED bulb 9W", "8539")]
"""Items the rate table does not hold (their rate is 18% on both sides)."""


@dataclass(frozen=True)
class Labelled:
    invoice: InvoiceFacts
    planted: frozenset[str]
    how: str


class _Maker:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.names = rate_vocabulary()
        self.real: dict[str, list[str]] = {}
        for description, key in hand_written():
            self.real.setdefault(key, []).append(description)
        self.count = 0

    def pick(self, seq: Sequence[object]) -> object:
        return seq[int(self.rng.integers(len(seq)))]

    def day(self, after: bool | None = None) -> dt.date:
        side = self.rng.random() < 0.5 if after is None else after
        start = gst_rules.GST_2_0 if side else dt.date(2025, 4, 1)
        span = (dt.date(2026, 10, 31) - start).days if side else (gst_rules.GST_2_0 - start).days
        return start + dt.timedelta(days=int(self.rng.integers(0, span)))

    def item(self, key: str, day: dt.date, rate: float | None = None) -> ItemFacts:
        row = gst_rules.rate_on(key, day) or gst_rules.rows_for(key)[-1]
        price = float(self.rng.integers(20, 900))
        if key == "apparel":
            row = gst_rules.rate_on(key, day, price) or row
        name = str(self.pick(self.names[key]))
        if key in self.real and self.rng.random() < 0.3:  # as shops write them, with brands
            name = str(self.pick(self.real[key]))
        elif self.rng.random() < 0.4:
            name = f"{self.pick(BRANDS)} {name}".title()
        return ItemFacts(
            name=name,
            hsn_code=row.hsn,
            quantity=float(self.rng.integers(1, 30)),
            unit_price=price,
            tax_rate=row.rate if rate is None else rate,
        )

    def invoice(self, day: dt.date, items: list[ItemFacts], **overrides: object) -> InvoiceFacts:
        self.count += 1
        state = str(self.pick(sorted(STATE_CODES)))
        b2b = self.rng.random() < 0.6
        party_state = state if self.rng.random() < 0.6 else str(self.pick(sorted(STATE_CODES)))
        if b2b:
            party = f"{self.pick(SHOP_WORDS)} {self.pick(SURNAMES)} {self.pick(TRADE_SUFFIX)}"
            party_gstin: str | None = gstin_for(self.rng, party_state)
        else:
            party, party_gstin = f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}", None
        facts = InvoiceFacts(
            invoice_id=f"inv-{self.count}",
            invoice_number=f"INV-{self.count:04d}",
            invoice_date=day,
            business_name="Eval Traders",
            business_gstin=gstin_for(self.rng, state),
            business_state=STATE_CODES[state],
            party_name=party,
            party_gstin=party_gstin,
            party_address=f"Main Road, {party_state}",
            b2b=b2b,
            items=tuple(items),
            aggregate_turnover=float(self.rng.uniform(2e6, 4e7)),
            numbers_in_financial_year=frozenset(f"INV-{n:04d}" for n in range(1, self.count)),
        )
        facts = facts.model_copy(update=overrides)
        place = facts.party_gstin[:2] if facts.party_gstin else STATE_CODES[party_state]
        return with_amounts(facts, place, split=self.rng.random() < 0.5)


def with_amounts(inv: InvoiceFacts, place: str | None, split: bool) -> InvoiceFacts:
    """Subtotal, tax and total as the app computes them; a CGST/SGST or IGST split when asked,
    by whether `place` (of supply) is the business's own state."""
    subtotal = round(sum(i.quantity * i.unit_price for i in inv.items), 2)
    tax = round(sum(round(i.quantity * i.unit_price * i.tax_rate / 100, 2) for i in inv.items), 2)
    update: dict[str, object] = {
        "subtotal": subtotal,
        "tax_amount": tax,
        "total_amount": round(subtotal + tax - inv.discount_amount, 2),
    }
    if split:
        intra = place == inv.business_state
        update |= {
            "cgst": tax / 2 if intra else 0.0,
            "sgst": tax / 2 if intra else 0.0,
            "igst": 0.0 if intra else tax,
        }
    return inv.model_copy(update=update)


def labelled_invoices(seed: int, count: int) -> list[Labelled]:
    maker = _Maker(seed)
    plants = [
        _clean, _clean, _clean, _clean, _clean,
        _old_rate_after_change, _new_rate_before_change, _not_a_slab, _igst_intra_state,
        _b2b_without_gstin, _corrupt_party_gstin, _no_business_gstin,
        _tax_off, _total_off,
        _long_number, _bad_number_chars, _duplicate_number, _missing_hsn, _zero_quantity,
        _e_invoice_due, _legacy_rate_unlisted,
    ]  # fmt: skip
    out = []
    for _ in range(count):
        plant = plants[int(maker.rng.integers(len(plants)))]
        out.append(plant(maker))
    return out


def _items(m: _Maker, day: dt.date, n: int | None = None) -> list[ItemFacts]:
    keys = gst_rules.item_keys()
    return [m.item(str(m.pick(keys)), day) for _ in range(n or int(m.rng.integers(1, 4)))]


def _clean(m: _Maker) -> Labelled:
    day = m.day()
    items = _items(m, day)
    if m.rng.random() < 0.2:  # an item the table does not know, at its (unchanged) 18%
        name, hsn = UNLISTED[int(m.rng.integers(len(UNLISTED)))]
        items.append(ItemFacts(name=name, hsn_code=hsn, quantity=2, unit_price=150, tax_rate=18))
    return Labelled(m.invoice(day, items), frozenset(), "clean")


def _changed_item(m: _Maker, day: dt.date, other_side: dt.date) -> ItemFacts:
    key = str(m.pick(CHANGED))
    wrong = m.item(key, other_side)
    return m.item(key, day, rate=wrong.tax_rate).model_copy(update={"name": wrong.name})


def _old_rate_after_change(m: _Maker) -> Labelled:
    day = m.day(after=True)
    items = [*_items(m, day, 1), _changed_item(m, day, dt.date(2025, 8, 1))]
    return Labelled(m.invoice(day, items), frozenset({"gst_mismatch"}), "old rate after change")


def _new_rate_before_change(m: _Maker) -> Labelled:
    day = m.day(after=False)
    items = [_changed_item(m, day, dt.date(2026, 1, 1)), *_items(m, day, 1)]
    return Labelled(m.invoice(day, items), frozenset({"gst_mismatch"}), "new rate before change")


def _not_a_slab(m: _Maker) -> Labelled:
    day = m.day()
    rate = float(m.pick([13.0, 15.0, 10.0, 40.0 if day < gst_rules.GST_2_0 else 14.0]))  # type: ignore[arg-type]
    items = _items(m, day, 1)
    items[0] = items[0].model_copy(update={"tax_rate": rate})
    return Labelled(m.invoice(day, items), frozenset({"gst_mismatch"}), f"{rate:g}% not a slab")


def _igst_intra_state(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, [*_items(m, day, 1), m.item("detergent", day)])  # some GST to split
    local = f"Station Road, {STATE_NAMES[inv.business_state or '27']}"
    same = inv.model_copy(
        update={
            "party_gstin": None,
            "b2b": False,
            "party_name": "Ravi Kumar",
            "party_address": local,
        }
    )
    same = with_amounts(same, inv.business_state, split=False)
    bad = same.model_copy(update={"cgst": 0.0, "sgst": 0.0, "igst": same.tax_amount})
    return Labelled(bad, frozenset({"gst_mismatch"}), "IGST on intra-state")


def _b2b_without_gstin(m: _Maker) -> Labelled:
    day = m.day()
    party = f"{m.pick(SHOP_WORDS)} {m.pick(SURNAMES)} Traders"
    inv = m.invoice(day, _items(m, day), party_name=party, party_gstin=None, b2b=True)
    return Labelled(inv, frozenset({"missing_gstin"}), "B2B without GSTIN")


def _corrupt(gstin: str) -> str:
    wrong = CHARSET[(CHARSET.index(gstin[-1]) + 7) % 36]
    return gstin[:-1] + wrong


def _corrupt_party_gstin(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day))
    party = inv.party_gstin or gstin_for(m.rng, "Gujarat")
    bad = inv.model_copy(
        update={"party_gstin": _corrupt(party), "b2b": True, "party_name": "Shah Textiles"}
    )
    return Labelled(bad, frozenset({"missing_gstin"}), "corrupted party GSTIN")


def _no_business_gstin(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day), business_gstin=None)
    return Labelled(inv, frozenset({"missing_gstin"}), "no business GSTIN")


def _tax_off(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day))
    off = max(5.0, inv.tax_amount * float(m.rng.uniform(0.05, 0.2)))
    bad = inv.model_copy(
        update={"tax_amount": inv.tax_amount + off, "total_amount": inv.total_amount + off}
    )
    return Labelled(bad, frozenset({"tax_calculation_error"}), "tax amount off")


def _total_off(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day))
    bad = inv.model_copy(update={"total_amount": inv.total_amount + float(m.rng.integers(10, 500))})
    return Labelled(bad, frozenset({"tax_calculation_error"}), "total off")


def _long_number(m: _Maker) -> Labelled:
    day = m.day()
    number = f"FY2025-26/INV/{int(m.rng.integers(100, 999))}"
    inv = m.invoice(day, _items(m, day), invoice_number=number)
    return Labelled(inv, frozenset({"incomplete_invoice_data"}), f"{len(number)}-char number")


def _bad_number_chars(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day), invoice_number=f"INV#{int(m.rng.integers(1, 99))}")
    return Labelled(inv, frozenset({"incomplete_invoice_data"}), "number with #")


def _duplicate_number(m: _Maker) -> Labelled:
    day = m.day()
    inv = m.invoice(day, _items(m, day))
    bad = inv.model_copy(
        update={"numbers_in_financial_year": inv.numbers_in_financial_year | {inv.invoice_number}}
    )
    return Labelled(bad, frozenset({"incomplete_invoice_data"}), "duplicate number")


def _missing_hsn(m: _Maker) -> Labelled:
    day = m.day()
    items = _items(m, day)
    items[0] = items[0].model_copy(update={"hsn_code": None})
    party = f"{m.pick(SHOP_WORDS)} {m.pick(SURNAMES)} Agencies"
    inv = m.invoice(day, items, b2b=True, party_name=party, party_gstin=gstin_for(m.rng, "Kerala"))
    return Labelled(inv, frozenset({"incomplete_invoice_data"}), "B2B item without HSN")


def _zero_quantity(m: _Maker) -> Labelled:
    day = m.day()
    items = _items(m, day, 2)
    items[1] = items[1].model_copy(update={"quantity": 0.0})
    return Labelled(m.invoice(day, items), frozenset({"incomplete_invoice_data"}), "zero quantity")


def _e_invoice_due(m: _Maker) -> Labelled:
    day = m.day()
    items = [i.model_copy(update={"hsn_code": f"{i.hsn_code}10"}) for i in _items(m, day)]
    party = f"{m.pick(SHOP_WORDS)} {m.pick(SURNAMES)} Distributors"
    inv = m.invoice(
        day,
        items,
        b2b=True,
        party_name=party,
        party_gstin=gstin_for(m.rng, "Karnataka"),
        aggregate_turnover=float(m.rng.uniform(6e7, 4e8)),
    )
    return Labelled(inv, frozenset({"warning"}), "e-invoice due")


def _legacy_rate_unlisted(m: _Maker) -> Labelled:
    day = m.day(after=True)
    name, hsn = UNLISTED[int(m.rng.integers(len(UNLISTED)))]
    items = [
        *_items(m, day, 1),
        ItemFacts(name=name, hsn_code=hsn, quantity=3, unit_price=200, tax_rate=12),
    ]
    return Labelled(m.invoice(day, items), frozenset({"warning"}), "12% after the change")
