import datetime as dt
import json

import httpx
import pytest

import serve_app.infra.store.supabase_rest as supabase_rest
from kernel.models.fraud import Finding
from kernel.models.insights import Insight
from serve_app.contract.errors import DatabaseUnavailable, NotFound
from serve_app.infra.auth import Caller
from serve_app.infra.store.supabase_rest import SupabaseStore
from serve_app.infra.store.tenancy import business_for
from serve_app.infra.store_interface import FeedbackRecord, PredictionCount
from testkit.factories import SECRET
from testkit.ports import free_port
from testkit.stores import settings_for
from tests.support.postgrest import ReplayTransport

BUSINESS = "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c"
OWNER = Caller("6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11", "authenticated")
KEY = "service-key-for-tests"


def store_for(
    scenario: str, url: str = "https://ref.supabase.co"
) -> tuple[SupabaseStore, ReplayTransport]:
    transport = ReplayTransport(scenario, KEY)
    settings = settings_for("unused.db", SUPABASE_URL=url, SUPABASE_SERVICE_KEY=KEY)
    assert settings.store_kind == "supabase"
    return SupabaseStore.from_settings(settings, httpx.AsyncClient(transport=transport)), transport


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supabase_rest, "PAGE", 2)  # so the recorded reads span two pages


async def test_books_are_read_page_by_page_and_items_through_their_invoice() -> None:
    store, transport = store_for("books")
    books = await store.load_books(BUSINESS)
    assert transport.pending == []
    assert [i.invoice_number for i in books.invoices] == ["INV-0001", "INV-0002", "B-101"]
    assert [len(i.items) for i in books.invoices] == [1, 1, 0]
    assert {p.payment_mode for p in books.payments} == {"bankTransfer", "netBanking"}
    assert books.transactions[0].payment_mode == "netBanking"
    assert books.invoices[0].invoice_date == dt.date(2026, 3, 1)
    assert [p.stock_quantity for p in books.products] == [120]
    assert [(r.frequency, r.day_of_month, r.supplier_id) for r in books.recurring_payments] == [
        ("monthly", 1, "50000000-0000-4000-8000-000000000001")
    ]
    assert [(c.type, c.amount) for c in books.cashbook_entries] == [("IN", 250000.0)]


async def test_owner_reaches_the_business_and_a_stranger_gets_not_found() -> None:
    store, _ = store_for("business")
    assert (await business_for(store, OWNER, BUSINESS)).name == "Shree Sharma Traders"
    store, _ = store_for("business")
    with pytest.raises(NotFound) as stranger:
        await business_for(
            store, Caller("11111111-2222-4333-8444-555555555555", "authenticated"), BUSINESS
        )
    store_missing, _ = store_for("missing_business")
    with pytest.raises(NotFound) as missing:
        await business_for(store_missing, OWNER, "00000000-0000-4000-8000-000000000000")
    assert stranger.value.message == missing.value.message


async def test_fingerprint_reads_counts_from_content_range() -> None:
    store, transport = store_for("fingerprint")
    fingerprint = await store.fingerprint(BUSINESS)
    assert transport.pending == []
    assert "invoices:3:2026-03-05" in fingerprint and "expenses:0:" in fingerprint
    assert "recurring_payments:1:" in fingerprint and "cashbook_entries:1:" in fingerprint
    assert fingerprint.startswith("businesses:1:2026-03-01")


async def test_an_invoice_is_read_with_its_items_party_and_the_years_sales() -> None:
    invoice_id = "10000000-0000-4000-8000-000000000002"
    store, transport = store_for("invoice_business")
    assert await store.invoice_business(invoice_id) == BUSINESS
    store, transport = store_for("invoice_rows")
    rows = await store.invoice_rows(invoice_id, BUSINESS)
    assert transport.pending == []
    assert rows.invoice["invoice_number"] == "INV-0002"
    assert [i["name"] for i in rows.items] == ["Cement OPC 53"]
    assert rows.party is not None and rows.party["name"] == "Rajesh Traders"
    assert rows.business["gst_number"] == "27AAPFU0939F1ZV"
    assert [s["invoice_number"] for s in rows.sales] == ["INV-0001", "INV-0002"]


async def test_saved_findings_keep_their_first_detection_time() -> None:
    store, transport = store_for("save_findings")
    now = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    findings = [
        Finding(
            id=i,
            type="payment_mismatch",
            message="m",
            confidence_score=0.9,
            evidence={"invoice_number": "INV-0001"},
            subject_ids=("x",),
        )
        for i in ("fa-old", "fa-new")
    ]
    seen = await store.save_findings(BUSINESS, findings, "v1", now)
    assert seen == {"fa-old": dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), "fa-new": now}
    sent = json.loads(transport.sent[-1].content)
    assert [(row["id"], row["detected_at"]) for row in sent] == [
        ("fa-old", "2026-03-01T08:00:00+00:00"),
        ("fa-new", "2026-03-09T00:00:00+00:00"),
    ]
    assert transport.pending == []


async def test_postgrest_errors_are_database_unavailable() -> None:
    store, _ = store_for("jwt_expired")
    with pytest.raises(DatabaseUnavailable):
        await store.ping()


async def test_unreachable_supabase_is_database_unavailable() -> None:
    settings = settings_for(
        "unused.db",
        SUPABASE_URL=f"http://127.0.0.1:{free_port()}",
        SUPABASE_SERVICE_KEY=KEY,
        DATABASE_TIMEOUT_SECONDS="1",
    )
    store = SupabaseStore.from_settings(settings)
    with pytest.raises(DatabaseUnavailable):
        await store.ping()


def test_the_service_key_never_appears_in_settings_repr() -> None:
    settings = settings_for(
        "unused.db", SUPABASE_URL="https://ref.supabase.co", SUPABASE_SERVICE_KEY=KEY
    )
    assert KEY not in repr(settings) and SECRET not in repr(settings)


def test_url_and_service_key_without_database_url_select_this_store() -> None:
    from serve_app.components import build_store

    settings = settings_for(
        "unused.db", SUPABASE_URL="https://ref.supabase.co", SUPABASE_SERVICE_KEY=KEY
    )
    assert isinstance(build_store(settings), SupabaseStore)


async def test_insights_are_upserted_with_their_payload_as_json() -> None:
    store, transport = store_for("save_insights")
    insight = Insight(
        insight_id="ins-general-1",
        insight_type="general",
        title="t",
        description="d",
        recommendations=["r"],
        impact_score=0.3,
        valid_until=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
        priority="low",
        category="data",
        data={"months_of_history": 2},
    )
    await store.save_insights(BUSINESS, [insight])
    assert transport.pending == []
    [row] = json.loads(transport.sent[-1].content)
    assert row["id"] == "ins-general-1" and row["insight_type"] == "general"
    assert row["payload"]["data"] == {"months_of_history": 2}
    assert row["valid_until"].startswith("2026-03-10T00:00:00")


async def test_the_invoice_catalogue_reads_customers_active_products_and_past_lines() -> None:
    store, transport = store_for("invoice_catalogue")
    catalogue = await store.invoice_catalogue(BUSINESS)
    assert transport.pending == []
    assert [c["name"] for c in catalogue["customers"]] == ["Rajesh Traders"]
    assert [p["name"] for p in catalogue["products"]] == ["Cement OPC 53"]  # inactive left out
    assert catalogue["past_items"][0]["tax_rate"] == 18


DRAFT, EARLIER = "90000000-0000-4000-8000-000000000001", "90000000-0000-4000-8000-000000000002"
DRAFT_ROW = {
    "id": DRAFT,
    "business_id": BUSINESS,
    "invoice_date": dt.date(2026, 11, 27),
    "status": "draft",
    "total_amount": 4130.0,
}


async def test_a_draft_and_its_lines_go_in_one_request_to_the_databases_function() -> None:
    store, transport = store_for("save_draft")
    saved = await store.save_draft(DRAFT_ROW, [{"name": "x"}], same_as=[EARLIER])
    assert saved == (DRAFT, "INV-0003")
    assert transport.pending == [] and len(transport.sent) == 1
    sent = json.loads(transport.sent[0].content)
    assert sent["draft"]["invoice_date"] == "2026-11-27" and "invoice_number" not in sent["draft"]
    [line] = sent["lines"]
    assert line["invoice_id"] == DRAFT and line["name"] == "x" and line["id"]
    assert sent["same_as"] == [EARLIER]


async def test_a_retried_draft_is_answered_with_the_one_saved_first() -> None:
    again, transport = store_for("save_draft_again")
    assert await again.save_draft(DRAFT_ROW, [{"name": "x"}], same_as=[EARLIER]) == (
        EARLIER,
        "INV-0003",
    )
    assert transport.pending == []


async def test_a_database_without_the_draft_function_says_which_migration_is_missing() -> None:
    store, _ = store_for("save_draft_unmigrated")
    with pytest.raises(DatabaseUnavailable) as raised:
        await store.save_draft(DRAFT_ROW, [{"name": "x"}])
    assert "0004_save_draft.postgres.sql" in raised.value.details["reason"]  # type: ignore[index]


async def test_feedback_finds_its_prediction_and_a_second_vote_is_ignored() -> None:
    store, transport = store_for("feedback")
    assert await store.prediction_owners("fa-1") == [
        (BUSINESS, "fraud_alert"),
        (BUSINESS, "compliance_check"),
    ]
    vote = FeedbackRecord(
        "fb-1",
        OWNER.user_id,
        BUSINESS,
        "fraud",
        "fraud_alert",
        "fa-1",
        True,
        None,
        dt.datetime(2026, 11, 28, 15, 45, tzinfo=dt.UTC),
    )
    assert await store.save_feedback(vote) is True
    assert await store.save_feedback(vote) is False
    assert transport.pending == []
    sent = json.loads(transport.sent[-1].content)
    assert sent["submitted_at"] == "2026-11-28T15:45:00+00:00" and sent["helpful"] is True


async def test_model_tallies_are_counted_by_postgrest_not_read_row_by_row() -> None:
    store, transport = store_for("model_tallies")
    assert await store.feedback_votes(["fraud", "insights"]) == {"fraud": (3, 2)}
    counts = await store.prediction_counts({"fraud": ("fraud_analysis", "fraud_score")})
    assert counts == {"fraud": PredictionCount(42, 20.25)}
    assert transport.pending == []


async def test_model_tallies_of_some_businesses_filter_every_count_by_them() -> None:
    store, transport = store_for("model_tallies_of_businesses")
    mine = [BUSINESS, "4a2d3b0f-9c8e-4d2f-8b3c-2e3f4a5b6c7d"]
    assert await store.feedback_votes(["fraud", "insights"], mine) == {"fraud": (1, 1)}
    counts = await store.prediction_counts({"fraud": ("fraud_analysis", "fraud_score")}, mine)
    assert counts == {"fraud": PredictionCount(7, 20.25)}
    assert transport.pending == []
    # a user with no business: nothing to count, nothing asked
    assert await store.feedback_votes(["fraud"], []) == {}
    assert await store.prediction_counts({"fraud": ("fraud_score",)}, []) == {
        "fraud": PredictionCount(0, None)
    }
    assert len(transport.sent) == 5


async def test_purge_deletes_past_each_tables_cutoff_and_reports_postgrests_counts() -> None:
    from serve_app.infra.retention import cutoffs

    store, transport = store_for("purge")
    settings = settings_for("unused.db")
    now = dt.datetime(2026, 11, 29, 3, 30, tzinfo=dt.UTC)
    assert await store.purge(cutoffs(settings, now)) == {
        "ai_analysis_results": 12,
        "fraud_alerts": 0,
        "business_insights": 7,
    }
    assert transport.pending == []
