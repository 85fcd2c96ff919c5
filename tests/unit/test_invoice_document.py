"""Printed invoices as OCR returns them (lines; a table's columns two spaces apart) read into
the invoice they are. The bills are typed here in layouts the evaluation's renderer does not
draw (eval_world/scanned_invoices.py), labels and columns included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pytest

from deployments.invoice.document import (
    _items,
    _numbers,
    clean_lines,
    looks_printed,
    parse_document,
)
from deployments.invoice.parser import InvoiceParser
from deployments.invoice.resolver import resolve
from deployments.invoice.text import MAX_ITEMS, MAX_TEXT_CHARS, TOO_MANY_ITEMS, parse_date
from kernel import work
from kernel.models.invoice import Catalogue
from testkit.factories import invoice_parser

T = TypeVar("T")

GST_BILL = """\
SRI VENKATESWARA TRADERS
D.No 4-12, Kothapet, Guntur - 522001
GSTIN : 37ABCDE1234F1Z5
TAX INVOICE
Inv. No. : SVT/2025-26/118        Dated : 07-Oct-2025
Buyer (Bill to)
M/s Lakshmi Agro Services
Sr  Description of Goods  HSN/SAC  Quantity  Rate  Amount
1  Urea 45kg  3102  20 bags  266.50  5,330.00
2  Sprayer Pump 16L  8424  2 nos  1,450.00  2,900.00
Taxable Value  8,230.00
CGST @ 9%  261.00
SGST @ 9%  261.00
Total  8,752.00
Rupees Eight Thousand Seven Hundred Fifty Two Only
"""

THERMAL = """\
*** ANNAPOORNA SWEETS ***
Bill#: 4471   Table: 6
Date: 2026-02-14 20:41
Customer: Priya Nair
ITEM  QTY  PRICE  AMT
Kaju Katli 500g  2  450.00  900.00
Samosa  6  18.00  108.00
Masala Chai  4  25.00  100.00
NET TOTAL  Rs. 1,108.00
Paid by UPI
"""

HINDI_PARTY = """\
राम किराना भंडार
बिल नं / Bill No: 2231
Date: 3rd March 2026
Name: सीता देवी
Item  Qty  Rate  Amount
Atta 10kg  1  420.00  420.00
Toor Dal  2  160.00  320.00
Grand Total  740.00
"""

TWO_LINE_ITEMS = """\
MODERN MEDICALS
Cash Memo No. CM/0458
Date 11.12.2025
Patient: Arvind Kulkarni
Paracetamol 650 Tab
  3 x 32.50  97.50
Cough Syrup 100ml
  1 x 118.00  118.00
Amount Payable  215.50
"""


def test_a_gst_tax_invoice_is_read_field_by_field() -> None:
    parsed = parse_document(GST_BILL)
    assert parsed.customer == "Lakshmi Agro Services"
    assert parsed.printed is not None
    assert parsed.printed.invoice_number == "SVT/2025-26/118"
    assert parsed.printed.invoice_date == dt.date(2025, 10, 7)
    assert parsed.printed.total_amount == 8752.0
    assert parsed.printed.tax_amount == 522.0
    assert [(i.name, i.quantity, i.unit, i.unit_price, i.hsn_code, i.tax_rate) for i in
            parsed.items] == [
        ("Urea 45kg", 20.0, "bag", 266.5, "3102", 18.0),
        ("Sprayer Pump 16L", 2.0, "pcs", 1450.0, "8424", 18.0),
    ]  # fmt: skip


def test_a_thermal_receipt_with_its_own_labels() -> None:
    parsed = parse_document(THERMAL)
    assert parsed.customer == "Priya Nair"
    assert parsed.printed is not None
    assert parsed.printed.invoice_number == "4471"
    assert parsed.printed.invoice_date == dt.date(2026, 2, 14)
    assert parsed.printed.total_amount == 1108.0
    assert [(i.name, i.quantity, i.unit_price) for i in parsed.items] == [
        ("Kaju Katli 500g", 2.0, 450.0),
        ("Samosa", 6.0, 18.0),
        ("Masala Chai", 4.0, 25.0),
    ]


def test_a_party_named_in_devanagari_keeps_its_script() -> None:
    parsed = parse_document(HINDI_PARTY)
    assert parsed.customer == "सीता देवी"
    assert parsed.printed is not None
    assert parsed.printed.invoice_number == "2231"
    assert parsed.printed.invoice_date == dt.date(2026, 3, 3)
    assert parsed.printed.total_amount == 740.0
    assert [(i.name, i.quantity, i.unit_price) for i in parsed.items] == [
        ("Atta 10kg", 1.0, 420.0),
        ("Toor Dal", 2.0, 160.0),
    ]


def test_an_item_whose_numbers_are_on_the_next_line() -> None:
    parsed = parse_document(TWO_LINE_ITEMS)
    assert parsed.customer == "Arvind Kulkarni"
    assert parsed.printed is not None
    assert parsed.printed.invoice_number == "CM/0458"
    assert parsed.printed.total_amount == 215.5
    assert [(i.name, i.quantity, i.unit_price) for i in parsed.items] == [
        ("Paracetamol 650 Tab", 3.0, 32.5),
        ("Cough Syrup 100ml", 1.0, 118.0),
    ]


def test_a_misread_row_inside_the_table_still_counts_read_from_the_right() -> None:
    text = GST_BILL.replace("5,330.00", "5,380.00")  # OCR: 3 read as 8; 20 x 266.50 != 5,380
    items = parse_document(text).items
    assert (items[0].quantity, items[0].unit_price) == (20.0, 266.5)
    assert items[0].confidence < items[1].confidence


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Date: 04/01/2026", dt.date(2026, 1, 4)),
        ("Dt. 04-01-26", dt.date(2026, 1, 4)),
        ("dated 4.1.2026", dt.date(2026, 1, 4)),
        ("04 Jan 2026", dt.date(2026, 1, 4)),
        ("04-Jan-26", dt.date(2026, 1, 4)),
        ("January 4, 2026", dt.date(2026, 1, 4)),
        ("2026-01-04", dt.date(2026, 1, 4)),
        ("31/02/2026", None),
    ],
)
def test_indian_date_styles_are_read_day_first(text: str, day: dt.date | None) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "make a bill for Sharma ji, 10 bags cement at 380",
        "Invoice for Rajesh Traders\n10 units of Item A\nUPI link attached",
        "bill Zorawar 2 bags cement",
    ],
)
def test_sentences_are_not_taken_for_printed_bills(text: str) -> None:
    assert not looks_printed(text)


def test_the_parser_reads_a_printed_bill_by_layout_and_a_sentence_by_its_tagger() -> None:
    parser: InvoiceParser = invoice_parser()
    today = dt.date(2026, 3, 20)
    printed = parser.parse(GST_BILL, today)
    assert printed.printed is not None and printed.model_version == parser.version
    sentence = parser.parse("Invoice for Rajesh Traders, 10 bags cement at 380", today)
    assert sentence.printed is None and sentence.customer == "Rajesh Traders"
    draft = resolve(printed, Catalogue(), today, False)
    assert draft.printed == printed.printed
    assert [(line.tax_rate, line.hsn_code, line.default_rate) for line in draft.lines] == [
        (18.0, "3102", False),
        (18.0, "8424", False),
    ]
    assert draft.due_date == dt.date(2025, 11, 6)  # 30 days from the bill's own date


def _counted(read: Callable[[], T]) -> tuple[T, int]:
    """What `read` returns, and the work its checkpoints counted."""
    with work.installed(work.Budget(60.0)) as budget:
        return read(), budget.spent


@pytest.mark.parametrize("count", [12, 100, 3000])
def test_a_row_of_any_number_of_bare_numbers_costs_at_most_220_triples(count: int) -> None:
    """No three sevens make quantity x rate = amount, so every triple is tried: among the last
    twelve numbers only, however many the row has (all 3000 would be 4.5 billion)."""
    items, tried = _counted(lambda: _items([" ".join(["7"] * count)]))
    assert items == [] and tried == 220


def test_indian_grouping_runs_do_not_make_every_number_rescan_the_line() -> None:
    line = "1" + ",11" * 3000
    assert [n.value for n in _numbers("1,23,45,678 and 9,87,654.50")] == [12345678.0, 987654.5]
    assert len(_numbers(line)) == 3001


def test_a_run_of_more_than_fifteen_digits_is_no_amount() -> None:
    assert [n.value for n in _numbers(f"Cement  10  385.00  {'9' * 400}  3,850.00")] == [
        10.0,
        385.0,
        3850.0,
    ]


def test_a_bill_is_read_to_its_hundredth_item_and_says_so() -> None:
    rows = [f"Item {i}  2  50.00  100.00" for i in range(MAX_ITEMS + 30)]
    parsed = parse_document("\n".join(["SHOP", "Item  Qty  Rate  Amount", *rows]))
    assert len(parsed.items) == MAX_ITEMS and parsed.items[-1].name == f"Item {MAX_ITEMS - 1}"
    assert parsed.notes == [TOO_MANY_ITEMS]


def test_what_normalisation_lengthens_is_read_to_the_text_cap() -> None:
    raw = "\ufdfa" * MAX_TEXT_CHARS  # each is 18 letters once normalised
    assert sum(len(line) for line in clean_lines(raw)) <= MAX_TEXT_CHARS
