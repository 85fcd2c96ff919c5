"""Payment reconciliation: money recorded in payments, linked transactions and the cash book
against what each invoice says was paid; TDS and round-offs are how Indian businesses are paid,
not findings."""

import datetime as dt

from deployments.fraud.reconcile import explained, payment_mismatches, recorded_money
from kernel.books import Books, Business, CashbookEntry, Invoice, Payment, Transaction

BIZ = Business(id="b", user_id="u", name="Shop")


def invoice(
    id_: str, total: float, paid: float = 0.0, status: str = "sent", **extra: object
) -> Invoice:
    return Invoice.model_validate(
        {
            "id": id_,
            "business_id": "b",
            "invoice_number": f"SI/{id_}",
            "customer_id": "c1",
            "invoice_date": dt.date(2026, 3, 1),
            "subtotal": round(total / 1.18, 2),
            "tax_amount": round(total - total / 1.18, 2),
            "total_amount": total,
            "paid_amount": paid,
            "status": status,
            **extra,
        }
    )


def payment(invoice_id: str, amount: float, status: str = "completed", **extra: object) -> Payment:
    return Payment.model_validate(
        {
            "id": f"p-{invoice_id}-{amount}-{status}-{extra.get('id_suffix', '')}",
            "business_id": "b",
            "invoice_id": invoice_id,
            "amount": amount,
            "status": status,
            "payment_date": dt.datetime(2026, 3, 20),
            **{k: v for k, v in extra.items() if k != "id_suffix"},
        }
    )


def txn(id_: str, kind: str, amount: float, **extra: object) -> Transaction:
    return Transaction.model_validate(
        {"id": id_, "business_id": "b", "type": kind, "amount": amount,
         "date": dt.datetime(2026, 3, 1, 11), **extra}
    )  # fmt: skip


def cash(id_: str, amount: float, details: str, day: int = 1) -> CashbookEntry:
    return CashbookEntry(
        id=id_, business_id="b", type="IN", amount=amount, details=details,
        entry_date=dt.datetime(2026, 3, day, 18),
    )  # fmt: skip


def reasons(**tables: object) -> list[tuple[str, str]]:
    books = Books(business=BIZ, **tables)  # type: ignore[arg-type]
    return [(m.invoice.id, m.reason) for m in payment_mismatches(books)]


def test_payments_matching_paid_amount_are_not_a_mismatch() -> None:
    paid = invoice("i1", 1000, paid=1000, status="paid")
    assert reasons(invoices=(paid,), payments=(payment("i1", 400), payment("i1", 600))) == []


def test_payment_not_reflected_in_paid_amount_is_a_mismatch() -> None:
    part = invoice("i1", 1000, paid=400, status="partially_paid")
    found = reasons(invoices=(part,), payments=(payment("i1", 400), payment("i1", 600)))
    assert found == [("i1", "payments_differ_from_paid_amount")]


def test_failed_payments_do_not_count() -> None:
    paid = invoice("i1", 1000, paid=1000, status="paid")
    both = (payment("i1", 1000), payment("i1", 1000, "failed"))
    assert reasons(invoices=(paid,), payments=both) == []


def test_tds_and_round_offs_are_not_findings() -> None:
    total = 11800.0  # taxable 10,000
    tds = [invoice(f"t{k}", total, paid=total, status="paid") for k in range(4)]
    paid = [total - 10, total - 100 - 7, total - 200, total - 1000 + 3]  # 0.1%, 1%, 2%, 10%
    rounded = invoice("r", 1234.56, paid=1234.56, status="paid")
    assert reasons(
        invoices=(*tds, rounded),
        payments=(*(payment(i.id, p) for i, p in zip(tds, paid, strict=True)),
                  payment("r", 1230)),
    ) == []  # fmt: skip
    assert explained(tds[0], 1000) and not explained(tds[0], 1500) and not explained(tds[0], 40)


def test_short_paid_beyond_tds_is_a_finding() -> None:
    paid = invoice("i1", 11800, paid=11800, status="paid")
    found = reasons(invoices=(paid,), payments=(payment("i1", 8000),))
    assert found == [("i1", "short_paid")]


def test_a_payment_recorded_twice_is_a_finding() -> None:
    paid = invoice("i1", 5000, paid=5000, status="paid")
    twice = (payment("i1", 5000), payment("i1", 5000, id_suffix="again"))
    assert reasons(invoices=(paid,), payments=twice) == [("i1", "paid_more_than_total")]


def test_a_counter_sale_paid_by_a_linked_transaction_or_the_cash_book() -> None:
    by_txn = invoice("a", 2500, paid=2500, status="paid", transaction_id="t1")
    entry = invoice("f", 1500, paid=1500, status="paid", transaction_id="t3")
    by_id = invoice("b", 900, paid=900, status="paid")
    by_number = invoice("c", 700, paid=700, status="paid")
    by_amount = invoice("d", 640, paid=640, status="paid")
    unrecorded = invoice("e", 300, paid=300, status="paid")
    books = {
        "invoices": (by_txn, by_id, by_number, by_amount, unrecorded, entry),
        "transactions": (
            txn("t1", "payment_in", 2500),
            txn("t2", "income", 900, invoice_id="b"),
            txn("t3", "sale", 1500, invoice_id="f"),  # the invoice's ledger entry, not money
        ),
        "cashbook_entries": (cash("k1", 700, "cash sale SI/c"), cash("k2", 640, "counter", 2)),
    }
    assert reasons(**books) == []
    money = recorded_money(Books(business=BIZ, **books))  # type: ignore[arg-type]
    assert money == {"a": 2500.0, "b": 900.0, "c": 700.0, "d": 640.0}  # e, f: nothing recorded


def test_a_transaction_behind_a_payment_counts_once() -> None:
    paid = invoice("i1", 1000, paid=1000, status="paid")
    found = reasons(
        invoices=(paid,),
        payments=(payment("i1", 1000, transaction_id="t1"),),
        transactions=(txn("t1", "payment_in", 1000, invoice_id="i1"),),
    )
    assert found == []


def test_a_supplier_bill_settled_by_a_payment_out_transaction() -> None:
    bill = invoice("s1", 4200, paid=4200, status="paid", invoice_type="supplier",
                   customer_id=None, supplier_id="v1")  # fmt: skip
    money_in = invoice("s2", 4200, paid=4200, status="paid", invoice_type="supplier",
                       customer_id=None, supplier_id="v1")  # fmt: skip
    found = reasons(
        invoices=(bill, money_in),
        transactions=(txn("t1", "payment_out", 4200, invoice_id="s1"),
                      txn("t2", "payment_in", 9000, invoice_id="s2")),
    )  # fmt: skip
    assert found == []  # money in is not money paid for a bill: s2 has nothing to compare


def test_marked_paid_with_a_short_paid_amount_is_a_finding() -> None:
    short = invoice("i1", 1000, paid=0, status="paid")
    exact = invoice("i2", 1000, paid=999.995, status="paid")
    found = reasons(invoices=(short, exact), payments=(payment("i2", 999.995),))
    assert found == [("i1", "marked_paid_but_short")]
