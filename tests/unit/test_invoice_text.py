"""Normalisers for what shop owners type: Indian amounts, quantities, percentages, payment modes
and due dates, in English and Hinglish."""

import datetime as dt

import pytest

from deployments.invoice.text import (
    MAX_TEXT_CHARS,
    clean,
    parse_amount,
    parse_due,
    parse_payment,
    parse_percent,
    parse_quantity,
)

TODAY = dt.date(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rs. 1,25,000", 125000.0),
        ("₹2,500.50", 2500.5),
        ("1.5 lakh", 150000.0),
        ("2 lakhs", 200000.0),
        ("2k", 2000.0),
        ("3 crore", 30000000.0),
        ("5000 rupees each", 5000.0),
        ("@ 350", 350.0),
        ("250/-", 250.0),
        ("INR 12,34,567.89", 1234567.89),
        ("125,000", 125000.0),
        ("60 rupees kilo", 60.0),
        ("5 hazaar", 5000.0),
    ],
)
def test_amounts_as_indians_write_them(text: str, amount: float) -> None:
    assert parse_amount(text) == amount


def test_no_amount_is_none() -> None:
    assert parse_amount("Rajesh Traders") is None


@pytest.mark.parametrize(
    ("text", "percent"),
    [("18% GST", 18.0), ("8% discount", 8.0), ("5 percent", 5.0), ("12.5 %", 12.5)],
)
def test_percentages(text: str, percent: float) -> None:
    assert parse_percent(text) == percent


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("10 bags cement", (10.0, "bag")),
        ("5 kg chawal", (5.0, "kg")),
        ("8 drums", (8.0, "drum")),
        ("10 units of Item A", (10.0, "unit")),
        ("2 dozen eggs", (2.0, "dozen")),
        ("das packet", (10.0, "pkt")),
        ("1.5 ltr", (1.5, "l")),
        ("3 shirts", (3.0, None)),
    ],
)
def test_quantities_and_units(text: str, quantity: tuple[float, str | None]) -> None:
    assert parse_quantity(text) == quantity


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("UPI link attached", "upi"),
        ("pay by GPay", "upi"),
        ("paid via PhonePe", "upi"),
        ("cash payment", "cash"),
        ("nakad", "cash"),
        ("by credit card", "card"),
        ("on credit", "credit"),
        ("udhar pe", "credit"),
        ("NEFT to our account", "bank_transfer"),
        ("cheque", "cheque"),
        ("no payment words here", None),
    ],
)
def test_payment_modes(text: str, mode: str | None) -> None:
    assert parse_payment(text) == mode


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("due in 15 days", dt.date(2026, 12, 12)),
        ("net 30", dt.date(2026, 12, 27)),
        ("within a week", dt.date(2026, 12, 4)),
        ("15 din mein", dt.date(2026, 12, 12)),
        ("ek hafte mein", dt.date(2026, 12, 4)),
        ("within 2 weeks", dt.date(2026, 12, 11)),
        ("in 1 month", dt.date(2026, 12, 27)),
        ("by next Friday", dt.date(2026, 12, 4)),  # never today
        ("by Monday", dt.date(2026, 11, 30)),
        ("by 5th December", dt.date(2026, 12, 5)),
        ("by 5th March", dt.date(2027, 3, 5)),  # the next one
        ("on 2026-12-05", dt.date(2026, 12, 5)),
        ("by 05/12/2026", dt.date(2026, 12, 5)),  # day first
        ("December 10, 2026", dt.date(2026, 12, 10)),
        ("31/02/2026", None),
        ("no date", None),
    ],
)
def test_due_dates_relative_to_today(text: str, due: dt.date | None) -> None:
    assert parse_due(text, TODAY) == due


def test_clean_strips_control_characters_and_folds_full_width_digits() -> None:
    assert clean("10\x00 bags\r\n cement\u200b @ \uff13\uff15\uff10") == "10 bags cement @ 350"


def test_clean_reads_at_most_the_text_cap_even_where_normalisation_lengthens_it() -> None:
    assert len(clean("\ufdfa" * MAX_TEXT_CHARS)) <= MAX_TEXT_CHARS
    assert clean("\ufdfa") == "صلى الله عليه وسلم"


def test_numbers_no_bill_holds_are_not_read_as_amounts_quantities_or_rates() -> None:
    """400 nines are an infinite float: as a price it made the draft's totals infinite, and a
    saved draft failed at the database."""
    assert parse_amount("at " + "9" * 400) is None and parse_amount("1,00,000 crore") == 1e12
    assert parse_quantity("9" * 400 + " bags") is None
    assert parse_percent("150% off") is None and parse_percent("18%") == 18.0
