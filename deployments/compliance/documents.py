"""Rules about the document itself: the mandatory fields of CGST Rule 46 (and a date in the
future), invoice numbering (length, characters, unique in the financial year), HSN digits by
turnover, and when an invoice must be e-invoiced. Pure."""

from __future__ import annotations

import datetime as dt
import re

from deployments.compliance.issues import Issues, day_text
from kernel import gst_rules
from kernel.models.compliance import InvoiceFacts
from kernel.money import format_inr


def mandatory_fields(inv: InvoiceFacts, issues: Issues, today: dt.date | None) -> None:
    missing = []
    if not inv.invoice_number.strip():
        missing.append("invoice number")
    if inv.invoice_date is None:
        missing.append("invoice date")
    if not inv.items:
        missing.append("items")
    if inv.b2b and not (inv.party_name or "").strip():
        missing.append("customer name")
    for i, item in enumerate(inv.items, 1):
        if not item.name.strip():
            missing.append(f"item {i} description")
        if item.quantity <= 0:
            missing.append(f"item {i} quantity (it is {item.quantity:g})")
    if missing:
        issues.add(
            "mandatory_fields",
            "incomplete_invoice_data",
            "high",
            "Missing or invalid mandatory fields (CGST Rule 46): " + ", ".join(missing),
            "Invoice data incomplete for GST filing: this invoice has no "
            + ", ".join(missing)
            + ".",
            [f"Fill in the {m}" for m in missing[:4]],
        )
    if today is not None and inv.invoice_date is not None and inv.invoice_date > today:
        issues.add(
            "future_date",
            "warning",
            "low",
            f"Invoice dated {inv.invoice_date.isoformat()}, after today",
            f"This invoice is dated {day_text(inv.invoice_date)}, which is in the future.",
            ["Check the invoice date"],
        )


def numbering(inv: InvoiceFacts, issues: Issues) -> None:
    if inv.invoice_type != "customer" or not inv.invoice_number.strip():
        return
    rule = gst_rules.rules()["invoice_number"]
    number = inv.invoice_number
    problems = []
    if len(number) > rule["max_length"]:
        problems.append(f"it has {len(number)} characters (at most {rule['max_length']})")
    if not re.match(rule["allowed"], number):
        bad = sorted({c for c in number if not re.match(rule["allowed"], c)})
        problems.append(
            "it uses " + " ".join(repr(c) for c in bad) + " (only letters, digits, - and /)"
        )
    if problems:
        issues.add(
            "invoice_number_format",
            "incomplete_invoice_data",
            "high",
            f"Invoice number {number!r} breaks CGST Rule 46(b): " + "; ".join(problems),
            f"Invoice number {number} is not allowed for GST: " + "; ".join(problems) + ".",
            ["Use a serial like INV-0001 or 2025-26/001: up to 16 letters, digits, - or /"],
        )
    assert inv.invoice_date is not None
    if number in inv.numbers_in_financial_year:
        year = gst_rules.financial_year(inv.invoice_date)
        issues.add(
            "invoice_number_duplicate",
            "incomplete_invoice_data",
            "high",
            f"Invoice number {number} is used more than once in financial year {year}",
            f"Another invoice in {year} already has the number {number}; each invoice number "
            "must be unique within a financial year.",
            ["Give this invoice the next unused number in the series"],
        )


def hsn_digits(inv: InvoiceFacts, issues: Issues) -> None:
    if not inv.items:
        return
    turnover = inv.aggregate_turnover or 0.0
    digits = gst_rules.hsn_digits_required(turnover, inv.b2b)
    if digits == 0:
        return
    short = [
        item.name or f"item {i}"
        for i, item in enumerate(inv.items, 1)
        if len(re.sub(r"\D", "", item.hsn_code or "")) < digits
    ]
    if short:
        band = "up to ₹5 crore" if turnover <= 50_000_000 else "above ₹5 crore"
        issues.add(
            "hsn_digits",
            "incomplete_invoice_data",
            "medium",
            f"HSN/SAC with fewer than {digits} digits on: " + ", ".join(short[:5]),
            f"Invoice data incomplete for GST filing: with turnover {band}, each item on a "
            f"{'B2B ' if inv.b2b else ''}invoice needs an HSN/SAC code of at least {digits} "
            "digits (from 1 April 2021). Missing on: " + ", ".join(short[:5]) + ".",
            [f"Add the {digits}-digit HSN/SAC code to each item (see the product master)"],
        )


def e_invoice(inv: InvoiceFacts, issues: Issues) -> None:
    assert inv.invoice_date is not None
    threshold = gst_rules.e_invoice_threshold(inv.invoice_date)
    turnover = inv.aggregate_turnover or 0.0
    if inv.invoice_type == "customer" and inv.b2b and threshold and turnover > threshold:
        issues.add(
            "e_invoice_required",
            "warning",
            "medium",
            f"Aggregate turnover {turnover:.0f} exceeds the e-invoicing threshold "
            f"{threshold:.0f} in force on {inv.invoice_date.isoformat()}",
            f"Your turnover is above {format_inr(threshold, rupees_only=True)}, so this B2B "
            "invoice must be reported on the e-invoice portal (IRP) and carry its IRN and QR "
            "code.",
            ["Generate the IRN for this invoice on the e-invoice portal before sending it"],
        )
