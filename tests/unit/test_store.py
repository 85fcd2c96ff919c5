import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from kernel.models.fraud import Finding
from serve_app.contract.errors import DatabaseUnavailable, NotFound
from serve_app.infra.auth import Caller
from serve_app.infra.migrate import migrate
from serve_app.infra.store.sql import SqlStore
from serve_app.infra.store.tenancy import business_for
from serve_app.infra.store_interface import AnalysisRecord, FeedbackRecord, PredictionCount
from testkit.factories import OTHER_USER, demo_books
from testkit.ports import free_port
from testkit.stores import seeded_store, settings_for


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = await seeded_store(settings_for(tmp_path / "t.db"))
    yield store
    await store.close()


def owner() -> Caller:
    return Caller(user_id=demo_books()[0].business["user_id"], role="authenticated")


def business_id() -> str:
    return str(demo_books()[0].business["id"])


async def test_migrations_apply_once(store: SqlStore) -> None:
    assert await migrate(store.engine) == []


async def test_owner_sees_their_business(store: SqlStore) -> None:
    business = await business_for(store, owner(), business_id())
    assert business.name == demo_books()[0].business["name"]


async def test_another_users_business_looks_missing(store: SqlStore) -> None:
    stranger = Caller(user_id=OTHER_USER, role="authenticated")
    with pytest.raises(NotFound) as other:
        await business_for(store, stranger, business_id())
    with pytest.raises(NotFound) as missing:
        await business_for(store, owner(), "00000000-0000-4000-8000-000000000000")
    assert (other.value.message, other.value.details) == (
        missing.value.message,
        missing.value.details,
    )


async def test_books_load_every_row_of_one_business(store: SqlStore) -> None:
    generated = demo_books()[0]
    books = await store.load_books(business_id())
    assert len(books.invoices) == len(generated.invoices)
    assert len(books.transactions) == len(generated.transactions)
    assert len(books.payments) == len(generated.payments)
    assert sum(len(i.items) for i in books.invoices) == len(generated.invoice_items)


async def test_names_put_into_sql_text_must_be_plain_identifiers(store: SqlStore) -> None:
    row = {"id": "x", "business_id": business_id()}
    for table, bad in (("expenses", {**row, "amount) VALUES (1); --": 1}), ("expenses; --", row)):
        with pytest.raises(ValueError, match="not a plain SQL identifier"):
            await store.insert_rows({table: [bad]})


async def test_seeding_twice_adds_nothing(store: SqlStore) -> None:
    await store.insert_rows(demo_books()[0].rows())
    async with store.engine.connect() as conn:
        count = (await conn.execute(text("SELECT COUNT(*) FROM invoices"))).scalar()
    assert count == sum(len(g.invoices) for g in demo_books())


async def test_saving_findings_again_updates_and_keeps_first_detection(store: SqlStore) -> None:
    finding = Finding(
        id="fa-1",
        type="payment_mismatch",
        message="m",
        confidence_score=0.9,
        evidence={"a": 1},
        subject_ids=("x",),
    )
    first = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    seen = await store.save_findings(business_id(), [finding], "v1", first)
    again = await store.save_findings(business_id(), [finding], "v1", first + dt.timedelta(hours=1))
    assert seen == again == {"fa-1": first}
    async with store.engine.connect() as conn:
        assert (await conn.execute(text("SELECT COUNT(*) FROM fraud_alerts"))).scalar() == 1


async def test_fingerprint_changes_when_books_change(store: SqlStore) -> None:
    before = await store.fingerprint(business_id())
    async with store.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE invoices SET paid_amount = paid_amount + 1, "
                "updated_at = '2099-01-01 00:00:00' WHERE business_id = :b"
            ),
            {"b": business_id()},
        )
    assert await store.fingerprint(business_id()) != before


async def test_unreachable_database_raises_database_unavailable() -> None:
    # A PostgreSQL URL with nobody listening (a failed SQLite open leaves aiosqlite's worker
    # thread calling back into a closed loop, which pytest reports against the next test).
    store = SqlStore.from_settings(settings_for(f"postgresql://postgres@127.0.0.1:{free_port()}/x"))
    try:
        with pytest.raises(DatabaseUnavailable):
            await store.ping()
    finally:
        await store.close()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(store: SqlStore) -> None:
    async with store.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_audit_rows_written_again_are_stored_once(store: SqlStore) -> None:
    at = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    rows = [
        AnalysisRecord(f"row-{n}", None, "fraud_score", "u", "v1", {"scored": 1}, 2.0, at)
        for n in range(3)
    ]
    await store.record_analyses(rows)
    await store.record_analyses(rows[1:])  # a batch retried after a commit that did land
    async with store.engine.connect() as conn:
        count = (await conn.execute(text("SELECT COUNT(*) FROM ai_analysis_results"))).scalar()
    assert count == 3


def a_draft(draft_id: str) -> dict[str, object]:
    return {
        "id": draft_id,
        "business_id": business_id(),
        "user_id": owner().user_id,
        "invoice_type": "customer",
        "invoice_date": dt.date(2026, 11, 28),
        "subtotal": 700.0,
        "tax_amount": 126.0,
        "discount_amount": 0.0,
        "total_amount": 826.0,
        "paid_amount": 0.0,
        "status": "draft",
    }


LINE = {"name": "tap", "quantity": 2, "unit_price": 350.0, "tax_rate": 18.0, "total_amount": 700.0}


async def test_drafts_saved_at_once_take_distinct_numbers_and_a_repeated_one_is_stored_once(
    store: SqlStore,
) -> None:
    ids = [f"d0000000-0000-4000-8000-00000000000{i}" for i in range(4)]
    saved = await asyncio.gather(
        *(store.save_draft(a_draft(i), [LINE]) for i in ids),
        store.save_draft(a_draft(ids[0]), [LINE]),  # the same request, at the same moment
    )
    numbers = [number for _, number in saved]
    assert len(set(numbers[:4])) == 4 and saved[4] == saved[0]
    later = "d0000000-0000-4000-8000-000000000009"
    assert await store.save_draft(a_draft(later), [LINE], same_as=[ids[1]]) == saved[1]
    async with store.engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT COUNT(*) FROM invoice_items WHERE invoice_id IN (:a, :b)"),
                {"a": ids[0], "b": later},
            )
        ).scalar()
    assert stored == 1  # one line of the one draft; none for the request that found it


async def test_purge_deletes_exactly_the_rows_past_their_retention(store: SqlStore) -> None:
    from serve_app.infra.retention import cutoffs
    from testkit.stores import PURGED_BY_DEFAULT, plant_dated_rows, planted_left

    now = dt.datetime(2026, 11, 29, 3, 30, tzinfo=dt.UTC)
    await plant_dated_rows(store, now, "p")
    planted = await planted_left(store, "p")
    settings = settings_for("unused.db")
    dry = await store.purge(cutoffs(settings, now), dry_run=True)
    assert await planted_left(store, "p") == planted  # a dry run deletes nothing
    done = await store.purge(cutoffs(settings, now))
    assert done == dry and sum(done.values()) >= len(PURGED_BY_DEFAULT)
    assert planted - await planted_left(store, "p") == {f"p-{r}" for r in PURGED_BY_DEFAULT}
    assert await store.purge(cutoffs(settings, now)) == dict.fromkeys(done, 0)


async def test_model_tallies_can_be_limited_to_some_businesses(store: SqlStore) -> None:
    """What GET /api/v1/models/performance shows a user: the predictions and votes of their
    own businesses; without a list, the platform's (inline predictions too)."""
    mine, theirs = (str(g.business["id"]) for g in demo_books())
    now = dt.datetime.now(dt.UTC)
    served = [(mine, 10.0), (mine, 20.0), (theirs, 90.0), (None, 50.0)]
    await store.record_analyses(
        [
            AnalysisRecord(f"tally-{i}", business, "fraud_analysis", "u", "v1", {}, ms, now)
            for i, (business, ms) in enumerate(served)
        ]
    )
    for business, helpful in ((mine, True), (theirs, False)):
        vote = FeedbackRecord(
            f"fb-{business}", "u", business, "fraud", "fraud_alert", f"fa-{business}", helpful,
            None, now,
        )  # fmt: skip
        assert await store.save_feedback(vote)
    actions = {"fraud": ("fraud_analysis", "fraud_score")}
    assert await store.prediction_counts(actions, [mine]) == {"fraud": PredictionCount(2, 15.0)}
    assert await store.prediction_counts(actions, [theirs]) == {"fraud": PredictionCount(1, 90.0)}
    assert await store.prediction_counts(actions) == {"fraud": PredictionCount(4, 42.5)}
    assert await store.prediction_counts(actions, []) == {"fraud": PredictionCount(0, None)}
    assert await store.feedback_votes(["fraud"], [mine]) == {"fraud": (1, 1)}
    assert await store.feedback_votes(["fraud"], [theirs]) == {"fraud": (1, 0)}
    assert await store.feedback_votes(["fraud"], [mine, theirs]) == {"fraud": (2, 1)}
    assert await store.feedback_votes(["fraud"]) == {"fraud": (2, 1)}
    assert await store.feedback_votes(["fraud"], []) == {}
