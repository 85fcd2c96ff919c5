"""Rules about who trades with whom: both GSTINs (present where required, valid), the place of
supply, and the tax type it implies (CGST + SGST within a state, IGST between states). Pure."""

from __future__ import annotations

from deployments.compliance.issues import Issues
from kernel.gstin import STATE_NAMES, explain, state_in_address
from kernel.models.compliance import ComplianceTuning, InvoiceFacts
from kernel.money import format_inr


def gstins(inv: InvoiceFacts, issues: Issues) -> None:
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
            "This purchase bill has no supplier GSTIN, so you cannot claim input tax credit on it.",
            ["Ask the supplier for a tax invoice with their GSTIN"],
        )


def place_of_supply(inv: InvoiceFacts) -> tuple[str | None, str | None]:
    """(supplier state code, place-of-supply state code) from GSTINs, the business's state
    and the customer's address; an unknown buyer's place is the supplier's (counter sale), but
    a buyer whose GSTIN is invalid has no place unless the invoice states one (None)."""
    supplier = (
        inv.business_gstin[:2]
        if inv.business_gstin and explain(inv.business_gstin).valid
        else inv.business_state
    )
    stated = inv.place_of_supply or state_in_address(inv.party_address)
    if inv.party_gstin and not explain(inv.party_gstin).valid:
        return supplier, stated  # a registered buyer whose state cannot be read: not local
    recipient = inv.party_gstin[:2] if inv.party_gstin else stated
    return supplier, recipient or supplier


def tax_split(inv: InvoiceFacts, issues: Issues, tuning: ComplianceTuning) -> None:
    if inv.invoice_type != "customer" or (inv.cgst, inv.sgst, inv.igst) == (None, None, None):
        return
    supplier, place = place_of_supply(inv)
    if supplier is None or place is None:
        return
    cgst, sgst, igst = inv.cgst or 0.0, inv.sgst or 0.0, inv.igst or 0.0
    where = STATE_NAMES.get(place, place)
    if supplier == place and igst > tuning.tolerance_per_invoice:
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
    elif supplier != place and cgst + sgst > tuning.tolerance_per_invoice:
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
    elif supplier == place and abs(cgst - sgst) > tuning.tolerance_per_invoice:
        issues.add(
            "cgst_sgst_unequal",
            "tax_calculation_error",
            "medium",
            f"CGST {cgst:.2f} and SGST {sgst:.2f} differ",
            "GST calculation appears incorrect for this invoice: CGST and SGST must be equal "
            "halves of the GST.",
            [f"Charge CGST and SGST of {format_inr(inv.tax_amount / 2)} each"],
        )
