import datetime as dt

from deployments.fraud.features import (
    PAIR_FEATURES,
    TXN_FEATURES,
    AmountPriors,
    candidate_pairs,
    normalize_number,
    transaction_features,
)
from kernel.books import Books, Business, Invoice, InvoiceItem, Transaction
from tests.support.factories import expense_history

BIZ = Business(id="b", user_id="u", name="Shop")


def invoice(
    id_: str,
    number: str,
    day: int,
    total: float,
    paid: float = 0.0,
    status: str = "sent",
    party: str = "c1",
) -> Invoice:
    return Invoice(
        id=id_,
        business_id="b",
        invoice_number=number,
        customer_id=party,
        invoice_date=dt.date(2026, 3, day),
        total_amount=total,
        paid_amount=paid,
        status=status,
        items=(
            InvoiceItem(
                id=f"{id_}-1", invoice_id=id_, name="Rice", quantity=2, unit_price=total / 2
            ),
        ),
    )


def test_candidate_pairs_need_same_party_close_dates_and_amounts() -> None:
    books = Books(
        business=BIZ,
        invoices=(
            invoice("a", "INV-0001", 1, 1000),
            invoice("b", "INV-0009", 3, 1000),
            invoice("c", "INV-0010", 4, 5000),
            invoice("d", "INV-0011", 3, 1000, party="c2"),
        ),
    )
    pairs = candidate_pairs(books, window_days=45)
    assert [(p.first.id, p.second.id) for p in pairs] == [("a", "b")]
    features = dict(zip(PAIR_FEATURES, pairs[0].features, strict=True))
    assert features["days_apart"] == 2 and features["amount_rel_diff"] == 0
    assert features["items_identical"] == 1 and features["same_number"] == 0


def test_reused_number_is_a_candidate_even_with_different_amounts() -> None:
    books = Books(
        business=BIZ, invoices=(invoice("a", "B-101", 1, 1000), invoice("b", "b101", 2, 3000))
    )
    pairs = candidate_pairs(books, window_days=45)
    assert (
        len(pairs) == 1
        and dict(zip(PAIR_FEATURES, pairs[0].features, strict=True))["same_number"] == 1
    )
    assert normalize_number("BILL/0042-a") == "BILL0042A"


def test_transaction_features_judge_against_the_business_history() -> None:
    history = expense_history(20, 1000, 1, dt.datetime(2026, 1, 1, 11), "t", description="Rent")
    odd = Transaction(
        id="x",
        business_id="b",
        type="expense",
        amount=49_500,
        description="",
        payment_mode="cash",
        date=dt.datetime(2026, 2, 1, 1, 30),
    )
    rows = transaction_features([odd, history[0]], [*history, odd], AmountPriors.fit(history))
    odd_row = dict(zip(TXN_FEATURES, rows[0], strict=True))
    usual_row = dict(zip(TXN_FEATURES, rows[1], strict=True))
    assert odd_row["robust_z"] > 10 > usual_row["robust_z"]
    assert (
        odd_row["is_night"],
        odd_row["just_below_threshold"],
        odd_row["is_cash"],
        odd_row["vague_description"],
    ) == (1, 1, 1, 1)
    assert usual_row["is_night"] == 0
