"""From a shop owner's sentence to the invoice they meant, matched to their own data."""

from __future__ import annotations

import datetime as dt

from deployments.invoice.offline.evaluation import (
    FIELDS,
    FINAL,
    FORMS_DEV,
    MESSY_DEV,
    MESSY_DEV_2,
    evaluate,
    generated,
    hand_written,
)
from deployments.invoice.parser import MAX_TOKENS
from deployments.invoice.resolver import canonical, resolve
from deployments.invoice.text import MAX_ITEMS, TOO_MANY_ITEMS
from kernel import work
from kernel.models.invoice import Catalogue
from testkit.factories import invoice_parser

TODAY = dt.date(2026, 11, 27)  # a Friday
CATALOGUE = Catalogue(
    customers=[
        {"id": "c1", "name": "Rajesh Traders", "gst_number": "27AAPFU0939F1ZV"},
        {"id": "c2", "name": "Sharma Hardware Stores", "gst_number": None},
        {"id": "c3", "name": "Sharma Hardware Store", "gst_number": None},
    ],
    products=[{"id": "p1", "name": "Cement OPC 53", "unit": "bag", "selling_price": 365}],
    past_items=[
        {"name": "Cement OPC 53", "unit_price": 360, "tax_rate": 18, "hsn_code": "252329"},
    ],
)


NOTHING = Catalogue()


def draft(text: str, catalogue: Catalogue = NOTHING, with_data: bool = True):  # type: ignore[no-untyped-def]
    return resolve(invoice_parser().parse(text, TODAY), catalogue, TODAY, with_data)


def test_the_documented_prompts_beat_the_apps_fallback() -> None:
    rajesh = draft("Generate an invoice for Rajesh Traders, 10 units of Item A, UPI link attached")
    assert rajesh.customer_name == "Rajesh Traders" and rajesh.payment_mode == "upi"
    assert [(line.name, line.quantity) for line in rajesh.lines] == [("Item A", 10)]
    assert rajesh.notes[0] == "UPI link attached"
    john = draft("Create invoice for John Doe, 5 items at 100 each with UPI payment")
    assert john.customer_name == "John Doe" and john.payment_mode == "upi"
    assert [(line.quantity, line.unit_price) for line in john.lines] == [(5, 100)]
    nitiayog = draft(
        "Create invoice for Nitiayog Textiles for 8 drums for 5000 rupees each with 8% discount"
    )
    assert nitiayog.customer_name == "Nitiayog Textiles" and nitiayog.discount_percent == 8
    assert [(line.name, line.quantity, line.unit_price) for line in nitiayog.lines] == [
        ("Drums", 8, 5000)
    ]
    # 18% GST on 40,000 less the 8% discount: what the NLP screen's preview shows
    assert nitiayog.totals(tax_after_discount=True) == {
        "subtotal": 40000.0,
        "discount_amount": 3200.0,
        "tax_amount": 6624.0,
        "total_amount": 43424.0,
    }


def test_lakh_crore_and_k_amounts() -> None:
    almirah = draft("Invoice for Hari Traders, 1 steel almirah for 1.5 lakh rupees")
    assert [line.unit_price for line in almirah.lines] == [150000]
    fans = draft("Bill Om Stores: 3 ceiling fan at 2k each")
    assert [line.unit_price for line in fans.lines] == [2000]
    grouped = draft("Create invoice for Ravi Das for 1 tractor at Rs. 6,25,000")
    assert [line.unit_price for line in grouped.lines] == [625000]


def test_relative_due_dates_and_default_terms() -> None:
    assert draft("Bill Om Stores: 2 bags cement @ 350, due in 15 days").due_date == dt.date(
        2026, 12, 12
    )
    assert draft("Bill Om Stores: 2 bags cement @ 350, by next Friday").due_date == dt.date(
        2026, 12, 4
    )
    default = draft("Bill Om Stores: 2 bags cement @ 350")
    assert default.due_date == dt.date(2026, 12, 27) and not default.due_stated


def test_customers_match_exactly_ambiguously_or_not_at_all() -> None:
    exact = draft("Invoice for rajesh traders, 10 bags cement @ 350", CATALOGUE)
    assert (exact.customer_id, exact.customer_name) == ("c1", "Rajesh Traders")
    assert exact.customer_gstin == "27AAPFU0939F1ZV" and not exact.errors
    ambiguous = draft("Invoice for Sharma Hardwre, 10 bags cement @ 350", CATALOGUE)
    assert ambiguous.customer_id is None and ambiguous.errors
    assert "Sharma Hardware Stores" in ambiguous.suggestions[0]
    assert "Sharma Hardware Store" in ambiguous.suggestions[0]
    unknown = draft("Invoice for Kapoor Electricals, 10 bags cement @ 350", CATALOGUE)
    assert unknown.customer_id is None and not unknown.errors
    assert "New customer: Kapoor Electricals" in unknown.suggestions


def test_products_fill_in_name_price_unit_and_rate() -> None:
    line = draft("Invoice for Rajesh Traders, 10 bags cement", CATALOGUE).lines[0]
    assert (line.name, line.product_id, line.unit_price) == ("Cement OPC 53", "p1", 365)
    assert (line.tax_rate, line.hsn_code) == (18, "252329")
    no_data = draft("Invoice for Rajesh Traders, 10 bags cement", CATALOGUE, with_data=False)
    assert no_data.lines[0].product_id is None and no_data.customer_id is None


def test_other_requests_are_not_invoices() -> None:
    result = draft("What is the GST rate on cement?")
    assert "This does not look like an invoice request" in result.errors


def test_field_f1_on_the_acceptance_set() -> None:
    """300 generated held-out prompts and the 50 hand-written ones kept blind, scored with the
    small test model; the shipped one is measured by `cli evaluate --model invoice`."""
    scores = evaluate(invoice_parser(), [*generated(300), *hand_written(FINAL)])
    for field in FIELDS:
        assert scores[field]["f1"] >= 0.95, (field, scores[field])


def parse(text: str):  # type: ignore[no-untyped-def]
    return invoice_parser().parse(text, TODAY)


def test_hindi_in_devanagari_is_read_and_names_keep_their_script() -> None:
    parsed = parse("शर्मा ट्रेडर्स को 10 बोरी सीमेंट 350 रुपये के भाव से बिल बनाओ, नकद")
    assert parsed.customer == "शर्मा ट्रेडर्स"
    [item] = parsed.items
    assert (item.name, item.quantity, item.unit_price) == ("सीमेंट", 10.0, 350.0)
    assert parsed.payment_mode == "cash"
    assert parse("सुनील को ३ किलो दाल १२० रुपये किलो का बिल बनाओ").items[0].quantity == 3.0


def test_units_glued_to_numbers_prices_per_unit_and_line_totals() -> None:
    glued = parse("Bill Arora Kirana for 10kg chana 95/kg and 5ltr oil 170/ltr")
    assert [(i.quantity, i.unit_price) for i in glued.items] == [(10.0, 95.0), (5.0, 170.0)]
    total = parse("Make a bill for Nisha Collections, 8 dupattas, total 2,400")
    assert [(i.quantity, i.unit_price) for i in total.items] == [(8.0, 300.0)]


def test_the_messy_and_forms_development_sets() -> None:
    """WhatsApp-style, Devanagari and plain prompts written to develop those forms (not the
    frozen independent set, which only `fineasy evaluate --model invoice` scores)."""
    prompts = [*hand_written(MESSY_DEV), *hand_written(MESSY_DEV_2), *hand_written(FORMS_DEV)]
    scores = evaluate(invoice_parser(), prompts)
    for field in FIELDS:
        assert scores[field]["f1"] >= 0.9, (field, scores[field])


def test_and_sons_is_ampersand_sons_whichever_way_it_is_typed() -> None:
    catalogue = Catalogue(
        customers=[
            {"id": "m", "name": "Mohan Lal & Sons", "gst_number": None},
            {"id": "k", "name": "Kumar & Sons", "gst_number": None},
        ]
    )
    assert canonical("Mohan Lal and Sons") == canonical("mohan lal n sons") == "mohan lal & sons"
    for typed in ("Mohan Lal and Sons", "mohan lal & sons", "Mohan Lal n Sons"):
        result = draft(f"Bill {typed} for 50 bags cement at 345", catalogue)
        assert result.customer_id == "m" and not result.errors, (typed, result.errors)


def test_a_sentence_is_tagged_to_its_thousandth_token_and_to_its_hundredth_item() -> None:
    text = "Invoice for Ram, " + "cement 10 bags, " * 600
    with work.installed(work.Budget(60.0)) as budget:
        parsed = invoice_parser().parse(text, TODAY)
    assert budget.spent <= len(text) + 1 + MAX_TOKENS  # its one line read, a token tagged
    assert len(parsed.items) == MAX_ITEMS and parsed.notes[-1] == TOO_MANY_ITEMS
    assert parsed.customer == "Ram"


def test_a_draft_whose_amounts_no_bill_holds_is_refused_not_saved() -> None:
    made = draft("Invoice for Ram, 2000 bags cement at 90 crore each")
    assert any("more than a bill holds" in e for e in made.errors)
