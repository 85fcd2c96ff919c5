"""ComplianceChecker: one invoice in, GST compliance issues out, judged by the rules in force on
the invoice's own date. Plain class, no Ray import.

Rules come from kernel.gst_rules (versioned data), one module per rule family (documents,
parties, rates, arithmetic); the learned RateModel names the item when
its HSN does not settle it. Tolerances: tax and totals may differ by at most ₹1.00 per invoice
plus ₹0.01 per item (each line's tax is rounded to paise; the app rounds nowhere else).

Worst case, linear in the lines (500 at most at /compliance/validate, a stored invoice's own):
the rate model reads every line's name in one call (rates.expected_items), then each rule
family passes over the lines once; a GSTIN is checked in its 15 characters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from deployments.compliance import arithmetic, documents, parties, rates
from deployments.compliance.issues import Issues, overall_status
from deployments.compliance.rate_model import RateModel
from kernel import gst_rules
from kernel.models.compliance import (
    ComplianceReport,
    ComplianceTuning,
    InvoiceFacts,
    ItemFacts,
    RateHint,
)


class ComplianceChecker:
    def __init__(self, rate_model: RateModel, tuning: ComplianceTuning) -> None:
        self.rate_model, self.tuning = rate_model, tuning

    @property
    def version(self) -> str:
        return self.rate_model.version

    def suggest_rates(self, items: Sequence[ItemFacts], day: dt.date) -> list[RateHint | None]:
        """Each item's GST rate on `day` where the table and the model are sure which item it
        is (as the check decides it), else None: for a draft's new lines (their own tax_rate is
        ignored)."""
        hints: list[RateHint | None] = []
        for item, expected in zip(
            items, rates.expected_items(items, self.rate_model, self.tuning), strict=True
        ):
            row = gst_rules.rate_on(expected[0], day, item.unit_price) if expected else None
            hints.append(RateHint(row.rate, row.description, row.source) if row else None)
        return hints

    def check(self, invoice: InvoiceFacts, today: dt.date | None = None) -> ComplianceReport:
        issues = Issues(invoice.invoice_id)
        documents.mandatory_fields(invoice, issues, today)
        if invoice.invoice_date is not None:
            parties.gstins(invoice, issues)
            documents.numbering(invoice, issues)
            documents.hsn_digits(invoice, issues)
            expected = rates.expected_items(invoice.items, self.rate_model, self.tuning)
            rates.rates(invoice, issues, expected)
            cess = rates.cess_bounds(invoice, expected)
            arithmetic.arithmetic(invoice, issues, self.tuning, cess)
            parties.tax_split(invoice, issues, self.tuning)
            documents.e_invoice(invoice, issues)
        return ComplianceReport(
            invoice_id=invoice.invoice_id,
            issues=issues.found,
            overall_status=overall_status(issues.found),
            rules_version=gst_rules.rules()["version"],
            model_version=self.version,
        )
