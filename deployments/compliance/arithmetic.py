"""The arithmetic rule: tax, taxable value and total must add up, within the tolerance of
rounding each line's tax to paise and the total to the rupee. Pure.

GST may be computed on each line's value before the invoice's discount (as the app does) or after
it (section 15(3)(a): a discount shown on the invoice is not part of the value); both are
right. While the compensation cess was in force, the tax may also carry it: stated apart
(`cess_amount`) or included, within the cess the invoice's items could bear on its date."""

from __future__ import annotations

from deployments.compliance.issues import Issues
from kernel.models.compliance import ComplianceTuning, InvoiceFacts
from kernel.money import format_inr


def after_discount_share(inv: InvoiceFacts) -> float:
    """The share of each line's value left after the invoice's discount (shared by value)."""
    subtotal = sum(item.quantity * item.unit_price for item in inv.items)
    return 1.0 - (inv.discount_amount / subtotal if subtotal > 0 else 0.0)


def gst_bases(inv: InvoiceFacts) -> tuple[float, float]:
    """(GST on the values before the discount, GST on the values after it), each line rounded
    to paise; the discount shared among lines by value."""
    share = after_discount_share(inv)
    before = after = 0.0
    for item in inv.items:
        value = item.quantity * item.unit_price
        before += round(value * item.tax_rate / 100, 2)
        after += round(value * share * item.tax_rate / 100, 2)
    return round(before, 2), round(after, 2)


def arithmetic(
    inv: InvoiceFacts,
    issues: Issues,
    tuning: ComplianceTuning,
    cess_bounds: tuple[float, float] = (0.0, 0.0),
) -> None:
    """`cess_bounds`: the least and most compensation cess (rupees) the invoice's items could
    bear on its date (0, 0 when none could)."""
    if not inv.items:
        return
    tolerance = tuning.tolerance_per_invoice + tuning.tolerance_per_item * len(inv.items)
    subtotal = sum(item.quantity * item.unit_price for item in inv.items)
    before, after = gst_bases(inv)
    stated = inv.cess_amount or 0.0
    low, high = cess_bounds
    problems, fixes = [], []
    gst_in_tax = [inv.tax_amount, inv.tax_amount - stated]
    fits = any(abs(t - g) <= tolerance for t in gst_in_tax for g in (before, after))
    if not fits and not stated and high > 0:  # cess included in the tax without being stated
        fits = any(
            low - tolerance <= inv.tax_amount - g <= high + tolerance for g in (before, after)
        )
    if not fits:
        problems.append(
            f"tax_amount {inv.tax_amount:.2f} differs from the sum of item tax {before:.2f}"
            + (f" ({after:.2f} on the value after the discount)" if after != before else "")
        )
        fixes.append(f"Recalculate GST on each item's value: total GST {format_inr(before)}")
    if stated > tolerance and high <= 0:
        problems.append(
            f"cess_amount {stated:.2f} is charged, but no item on this invoice bears "
            "compensation cess on its date"
        )
        fixes.append("Remove the compensation cess (it ended for these goods)")
    if abs(inv.subtotal - subtotal) > tolerance:
        problems.append(
            f"subtotal {inv.subtotal:.2f} differs from the sum of quantity x price {subtotal:.2f}"
        )
        fixes.append(f"Correct the taxable value to {format_inr(subtotal)}")
    totals = {inv.subtotal + inv.tax_amount - inv.discount_amount}
    if stated:
        totals.add(inv.subtotal + inv.tax_amount + stated - inv.discount_amount)
    if all(abs(inv.total_amount - total) > tolerance for total in totals):
        expected_total = min(totals)
        problems.append(
            f"total_amount {inv.total_amount:.2f} is not subtotal + tax - discount "
            f"({expected_total:.2f})"
        )
        fixes.append(f"Correct the invoice total to {format_inr(expected_total)}")
    if problems:
        gap = min(abs(inv.tax_amount - g) for g in (before, after))
        issues.add(
            "tax_arithmetic",
            "tax_calculation_error",
            "high" if gap > max(100.0, 0.01 * before) else "medium",
            "; ".join(problems),
            "GST calculation appears incorrect for this invoice: " + problems[0] + ".",
            fixes,
        )
