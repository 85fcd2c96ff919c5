"""Duplicate candidates and their features: the same party (or a record typed twice), fuzzy
line names with equal quantities and prices, bill serials typed another way, and the party's
own repeat-order habits."""

import datetime as dt

from deployments.fraud.duplicates import (
    PAIR_FEATURES,
    candidate_pairs,
    lines_same,
    normalize_number,
    serial,
)
from deployments.fraud.offline.training import augmented
from kernel.books import Books, Business, Invoice, InvoiceItem, Party
from testkit.factories import small_models

BIZ = Business(id="b", user_id="u", name="Shop")


def invoice(
    id_: str,
    number: str,
    day: int,
    lines: tuple[tuple[str, float, float], ...] = (("Rice 25kg bag", 2, 500),),
    party: str = "c1",
    kind: str = "customer",
) -> Invoice:
    total = sum(q * p for _, q, p in lines)
    return Invoice(
        id=id_,
        business_id="b",
        invoice_number=number,
        invoice_type=kind,  # type: ignore[arg-type]
        customer_id=party if kind == "customer" else None,
        supplier_id=party if kind == "supplier" else None,
        invoice_date=dt.date(2026, 3, 1) + dt.timedelta(days=day),
        subtotal=total,
        total_amount=total,
        items=tuple(
            InvoiceItem(id=f"{id_}-{k}", invoice_id=id_, name=n, quantity=q, unit_price=p)
            for k, (n, q, p) in enumerate(lines)
        ),
    )


def features(pair: object) -> dict[str, float]:
    return dict(zip(PAIR_FEATURES, pair.features, strict=True))  # type: ignore[attr-defined]


def test_candidates_need_the_same_party_the_window_and_close_totals() -> None:
    books = Books(
        business=BIZ,
        invoices=(
            invoice("a", "INV-0001", 0),
            invoice("b", "INV-0009", 2),
            invoice("c", "INV-0010", 3, (("Rice 25kg bag", 10, 500),)),
            invoice("d", "INV-0011", 2, party="c2"),
            invoice("e", "INV-0012", 60),
        ),
    )
    pairs = candidate_pairs(books, 45, 90)
    assert [(p.first.id, p.second.id) for p in pairs] == [("a", "b")]
    found = features(pairs[0])
    assert found["total_equal"] == 1 and found["lines_same"] == 1 and found["serial_same"] == 0


def test_retyped_names_still_match_and_other_quantities_do_not() -> None:
    first = invoice("a", "1", 0, (("PVC pipe 1 inch 3m", 4, 265), ("Wall putty 20kg", 2, 720)))
    retyped = invoice("b", "2", 1, (("pvc pipe 1 inch 3m", 4, 265), ("Wall puty 20kg", 2, 720)))
    reordered = invoice("c", "3", 2, (("PVC pipe 1 inch 3m", 5, 265), ("Wall putty 20kg", 2, 720)))
    assert lines_same(first, retyped)[0] == 1.0
    assert lines_same(first, reordered)[0] == 0.5


def test_a_supplier_bill_typed_another_way_two_months_later() -> None:
    lines = (("Cement OPC 53 grade", 100, 270),)
    books = Books(
        business=BIZ,
        invoices=(
            invoice("a", "GT/25-26/0012", 0, lines, party="s1", kind="supplier"),
            invoice("b", "gt-25-26-12", 70, lines, party="s1", kind="supplier"),
        ),
    )
    (pair,) = candidate_pairs(books, 45, 90)
    assert features(pair)["serial_same"] == 1 and serial("GT12") == 12
    assert normalize_number("BILL/0042-a") == "BILL0042A"
    assert candidate_pairs(books, 45, 60) == []


def test_a_party_typed_twice_is_one_party() -> None:
    books = Books(
        business=BIZ,
        customers=(
            Party(id="c1", business_id="b", name="Sharma Traders"),
            Party(id="c2", business_id="b", name="sharma  traders."),
        ),
        invoices=(invoice("a", "INV-1", 0), invoice("b", "INV-2", 1, party="c2")),
    )
    assert len(candidate_pairs(books, 45, 90)) == 1


def test_a_regulars_habit_is_measured_against_its_own_history() -> None:
    same = [invoice(f"r{k}", f"INV-{k}", 2 * k) for k in range(10)]
    varied = [
        invoice(f"v{k}", f"INV-{k}", 2 * k, (("Rice 25kg bag", 2 + (k % 3), 500),))
        for k in range(10)
    ]
    habit = features(candidate_pairs(Books(business=BIZ, invoices=tuple(same)), 45, 90)[0])
    rare = features(candidate_pairs(Books(business=BIZ, invoices=tuple(varied)), 45, 90)[0])
    assert habit["party_identical_rate"] > 0.8 > 0.3 > rare["party_identical_rate"]
    assert habit["days_over_cadence"] == 1.0


def test_training_adds_late_retyped_duplicates_and_repeat_orders() -> None:
    from deployments.fraud.offline.training import labelled_books

    item = labelled_books(11, 1)[0]
    books, duplicates = augmented(item, 1)
    added = len(books.invoices) - len(item.books.invoices)
    assert len(duplicates) >= 4 and added > len(duplicates) + 30  # repeat orders too
    assert small_models().pair_model is not None
