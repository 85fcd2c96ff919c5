"""ComplianceChecker: one invoice in, GST compliance issues out, judged by the rules in force on
the invoice's own date. Plain class, no Ray import.

Rules come from kernel.gst_rules (versioned data); the learned RateModel names the item when
its HSN does not settle it. Tolerances: tax and totals may differ by at most ₹1.00 per invoice
plus ₹0.01 per item (each line's tax is rounded to paise; the app rounds nowhere else).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from deployments.compliance.rate_model import RateModel
from kernel import gst_rules
from kernel.gstin import STATE_NAMES, explain, state_in_address
from kernel.model_io import (
    ComplianceIssue,
    ComplianceReport,
    InvoiceFacts,
    IssueType,
    ItemFacts,
    Severity,
)
from kernel.money import format_inr
from kernel.tuning import ComplianceTuning


def _day(day: dt.date) -> str:
    return day.strftime("%d %b %Y")


def _pct(rate: float) -> str:
    return f"{rate:g}%"


@dataclass
class _Issues:
    invoice_id: str
    found: list[ComplianceIssue] = field(default_factory=list)

    def add(
        self,
        rule: str,
        kind: IssueType,
        severity: Severity,
        description: str,
        plain: str,
        fixes: list[str],
    ) -> None:
        digest = hashlib.sha256(f"{self.invoice_id}:{rule}:{description}".encode()).hexdigest()
        self.found.append(
            ComplianceIssue(
                id=f"ci-{digest[:12]}",
                type=kind,
                description=description,
                plain_language_explanation=plain,
                suggested_fixes=fixes,
                severity=severity,
                rule=rule,
            )
        )


class ComplianceChecker:
    def __init__(self, rate_model: RateModel, tuning: ComplianceTuning) -> None:
        self.rate_model, self.tuning = rate_model, tuning

    @property
    def version(self) -> str:
        return self.rate_model.version

    def check(self, invoice: InvoiceFacts, today: dt.date | None = None) -> ComplianceReport:
        issues = _Issues(invoice.invoice_id)
        self._mandatory(invoice, issues, today)
        if invoice.invoice_date is not None:
            self._gstins(invoice, issues)
            self._numbering(invoice, issues)
            self._hsn(invoice, issues)
            self._rates(invoice, issues)
            self._arithmetic(invoice, issues)
            self._tax_split(invoice, issues)
            self._e_invoice(invoice, issues)
        return ComplianceReport(
            invoice_id=invoice.invoice_id,
            issues=issues.found,
            overall_status=overall_status(issues.found),
            rules_version=gst_rules.rules()["version"],
            model_version=self.version,
        )

    # -- fields ----------------------------------------------------------------------------------
    def _mandatory(self, inv: InvoiceFacts, issues: _Issues, today: dt.date | None) -> None:
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
                f"This invoice is dated {_day(inv.invoice_date)}, which is in the future.",
                ["Check the invoice date"],
            )

    def _gstins(self, inv: InvoiceFacts, issues: _Issues) -> None:
        if inv.invoice_type == "customer":
            if not inv.business_gstin:
                issues.add(
                    "supplier_gstin_missing",
                    "missing_gstin",
                    "critical",
                    "Supplier GSTIN missing on a tax invoice",
                    "This bill is missing GSTIN — may cause filing error: your own GSTIN must be "
                    "printed on every tax invoice.",
                    ["Add your business's GSTIN in the business profile"],
                )
            elif not (report := explain(inv.business_gstin)).valid:
                issues.add(
                    "supplier_gstin_invalid",
                    "missing_gstin",
                    "critical",
                    f"Supplier GSTIN {report.gstin} is invalid: " + "; ".join(report.problems),
                    "Your GSTIN on this invoice is not valid, so the invoice cannot be filed: "
                    + report.problems[0]
                    + ".",
                    ["Correct your GSTIN in the business profile (copy it from the GST portal)"],
                )
        if inv.party_gstin:
            report = explain(inv.party_gstin)
            if not report.valid:
                who = "customer" if inv.invoice_type == "customer" else "supplier"
                issues.add(
                    f"{who}_gstin_invalid",
                    "missing_gstin",
                    "high",
                    f"{who.title()} GSTIN {report.gstin} is invalid: " + "; ".join(report.problems),
                    f"The {who}'s GSTIN on this bill is wrong — may cause filing error: "
                    + report.problems[0]
                    + ".",
                    [
                        f"Ask {inv.party_name or f'the {who}'} for their GSTIN and correct it",
                        "Check it on the GST portal's 'Search Taxpayer' page",
                    ],
                )
        elif inv.invoice_type == "customer" and inv.b2b:
            issues.add(
                "customer_gstin_missing",
                "missing_gstin",
                "high",
                "Customer GSTIN missing on a B2B invoice",
                "This bill is missing GSTIN — may cause filing error: "
                f"{inv.party_name} looks like a registered business, and a B2B invoice "
                "must carry the buyer's GSTIN for them to claim input tax credit.",
                [
                    "Add the customer's 15-character GSTIN",
                    "Mark the invoice as B2C if the customer is unregistered",
                ],
            )
        elif inv.invoice_type == "supplier" and inv.b2b:
            issues.add(
                "supplier_bill_gstin_missing",
                "missing_gstin",
                "medium",
                "Supplier GSTIN missing on a purchase bill",
                "This purchase bill has no supplier GSTIN, so you cannot claim input tax credit "
                "on it.",
                ["Ask the supplier for a tax invoice with their GSTIN"],
            )

    def _numbering(self, inv: InvoiceFacts, issues: _Issues) -> None:
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

    def _hsn(self, inv: InvoiceFacts, issues: _Issues) -> None:
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

    # -- rates -----------------------------------------------------------------------------------
    def expected_item(self, item: ItemFacts) -> tuple[str, float, str] | None:
        """(rate-table key, confidence, how) of an item: its HSN when that settles it, else the
        learned model when confident and not contradicted by the HSN's chapter."""
        keys = gst_rules.keys_for_hsn(item.hsn_code)
        if len(keys) == 1:
            return keys[0], 1.0, "hsn"
        if len(keys) > 1:
            choice = self.rate_model.among(item.name, keys)
            if choice and choice[1] >= self.tuning.min_rate_confidence:
                return choice[0], choice[1], "hsn+model"
            return None
        [(key, confidence)] = self.rate_model.predict([item.name])
        if confidence < self.tuning.min_rate_confidence:
            return None
        hsn = re.sub(r"\D", "", item.hsn_code or "")
        if hsn and not any(r.hsn[:2] == hsn[:2] for r in gst_rules.rows_for(key)):
            return None  # the description and the HSN chapter disagree: no confident opinion
        return key, confidence, "model"

    def _rates(self, inv: InvoiceFacts, issues: _Issues) -> None:
        assert inv.invoice_date is not None
        day = inv.invoice_date
        slabs, legacy = gst_rules.slabs_on(day), gst_rules.legacy_on(day)
        for i, item in enumerate(inv.items, 1):
            name = item.name or f"item {i}"
            if item.tax_rate not in slabs:
                later = item.tax_rate in gst_rules.slabs_on(gst_rules.GST_2_0)
                when = (
                    f"; it applies only from {_day(gst_rules.GST_2_0)}"
                    if later and day < gst_rules.GST_2_0
                    else ""
                )
                issues.add(
                    f"rate_not_a_slab:{i}",
                    "gst_mismatch",
                    "high",
                    f"{name}: {_pct(item.tax_rate)} is not a GST rate on {day.isoformat()}{when}",
                    f"{name} is charged GST at {_pct(item.tax_rate)}, which is not a GST rate on "
                    f"{_day(day)}{when}.",
                    [
                        f"Charge {name} at its GST rate (GST slabs on that date: "
                        f"{', '.join(_pct(r) for r in sorted(slabs - legacy))})"
                    ],
                )
                continue
            expected = self.expected_item(item)
            row = (
                gst_rules.rate_on(expected[0], day, item.unit_price)
                if expected is not None
                else None
            )
            if row is not None and expected is not None and abs(row.rate - item.tax_rate) > 1e-9:
                self._rate_mismatch(issues, i, name, item, row, expected, day)
            elif row is None and item.tax_rate in legacy:
                issues.add(
                    f"legacy_rate:{i}",
                    "warning",
                    "medium",
                    f"{name}: {_pct(item.tax_rate)} on {day.isoformat()} is a pre-22-09-2025 slab",
                    f"{name} is charged {_pct(item.tax_rate)}. From {_day(gst_rules.GST_2_0)} "
                    f"{_pct(item.tax_rate)} is no longer a general GST rate: most such items "
                    "moved to 5% or 18%. Check this item's current rate.",
                    ["Look up the item's HSN in the rate notification of 17 Sep 2025"],
                )

    def _rate_mismatch(
        self,
        issues: _Issues,
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
        since = f"since {_day(row.effective_from)}"
        history = (
            f" (it was {_pct(before[-1].rate)} until {_day(before[-1].effective_to)})"
            if (before and before[-1].effective_to)
            else ""
        )
        basis = (
            f"HSN {item.hsn_code}" if how == "hsn" else f"the description ({confidence:.0%} sure)"
        )
        issues.add(
            f"rate_mismatch:{i}",
            "gst_mismatch",
            "high",
            f"{name}: charged {_pct(item.tax_rate)}, expected {_pct(row.rate)} for "
            f"{row.description} on {day.isoformat()} (by {basis}; {row.source})",
            f"{name} is charged GST at {_pct(item.tax_rate)}, but {row.description.lower()} is "
            f"taxed at {_pct(row.rate)} {since}{history}. Invoices dated {_day(day)} must use "
            f"{_pct(row.rate)}.",
            [f"Charge {_pct(row.rate)} on {name}", "Update the rate in your product master"],
        )

    # -- arithmetic ------------------------------------------------------------------------------
    def _arithmetic(self, inv: InvoiceFacts, issues: _Issues) -> None:
        if not inv.items:
            return
        tolerance = self.tuning.tolerance_per_invoice + self.tuning.tolerance_per_item * len(
            inv.items
        )
        subtotal = sum(item.quantity * item.unit_price for item in inv.items)
        tax = sum(
            round(item.quantity * item.unit_price * item.tax_rate / 100, 2) for item in inv.items
        )
        problems, fixes = [], []
        if abs(inv.tax_amount - tax) > tolerance:
            problems.append(
                f"tax_amount {inv.tax_amount:.2f} differs from the sum of item tax {tax:.2f}"
            )
            fixes.append(f"Recalculate GST on each item's value: total GST {format_inr(tax)}")
        if abs(inv.subtotal - subtotal) > tolerance:
            problems.append(
                f"subtotal {inv.subtotal:.2f} differs from the sum of quantity x price "
                f"{subtotal:.2f}"
            )
            fixes.append(f"Correct the taxable value to {format_inr(subtotal)}")
        expected_total = inv.subtotal + inv.tax_amount - inv.discount_amount
        if abs(inv.total_amount - expected_total) > tolerance:
            problems.append(
                f"total_amount {inv.total_amount:.2f} is not subtotal + tax - discount "
                f"({expected_total:.2f})"
            )
            fixes.append(f"Correct the invoice total to {format_inr(expected_total)}")
        if problems:
            gap = abs(inv.tax_amount - tax)
            issues.add(
                "tax_arithmetic",
                "tax_calculation_error",
                "high" if gap > max(100.0, 0.01 * tax) else "medium",
                "; ".join(problems),
                "GST calculation appears incorrect for this invoice: " + problems[0] + ".",
                fixes,
            )

    def place_of_supply(self, inv: InvoiceFacts) -> tuple[str | None, str | None]:
        """(supplier state code, place-of-supply state code) from GSTINs, the business's state
        and the customer's address; an unknown buyer's place is the supplier's (counter sale)."""
        supplier = (
            inv.business_gstin[:2]
            if inv.business_gstin and explain(inv.business_gstin).valid
            else inv.business_state
        )
        recipient = (
            inv.party_gstin[:2]
            if inv.party_gstin and explain(inv.party_gstin).valid
            else inv.place_of_supply or state_in_address(inv.party_address)
        )
        return supplier, recipient or supplier

    def _tax_split(self, inv: InvoiceFacts, issues: _Issues) -> None:
        if inv.invoice_type != "customer" or (inv.cgst, inv.sgst, inv.igst) == (None, None, None):
            return
        supplier, place = self.place_of_supply(inv)
        if supplier is None or place is None:
            return
        cgst, sgst, igst = inv.cgst or 0.0, inv.sgst or 0.0, inv.igst or 0.0
        where = STATE_NAMES.get(place, place)
        if supplier == place and igst > self.tuning.tolerance_per_invoice:
            issues.add(
                "igst_on_intra_state",
                "gst_mismatch",
                "high",
                f"IGST {igst:.2f} charged on an intra-state supply (supplier and place of supply "
                f"both {where}, code {place})",
                f"This is a sale within {where}, so GST must be split into CGST and SGST, not "
                "charged as IGST. Your buyer cannot claim the wrong tax type, and you may have "
                "to pay again.",
                [
                    f"Charge CGST {format_inr(inv.tax_amount / 2)} + SGST "
                    f"{format_inr(inv.tax_amount / 2)} instead of IGST",
                ],
            )
        elif supplier != place and cgst + sgst > self.tuning.tolerance_per_invoice:
            issues.add(
                "cgst_sgst_on_inter_state",
                "gst_mismatch",
                "high",
                f"CGST+SGST {cgst + sgst:.2f} charged on an inter-state supply "
                f"({STATE_NAMES.get(supplier, supplier)} to {where})",
                f"This sale goes from {STATE_NAMES.get(supplier, supplier)} to {where}, so the "
                "whole GST must be charged as IGST, not CGST + SGST.",
                [f"Charge IGST {format_inr(inv.tax_amount)} instead of CGST + SGST"],
            )
        elif supplier == place and abs(cgst - sgst) > self.tuning.tolerance_per_invoice:
            issues.add(
                "cgst_sgst_unequal",
                "tax_calculation_error",
                "medium",
                f"CGST {cgst:.2f} and SGST {sgst:.2f} differ",
                "GST calculation appears incorrect for this invoice: CGST and SGST must be equal "
                "halves of the GST.",
                [f"Charge CGST and SGST of {format_inr(inv.tax_amount / 2)} each"],
            )

    def _e_invoice(self, inv: InvoiceFacts, issues: _Issues) -> None:
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


def overall_status(issues: Sequence[ComplianceIssue]) -> str:
    if not issues:
        return "compliant"
    if any(i.severity == "critical" for i in issues):
        return "critical_issues"
    if all(i.type == "warning" for i in issues):
        return "warning"
    return "issues_found"
