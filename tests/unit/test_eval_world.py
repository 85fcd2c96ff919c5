"""The independent evaluation world: reproducible, its labels point at real rows, and it holds
the practices it was written to hold (counter sales with no payment row, TDS and round-offs,
repeat orders, supplier bills settled by transactions). And the calibration measure."""

import datetime as dt

import pytest

from deployments.fraud.offline.evaluation import expected_calibration_error, reliability
from eval_world.fraud import World, worlds
from kernel.books import books_from_rows


@pytest.fixture(scope="module")
def world() -> World:
    return worlds(11, 1, dt.date(2026, 6, 30))[0]


def test_the_same_seed_gives_the_same_books() -> None:
    first, again = worlds(11, 1, dt.date(2026, 6, 30))[0], worlds(11, 1, dt.date(2026, 6, 30))[0]
    assert first.rows == again.rows and first.planted == again.planted
    assert worlds(12, 1, dt.date(2026, 6, 30))[0].rows != first.rows


def test_labels_point_at_rows_of_the_right_kind(world: World) -> None:
    invoices = {i["id"]: i for i in world.rows["invoices"]}
    transactions = {t["id"] for t in world.rows["transactions"]}
    for planted in world.planted:
        if planted.type == "suspicious_pattern":
            assert set(planted.subject_ids) <= transactions
        else:
            assert set(planted.subject_ids) <= set(invoices)
    bills = [p for p in world.planted if p.type == "duplicate_supplier_bill"]
    assert all(invoices[i]["invoice_type"] == "supplier" for p in bills for i in p.subject_ids)
    assert {p.type for p in world.planted} == {
        "duplicate_invoice",
        "duplicate_supplier_bill",
        "payment_mismatch",
        "suspicious_pattern",
    }
    books_from_rows(world.rows)  # the rows are valid FinEasy rows


def test_the_practices_it_describes_are_there(world: World) -> None:
    invoices = world.rows["invoices"]
    paid_by_payment = {p["invoice_id"] for p in world.rows["payments"]}
    counter = [i for i in invoices if i["status"] == "paid" and i["id"] not in paid_by_payment]
    assert len(counter) > 100  # paid at the counter: no payment row
    payments: dict[str, float] = {}
    for p in world.rows["payments"]:
        payments[p["invoice_id"]] = payments.get(p["invoice_id"], 0.0) + p["amount"]
    short = [
        i["total_amount"] - payments[i["id"]]
        for i in invoices
        if i["status"] == "paid" and i["id"] in payments
    ]
    assert sum(0 < s <= 10 for s in short) > 20  # round-offs
    assert sum(10 < s < 0.11 * 10**6 for s in short) > 5  # TDS (and planted shortfalls)
    bills_by_txn = {t["invoice_id"] for t in world.rows["transactions"] if t["type"] in
                    ("purchase", "payment_out") and t.get("invoice_id")}  # fmt: skip
    assert bills_by_txn
    by_customer: dict[str, int] = {}
    for i in invoices:
        if i["customer_id"]:
            by_customer[i["customer_id"]] = by_customer.get(i["customer_id"], 0) + 1
    assert max(by_customer.values()) > 100  # a regular reorders every few days


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([]) == 0.0
    right = [(0.95, True)] * 19 + [(0.95, False)]
    assert expected_calibration_error(right) == pytest.approx(0.0)
    overconfident = [(0.95, True)] * 10 + [(0.95, False)] * 10
    assert expected_calibration_error(overconfident) == pytest.approx(0.45)
    assert reliability(overconfident) == [("0.9-1.0", 20, pytest.approx(0.95), 0.5)]


def test_festivals_fall_on_their_real_dates_in_the_forecasting_world() -> None:
    from eval_world.sales import _festival_days, _lift

    festivals = _festival_days(dt.date(2024, 4, 1), dt.date(2026, 9, 30))
    diwali = [day for day, name in festivals if name == "Diwali"]
    assert dt.date(2024, 10, 31) in diwali and dt.date(2025, 10, 20) in diwali  # it moves
    week_before = _lift(dt.date(2025, 10, 13), "textiles", festivals)
    assert week_before > 1.5 > _lift(dt.date(2025, 9, 1), "textiles", festivals)
    assert _lift(dt.date(2025, 8, 1), "hardware", festivals) < 1.0  # the monsoon


def test_the_forecasting_world_gives_thirty_months_of_every_series() -> None:
    from deployments.insights.offline.evaluation import independent_examples

    data = independent_examples(3, 1)
    assert {e.origin[1] for e in data} == {"cash_in", "cash_out", "revenue", "expenses"}
    assert max(len(e.past) for e in data) >= 29 and all(e.actual >= 0 for e in data)
