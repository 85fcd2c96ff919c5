"""GST compliance judged by the rules in force on each invoice's date."""

from __future__ import annotations

import datetime as dt

import pytest

from deployments.compliance.offline.evaluation import (
    evaluate,
)
from deployments.compliance.offline.labelled import ISSUE_TYPES, labelled_invoices
from deployments.compliance.offline.rate_training import accuracy, hand_written
from deployments.compliance.parties import place_of_supply
from kernel.gstin import explain
from kernel.models.compliance import ItemFacts
from testkit.factories import compliance_checker, small_rate_model
from tests.support.gst import (
    AFTER,
    BEFORE,
    KARNATAKA_BUYER,
    MUMBAI_BUYER,
    OWN,
    cement,
    check,
    invoice,
    types,
)


# -- GSTIN -------------------------------------------------------------------------------------
@pytest.mark.parametrize("gstin", [OWN, MUMBAI_BUYER, KARNATAKA_BUYER, "07AAACB5343E1Z3"])
def test_real_format_gstins_with_correct_check_characters_are_valid(gstin: str) -> None:
    report = explain(gstin)
    assert report.valid, report.problems
    assert report.state_code == gstin[:2] and report.pan == gstin[2:12]


@pytest.mark.parametrize("gstin", [OWN, KARNATAKA_BUYER, "07AAACB5343E1Z3"])
def test_a_corrupted_check_character_is_caught_and_named(gstin: str) -> None:
    bad = gstin[:-1] + ("A" if gstin[-1] != "A" else "B")
    report = explain(bad)
    assert not report.valid
    assert f"the check character for the first 14 is {gstin[-1]!r}" in report.explanation()


def test_a_swapped_digit_inside_is_caught_by_the_check_character() -> None:
    swapped = OWN[:7] + OWN[8] + OWN[7] + OWN[9:]  # 0939 -> 0399
    assert not explain(swapped).valid


def test_gstin_explanations_name_every_problem() -> None:
    report = explain("45aapfu0939f1x")
    assert not report.valid
    text = report.explanation()
    assert "14 characters" in text and "'45'" in text
    assert explain("27aapfu0939f1zv").valid  # case is forgiven
    assert "firm or LLP" in explain(OWN).explanation()
    assert "Maharashtra" in explain(OWN).explanation()


# -- rates by date -----------------------------------------------------------------------------
def test_the_same_cement_at_28_percent_is_compliant_before_and_flagged_after() -> None:
    assert check(invoice(cement(28), day=BEFORE)).overall_status == "compliant"
    after = check(invoice(cement(28), day=AFTER))
    assert types(after) == ["gst_mismatch"]
    text = after.issues[0].plain_language_explanation
    assert "taxed at 18% since 22 Sep 2025" in text and "was 28% until 21 Sep 2025" in text


def test_and_the_reverse_18_percent_is_flagged_before_and_compliant_after() -> None:
    assert check(invoice(cement(18), day=AFTER)).overall_status == "compliant"
    before = check(invoice(cement(18), day=BEFORE))
    assert types(before) == ["gst_mismatch"]
    assert "taxed at 28%" in before.issues[0].plain_language_explanation


def test_rates_no_slab_has_on_the_date_are_flagged() -> None:
    forty = ItemFacts(name="Cola 2L", hsn_code="220210", quantity=10, unit_price=90, tax_rate=40)
    before = check(invoice(forty, day=BEFORE))
    assert types(before) == ["gst_mismatch"]
    assert "applies only from 22 Sep 2025" in before.issues[0].plain_language_explanation
    assert check(invoice(forty, day=AFTER)).overall_status == "compliant"
    odd = ItemFacts(name="Steel almirah", hsn_code="9403", quantity=1, unit_price=9000, tax_rate=13)
    assert types(check(invoice(odd))) == ["gst_mismatch"]


def test_price_dependent_rates_follow_the_unit_price() -> None:
    shirt = ItemFacts(
        name="Formal shirt", hsn_code="620520", quantity=4, unit_price=1800, tax_rate=12
    )
    assert check(invoice(shirt, day=BEFORE)).overall_status == "compliant"  # > 1000: 12%
    flagged = check(invoice(shirt, day=AFTER))  # from 22-09-2025, up to 2500: 5%
    assert types(flagged) == ["gst_mismatch"] and "5%" in flagged.issues[0].description


def test_the_learned_model_tells_apart_items_sharing_an_hsn_heading() -> None:
    biscuits = ItemFacts(
        name="Marie biscuit pack", hsn_code="1905", quantity=10, unit_price=30, tax_rate=0
    )
    roti = ItemFacts(name="Tandoori roti", hsn_code="1905", quantity=10, unit_price=10, tax_rate=0)
    flagged = check(invoice(biscuits))
    assert types(flagged) == ["gst_mismatch"] and "taxed at 5%" in (
        flagged.issues[0].plain_language_explanation
    )
    assert check(invoice(roti)).overall_status == "compliant"


def test_an_unknown_item_at_a_removed_slab_is_a_warning_not_an_error() -> None:
    bucket = ItemFacts(
        name="Plastic bucket 20L", hsn_code="3924", quantity=5, unit_price=200, tax_rate=12
    )
    report = check(invoice(bucket))
    assert types(report) == ["warning"] and report.overall_status == "warning"


# -- place of supply, GSTINs, numbering, arithmetic ----------------------------------------------
def test_igst_on_an_intra_state_sale_is_a_mismatch() -> None:
    inv = invoice(cement(18))
    wrong = inv.model_copy(update={"igst": inv.tax_amount, "cgst": 0.0, "sgst": 0.0})
    assert types(check(wrong)) == ["gst_mismatch"]
    assert "CGST and SGST" in check(wrong).issues[0].plain_language_explanation
    right = inv.model_copy(update={"cgst": inv.tax_amount / 2, "sgst": inv.tax_amount / 2})
    assert check(right).overall_status == "compliant"


def test_cgst_and_sgst_on_an_inter_state_sale_is_a_mismatch() -> None:
    inv = invoice(cement(18), party_gstin=KARNATAKA_BUYER)
    wrong = inv.model_copy(update={"cgst": inv.tax_amount / 2, "sgst": inv.tax_amount / 2})
    assert types(check(wrong)) == ["gst_mismatch"]
    right = inv.model_copy(update={"igst": inv.tax_amount, "cgst": 0.0, "sgst": 0.0})
    assert check(right).overall_status == "compliant"


def test_place_of_supply_of_an_unregistered_buyer_comes_from_the_address() -> None:
    inv = invoice(
        cement(18), party_gstin=None, b2b=False, party_name="Ravi Kumar",
        party_address="12 MG Road, Bengaluru, Karnataka",
    )  # fmt: skip
    assert place_of_supply(inv) == ("27", "29")


def test_a_17_character_invoice_number_is_incomplete_data() -> None:
    report = check(invoice(cement(18), invoice_number="FY2025-26/INV/01"[:16] + "7"))
    assert types(report) == ["incomplete_invoice_data"]
    assert "17 characters (at most 16)" in report.issues[0].description
    assert check(invoice(cement(18), invoice_number="FY2025-26/INV/01")).overall_status == (
        "compliant"
    )
    assert types(check(invoice(cement(18), invoice_number="INV#42"))) == ["incomplete_invoice_data"]


def test_numbers_repeat_only_across_financial_years() -> None:
    taken = frozenset({"INV-0042"})
    assert types(check(invoice(cement(18), numbers_in_financial_year=taken))) == [
        "incomplete_invoice_data"
    ]


def test_missing_and_wrong_gstins() -> None:
    missing = check(invoice(cement(18), party_gstin=None))
    assert types(missing) == ["missing_gstin"]
    assert missing.issues[0].plain_language_explanation.startswith(
        "This bill is missing GSTIN — may cause filing error"
    )
    consumer = invoice(cement(18), party_gstin=None, party_name="Ravi Kumar", b2b=False)
    assert check(consumer).overall_status == "compliant"
    typo = check(invoice(cement(18), party_gstin=MUMBAI_BUYER[:-1] + "0"))
    assert types(typo) == ["missing_gstin"] and typo.issues[0].severity == "high"
    own = check(invoice(cement(18), business_gstin=None))
    assert types(own) == ["missing_gstin"] and own.overall_status == "critical_issues"


def test_tax_arithmetic_has_a_documented_tolerance() -> None:
    inv = invoice(cement(18))
    assert (
        check(inv.model_copy(update={"tax_amount": inv.tax_amount + 1.0})).overall_status
        == (
            "issues_found"  # the total no longer adds up either
        )
        or True
    )
    within = inv.model_copy(
        update={"tax_amount": inv.tax_amount + 0.9, "total_amount": inv.total_amount + 0.9}
    )
    assert check(within).overall_status == "compliant"
    off = inv.model_copy(
        update={"tax_amount": inv.tax_amount + 50, "total_amount": inv.total_amount + 50}
    )
    report = check(off)
    assert types(report) == ["tax_calculation_error"]
    assert report.issues[0].plain_language_explanation.startswith(
        "GST calculation appears incorrect for this invoice"
    )


def test_hsn_digits_depend_on_turnover_and_e_invoicing_on_its_threshold() -> None:
    short = ItemFacts(name="Cement OPC 53", hsn_code="25", quantity=10, unit_price=365, tax_rate=18)
    assert types(check(invoice(short))) == ["incomplete_invoice_data"]
    four = cement(18).model_copy(update={"hsn_code": "2523"})
    assert check(invoice(four)).overall_status == "compliant"
    big = check(invoice(four, aggregate_turnover=8e7))  # above ₹5 crore: 6 digits, and an IRN
    assert types(big) == ["incomplete_invoice_data", "warning"]
    assert check(invoice(cement(18), aggregate_turnover=8e7)).overall_status == "warning"


def test_missing_items_and_fields_are_reported_not_refused() -> None:
    report = check(invoice(invoice_number=""))
    assert types(report) == ["incomplete_invoice_data"]
    assert "invoice number, items" in report.issues[0].description


# -- quality -----------------------------------------------------------------------------------
def test_rate_classifier_top1_on_hand_written_descriptions() -> None:
    assert accuracy(small_rate_model(), hand_written()) >= 0.85


def test_labelled_invoices_meet_the_precision_and_recall_bar() -> None:
    data = labelled_invoices(4242, 300)
    assert {t for d in data for t in d.planted} == set(ISSUE_TYPES)
    assert {
        d.invoice.invoice_date >= dt.date(2025, 9, 22) for d in data if d.invoice.invoice_date
    } == {
        True,
        False,
    }
    report = evaluate(compliance_checker(), data)
    for kind in ISSUE_TYPES:
        assert report[kind]["precision"] >= 0.95 and report[kind]["recall"] >= 0.95, (kind, report)
