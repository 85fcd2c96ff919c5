import datetime as dt

from deployments.fraud.features import TXN_FEATURES, AmountPriors, transaction_features
from kernel.books import Transaction
from testkit.factories import expense_history


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
