"""What a GST check reads, built from a stored invoice's rows or from an invoice sent inline.
Pure: no Ray, no I/O.

Aggregate turnover (for the HSN-digit and e-invoicing rules) is estimated from the business's
own sales invoices: the largest taxable value (subtotal - discount) of any financial year before
the invoice's, or of its own year to date when the books hold no earlier year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from kernel import gst_rules
from kernel.gstin import explain, is_valid_gstin, state_code_of
from kernel.models.compliance import InvoiceFacts, ItemFacts
from serve_app.contract.schemas.compliance import InvoiceIn
from serve_app.infra.store_interface import InvoiceRows

LIVE = {"sent", "paid", "partially_paid", "overdue"}
BUSINESS_NAME = re.compile(
    r"\b(traders?|trading|enterprises?|industries|pvt|private|ltd|limited|llp|agencies|"
    r"distributors?|stores?|mart|hardware|textiles|foods|pharma|sons|corporation|co)\b",
    re.IGNORECASE,
)
"""Words registered businesses put in their names: a customer so named with no GSTIN is probably
a B2B buyer whose GSTIN was not recorded."""


def looks_like_business(name: str | None) -> bool:
    return bool(name and BUSINESS_NAME.search(name))


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _num(value: Any) -> float:
    return float(value) if value not in (None, "") else 0.0


def effective_rate(item: dict[str, Any]) -> float:
    """The item's GST percent as the app computes it: 0 when not taxable, a fixed tax amount
    turned into the percent of the line's value."""
    if item.get("is_taxable") is False:
        return 0.0
    rate = _num(item.get("tax_rate"))
    if item.get("tax_type") == "fixed":
        value = _num(item.get("quantity")) * _num(item.get("unit_price"))
        return round(rate / value * 100, 4) if value > 0 else 0.0
    return rate


def aggregate_turnover(sales: list[dict[str, Any]], day: dt.date) -> float:
    by_year: dict[str, float] = defaultdict(float)
    for sale in sales:
        sold = _date(sale.get("invoice_date"))
        if sold is None or sold > day or sale.get("status") not in LIVE:
            continue
        by_year[gst_rules.financial_year(sold)] += _num(sale.get("subtotal")) - _num(
            sale.get("discount_amount")
        )
    current = gst_rules.financial_year(day)
    earlier = [total for year, total in by_year.items() if year < current]
    return max(earlier) if earlier else by_year.get(current, 0.0)


def facts_from_rows(rows: InvoiceRows) -> InvoiceFacts:
    invoice, business, party = rows.invoice, rows.business, rows.party or {}
    day = _date(invoice.get("invoice_date"))
    own_gstin = (business.get("gst_number") or "").strip().upper() or None
    own_state = own_gstin[:2] if own_gstin and is_valid_gstin(own_gstin) else None
    party_gstin = (party.get("gst_number") or "").strip().upper() or None
    numbers: frozenset[str] = frozenset()
    if day is not None:
        year = gst_rules.financial_year(day)
        numbers = frozenset(
            str(s["invoice_number"])
            for s in rows.sales
            if str(s["id"]) != str(invoice["id"])
            and (sold := _date(s.get("invoice_date"))) is not None
            and gst_rules.financial_year(sold) == year
        )
    return InvoiceFacts(
        invoice_id=str(invoice["id"]),
        invoice_number=str(invoice.get("invoice_number") or ""),
        invoice_date=day,
        invoice_type="supplier" if invoice.get("invoice_type") == "supplier" else "customer",
        business_name=business.get("name"),
        business_gstin=own_gstin,
        business_state=own_state or state_code_of(business.get("state")),
        party_name=party.get("name"),
        party_gstin=party_gstin,
        party_address=party.get("address"),
        b2b=bool(party_gstin) or looks_like_business(party.get("name")),
        items=tuple(
            ItemFacts(
                name=str(item.get("name") or ""),
                hsn_code=(str(item["hsn_code"]).strip() or None) if item.get("hsn_code") else None,
                quantity=_num(item.get("quantity")),
                unit_price=_num(item.get("unit_price")),
                tax_rate=effective_rate(item),
            )
            for item in rows.items
        ),
        subtotal=_num(invoice.get("subtotal")),
        tax_amount=_num(invoice.get("tax_amount")),
        discount_amount=_num(invoice.get("discount_amount")),
        total_amount=_num(invoice.get("total_amount")),
        aggregate_turnover=aggregate_turnover(rows.sales, day) if day else None,
        numbers_in_financial_year=numbers,
    )


def inline_facts(body: InvoiceIn) -> InvoiceFacts:
    gstin = (body.business_gstin or "").strip().upper() or None
    party_gstin = (body.customer_gstin or "").strip().upper() or None
    own_state = gstin[:2] if gstin and explain(gstin).valid else state_code_of(body.business_state)
    b2b = (
        body.is_b2b
        if body.is_b2b is not None
        else bool(party_gstin) or looks_like_business(body.customer_name)
    )
    return InvoiceFacts(
        invoice_id="inline",
        invoice_number=body.invoice_number,
        invoice_date=body.invoice_date,
        invoice_type=body.invoice_type,
        business_name=body.business_name,
        business_gstin=gstin,
        business_state=own_state,
        party_name=body.customer_name,
        party_gstin=party_gstin,
        party_address=body.customer_address,
        place_of_supply=state_code_of(body.place_of_supply),
        b2b=b2b,
        items=tuple(ItemFacts.model_validate(item.model_dump()) for item in body.items),
        subtotal=body.subtotal,
        tax_amount=body.tax_amount,
        discount_amount=body.discount_amount,
        total_amount=body.total_amount,
        cgst=body.cgst_amount,
        sgst=body.sgst_amount,
        igst=body.igst_amount,
        aggregate_turnover=body.aggregate_turnover,
        cess_amount=body.cess_amount,
        composition_dealer=body.composition_dealer,
    )
