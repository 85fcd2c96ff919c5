"""The arithmetic rule: tax, taxable value and total must add up, within the tolerance of
rounding each line's tax to paise and the total to the rupee. Pure."""

from __future__ import annotations

from deployments.compliance.issues import Issues
from kernel.model_io import InvoiceFacts
from kernel.money import format_inr
from kernel.tuning import ComplianceTuning


def arithmetic(inv: InvoiceFacts, issues: Issues, tuning: ComplianceTuning) -> None:
    if not inv.items:
        return
    tolerance = tuning.tolerance_per_invoice + tuning.tolerance_per_item * len(inv.items)
    subtotal = sum(item.quantity * item.unit_price for item in inv.items)
    tax = sum(round(item.quantity * item.unit_price * item.tax_rate / 100, 2) for item in inv.items)
    problems, fixes = [], []
    if abs(inv.tax_amount - tax) > tolerance:
        problems.append(
            f"tax_amount {inv.tax_amount:.2f} differs from the sum of item tax {tax:.2f}"
        )
        fixes.append(f"Recalculate GST on each item's value: total GST {format_inr(tax)}")
    if abs(inv.subtotal - subtotal) > tolerance:
        problems.append(
            f"subtotal {inv.subtotal:.2f} differs from the sum of quantity x price {subtotal:.2f}"
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
