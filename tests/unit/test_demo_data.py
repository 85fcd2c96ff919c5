import datetime as dt
from collections import Counter

from demo_data.generate import generate_dataset
from demo_data.ledger import status_for
from kernel.books import books_from_rows
from kernel.gstin import is_valid_gstin

END = dt.date(2026, 6, 30)


def test_same_seed_gives_identical_books() -> None:
    first, second = generate_dataset(5, 1, END)[0], generate_dataset(5, 1, END)[0]
    assert first.rows() == second.rows()
    assert first.labels == second.labels


def test_books_cover_eighteen_months_in_inr_with_valid_gstins() -> None:
    books = generate_dataset(5, 2, END)
    for generated in books:
        dates = [inv["invoice_date"] for inv in generated.invoices]
        assert (max(dates) - min(dates)).days >= 500
        assert generated.business["currency"] == "INR"
        assert is_valid_gstin(generated.business["gst_number"])
        registered = [s["gst_number"] for s in generated.suppliers if s["gst_number"]]
        assert registered and all(is_valid_gstin(g) for g in registered)
        assert all(item["hsn_code"] for item in generated.invoice_items)


def test_every_fraud_type_and_the_gst_errors_are_planted_and_labelled() -> None:
    labels = Counter(label.type for g in generate_dataset(5, 2, END) for label in g.labels)
    assert set(labels) == {
        "duplicate_invoice",
        "duplicate_supplier_bill",
        "payment_mismatch",
        "suspicious_pattern",
        "gst_mismatch",
        "tax_calculation_error",
    }


def test_invoices_charge_the_gst_rate_of_their_own_date() -> None:
    generated = generate_dataset(5, 2, dt.date(2026, 3, 31))[1]  # a wholesaler: cement
    stale = {
        s for label in generated.labels if label.type == "gst_mismatch" for s in label.subject_ids
    }
    dates = {i["id"]: i["invoice_date"] for i in generated.invoices}
    rates = {
        (dates[item["invoice_id"]] >= dt.date(2025, 9, 22), item["tax_rate"])
        for item in generated.invoice_items
        if item["name"] == "Cement OPC 53" and item["invoice_id"] not in stale
    }
    assert rates == {(False, 28.0), (True, 18.0)}


def test_unlabelled_invoices_have_consistent_payments_and_status() -> None:
    generated = generate_dataset(5, 1, END)[0]
    mismatched = {
        i
        for label in generated.labels
        if label.type == "payment_mismatch"
        for i in label.subject_ids
    }
    paid: Counter[str] = Counter()
    for payment in generated.payments:
        paid[payment["invoice_id"]] += payment["amount"]
    for inv in generated.invoices:
        if inv["id"] in mismatched:
            continue
        assert abs(paid[inv["id"]] - inv["paid_amount"]) <= 0.01
        assert inv["status"] == status_for(inv, END)


def test_rows_load_as_books_with_both_payment_mode_spellings_normalised() -> None:
    generated = generate_dataset(5, 1, END)[0]
    raw_modes = {p["payment_mode"] for p in generated.payments}
    assert {"bank_transfer", "online"} & raw_modes
    books = books_from_rows(generated.rows())
    assert {p.payment_mode for p in books.payments} <= {
        "cash",
        "card",
        "upi",
        "netBanking",
        "cheque",
        "bankTransfer",
        "other",
    }
    assert len(books.invoices) == len(generated.invoices)
    assert sum(len(i.items) for i in books.invoices) == len(generated.invoice_items)


def test_recurring_payments_match_the_standing_orders_and_rent() -> None:
    generated = generate_dataset(5, 1, END)[0]
    rows = generated.recurring_payments
    rent = next(r for r in rows if r["description"] == "Shop rent")
    rents = {e["amount"] for e in generated.expenses if e["category"] == "Rent"}
    assert rents == {rent["amount"]} and rent["supplier_id"] and not rent["customer_id"]
    lines = {i["invoice_id"]: i for i in generated.invoice_items}
    for order in (r for r in rows if r["customer_id"]):
        item = order["description"].removeprefix("Monthly standing order: 10 x ")
        monthly = [
            i
            for i in generated.invoices
            if i["customer_id"] == order["customer_id"]
            and i["invoice_date"].day == 5
            and lines[i["id"]]["name"] == item
            and lines[i["id"]]["quantity"] == 10
        ]
        assert len(monthly) >= 15  # one a month
        # The standing order carries today's rate: the latest month's invoice matches it.
        assert max(monthly, key=lambda i: i["invoice_date"])["total_amount"] == order["amount"]
