"""GST invoices for the compliance tests: a consistent B2B sale of this business, its items, and
the checker (the small rate model the tests fit) run on it."""

from __future__ import annotations

import datetime as dt

from kernel.gstin import check_character
from kernel.models.compliance import ComplianceReport, InvoiceFacts, ItemFacts
from testkit.factories import compliance_checker

BEFORE, AFTER = dt.date(2025, 9, 10), dt.date(2025, 10, 10)
OWN = "27AAPFU0939F1ZV"  # Maharashtra
MUMBAI_BUYER = "27" + "AABCS1429B" + "1Z"
MUMBAI_BUYER += check_character(MUMBAI_BUYER)
KARNATAKA_BUYER = "29" + "AABCS1429B" + "1Z"
KARNATAKA_BUYER += check_character(KARNATAKA_BUYER)


def invoice(*items: ItemFacts, day: dt.date = AFTER, **fields: object) -> InvoiceFacts:
    """A B2B sales invoice with consistent amounts (tax on each line's pre-discount value)."""
    subtotal = sum(i.quantity * i.unit_price for i in items)
    tax = sum(round(i.quantity * i.unit_price * i.tax_rate / 100, 2) for i in items)
    base: dict[str, object] = {
        "invoice_id": "inv-1",
        "invoice_number": "INV-0042",
        "invoice_date": day,
        "business_gstin": OWN,
        "business_state": "27",
        "party_name": "Sharma Hardware Stores",
        "party_gstin": MUMBAI_BUYER,
        "b2b": True,
        "items": items,
        "subtotal": subtotal,
        "tax_amount": tax,
        "total_amount": subtotal + tax,
        "aggregate_turnover": 2e7,
    }
    return InvoiceFacts.model_validate(base | fields)


def cement(rate: float) -> ItemFacts:
    return ItemFacts(
        name="Cement OPC 53", hsn_code="252329", quantity=100, unit_price=365, tax_rate=rate
    )


def check(inv: InvoiceFacts) -> ComplianceReport:
    return compliance_checker().check(inv, dt.date(2026, 11, 27))


def types(report: ComplianceReport) -> list[str]:
    return sorted(i.type for i in report.issues)
