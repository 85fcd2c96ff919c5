"""The compliance endpoints over HTTP (docs/api.md): stored and inline invoices, GSTINs,
filing reminders."""

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import text

from kernel.models.compliance import COMPLIANCE
from serve_app.infra.auth import mint_token
from testkit.factories import OTHER_USER, SECRET, compliance_checker, demo_books
from testkit.fakes import local
from tests.app.conftest import ClientFactory
from tests.support.contract import ISO_UTC, assert_error

ISSUE_TYPES = {
    "gst_mismatch",
    "missing_gstin",
    "tax_calculation_error",
    "incomplete_invoice_data",
    "warning",
}
STATUSES = {"compliant", "issues_found", "critical_issues", "warning", "unknown"}
MISSING = "00000000-0000-4000-8000-000000000000"


def planted(kind: str) -> str:
    """The id of the demo invoice the generator planted a `kind` issue on."""
    return next(label.subject_ids[0] for label in demo_books()[0].labels if label.type == kind)


def check(client: TestClient, invoice_id: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/compliance/check", json={"invoice_id": invoice_id}, headers=headers)


def test_a_stored_invoice_is_checked_in_the_contracts_shape(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    response = check(client, planted("gst_mismatch"), owner_headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"invoice_id", "issues", "overall_status", "last_checked"}
    assert body["invoice_id"] == planted("gst_mismatch")
    assert body["overall_status"] in STATUSES and ISO_UTC.match(body["last_checked"])
    for issue in body["issues"]:
        assert set(issue) == {
            "id",
            "type",
            "description",
            "plain_language_explanation",
            "suggested_fixes",
            "severity",
        }
        assert issue["type"] in ISSUE_TYPES
        assert issue["severity"] in {"low", "medium", "high", "critical"}
        assert issue["suggested_fixes"] and all(
            isinstance(f, str) for f in issue["suggested_fixes"]
        )
    assert "gst_mismatch" in {i["type"] for i in body["issues"]}
    assert body["overall_status"] == "issues_found"
    typed_wrong = check(client, planted("tax_calculation_error"), owner_headers).json()
    assert "tax_calculation_error" in {i["type"] for i in typed_wrong["issues"]}


def test_another_users_invoice_is_byte_identical_to_a_missing_one(client: TestClient) -> None:
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    theirs = check(client, planted("gst_mismatch"), stranger)
    missing = check(client, MISSING, stranger)
    assert_error(theirs, 404, "not_found")
    assert theirs.content == missing.content
    assert_error(check(client, planted("gst_mismatch"), {}), 401, "unauthenticated")
    assert_error(check(client, "INV-0001", stranger), 422, "validation_error")


def test_bursts_of_checks_are_served_from_cache_until_the_books_change(
    make_client: ClientFactory, owner_headers: dict[str, str]
) -> None:
    model = local(COMPLIANCE, compliance_checker())
    client = make_client(compliance=model)
    invoice_id = planted("gst_mismatch")
    first = check(client, invoice_id, owner_headers).json()
    for _ in range(3):
        assert check(client, invoice_id, owner_headers).json() == first
    assert model.counts["check"] == 1

    async def fix_rate() -> None:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE invoices SET updated_at = :t WHERE id = :i"),
                {"t": dt.datetime.now(dt.UTC).isoformat(), "i": invoice_id},
            )

    client.portal.call(fix_rate)  # type: ignore[union-attr]
    check(client, invoice_id, owner_headers)
    assert model.counts["check"] == 2


def inline(**fields: object) -> dict[str, object]:
    items = [{"name": "Cement OPC 53", "hsn_code": "252329", "quantity": 100, "unit_price": 365,
              "tax_rate": 18}]  # fmt: skip
    body: dict[str, object] = {
        "invoice_number": "INV-0101",
        "invoice_date": "2025-10-15",
        "business_gstin": "27AAPFU0939F1ZV",
        "customer_name": "Walk-in customer",
        "items": items,
        "subtotal": 36500,
        "tax_amount": 6570,
        "total_amount": 43070,
    }
    return body | fields


def validate(client: TestClient, headers: dict[str, str], body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/compliance/validate", json=body, headers=headers)


def test_inline_invoices_are_judged_by_their_own_date(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    ok = validate(client, owner_headers, inline()).json()
    assert ok["overall_status"] == "compliant" and ok["issues"] == []
    stale_rate = inline(
        items=[{"name": "Cement OPC 53", "hsn_code": "252329", "quantity": 100,
                "unit_price": 365, "tax_rate": 28}],
        tax_amount=10220, total_amount=46720,
    )  # fmt: skip
    body = validate(client, owner_headers, stale_rate).json()
    assert [i["type"] for i in body["issues"]] == ["gst_mismatch"]
    same_rate_earlier = validate(
        client, owner_headers, {**stale_rate, "invoice_date": "2025-09-01"}
    )
    assert same_rate_earlier.json()["overall_status"] == "compliant"
    igst = inline(igst_amount=6570, cgst_amount=0, sgst_amount=0, place_of_supply="Maharashtra")
    assert [i["type"] for i in validate(client, owner_headers, igst).json()["issues"]] == [
        "gst_mismatch"
    ]


def test_malformed_values_are_reported_and_impossible_ones_refused(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    reported = validate(
        client,
        owner_headers,
        inline(customer_gstin="27AAPFU0939F1Z", invoice_number="FY2025-26/INV/017", items=[],
               subtotal=0, tax_amount=0, total_amount=0),
    )  # fmt: skip
    assert reported.status_code == 200
    assert {i["type"] for i in reported.json()["issues"]} == {
        "missing_gstin",
        "incomplete_invoice_data",
    }
    item = {"name": "x", "quantity": 1, "unit_price": 1, "tax_rate": 18}
    for bad in (
        inline(total_amount=-5),
        inline(items=[{**item, "tax_rate": 150}]),
        inline(items=[{**item, "quantity": -1}]),
        inline(invoice_date="31-10-2025"),
        inline(items=[{**item, "name": "bad\x00name"}]),
        inline(items=[{**item, "hsn_code": "25AB"}]),
        inline(invoice_type="proforma"),
        [1, 2],
    ):
        assert_error(validate(client, owner_headers, bad), 422, "validation_error")
    nan = client.post(
        "/api/v1/compliance/validate",
        content='{"items": [{"name": "x", "quantity": 1, "unit_price": NaN, "tax_rate": 5}]}',
        headers={**owner_headers, "content-type": "application/json"},
    )
    assert_error(nan, 422, "validation_error")


def test_gstin_explanations(client: TestClient, owner_headers: dict[str, str]) -> None:
    good = client.get("/api/v1/compliance/gstin/27AAPFU0939F1ZV", headers=owner_headers).json()
    assert good["valid"] is True and good["state"] == "Maharashtra" and good["pan"] == "AAPFU0939F"
    bad = client.get("/api/v1/compliance/gstin/27AAPFU0939F1ZW", headers=owner_headers).json()
    assert bad["valid"] is False and "check character" in bad["explanation"]
    assert_error(
        client.get("/api/v1/compliance/gstin/" + "X" * 40, headers=owner_headers),
        422,
        "validation_error",
    )
    assert_error(client.get("/api/v1/compliance/gstin/27AAPFU0939F1ZV"), 401, "unauthenticated")


def test_filing_reminders_for_the_owner_only(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    path = f"/api/v1/compliance/reminders/{business_id}"
    body = client.get(path, headers=owner_headers).json()
    assert body["scheme"] == "quarterly"  # QRMP: most small businesses
    assert {r["return_type"] for r in body["reminders"]} == {"GSTR-1", "GSTR-3B", "PMT-06"}
    assert all(
        r["days_left"] >= 0 and r["priority"] in {"high", "medium", "low"}
        for r in body["reminders"]
    )
    monthly = client.get(path + "?scheme=monthly", headers=owner_headers).json()
    assert sorted(r["return_type"] for r in monthly["reminders"]) == ["GSTR-1", "GSTR-3B"]
    composition = client.get(path + "?scheme=composition", headers=owner_headers).json()
    assert sorted(r["return_type"] for r in composition["reminders"]) == ["CMP-08", "GSTR-4"]
    assert_error(
        client.get(path + "?scheme=weekly", headers=owner_headers), 422, "validation_error"
    )
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    assert_error(
        client.get(f"/api/v1/compliance/reminders/{business_id}", headers=stranger),
        404,
        "not_found",
    )


def test_disabled_compliance_is_503(
    make_client: ClientFactory, owner_headers: dict[str, str]
) -> None:
    off = make_client(COMPLIANCE_CHECKING_ENABLED="false")
    assert_error(check(off, planted("gst_mismatch"), owner_headers), 503, "feature_disabled")
