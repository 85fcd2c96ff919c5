"""Natural-language invoices over HTTP (docs/api.md): generate and the live legacy endpoints
of 4.1 and 4.3, which carry no token and must never touch a business's data."""

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from kernel.models.invoice import INVOICE
from serve_app.infra.auth import mint_token
from testkit.factories import OTHER_USER, SECRET, demo_books, invoice_drafter
from testkit.fakes import UnavailableModel, local
from tests.app.conftest import ClientFactory
from tests.support.contract import assert_error


def a_customer() -> str:
    return str(next(c["name"] for c in demo_books()[0].customers if " " in c["name"]))


def generate(client: TestClient, headers: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/invoice/generate", json=body, headers=headers)


def test_generate_matches_the_stored_customer_in_the_contracts_shape(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    name = a_customer()
    response = generate(
        client,
        owner_headers,
        raw_input=f"Generate an invoice for {name.lower()}, 10 units of Item A at 250 each, UPI",
        business_id=business_id,
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["success"] is True and body["errors"] == [] and isinstance(body["suggestions"], list)
    )
    data = body["invoice_data"]
    assert data["customer"]["name"] == name and data["customer_name"] == name
    assert data["customer"]["id"] is not None
    [item] = data["items"]
    assert {k: item[k] for k in ("name", "quantity", "unit_price", "total_price", "tax_rate")} == {
        "name": "Item A",
        "quantity": 10.0,
        "unit_price": 250.0,
        "total_price": 2500.0,
        "tax_rate": 18.0,
    }
    assert data["payment_preference"] == "upi" and data["total_amount"] == 2950.0
    assert '"total_amount":2950.0' in response.text.replace(" ", "")  # a JSON float, not 2950
    assert 0 < body["confidence_score"] <= 1
    assert body["extracted_entities"]["items"][0]["quantity"] == 10


def test_save_draft_stores_a_numbered_draft(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    client = make_client()
    response = generate(
        client,
        owner_headers,
        raw_input="Create invoice for Kapoor Electricals for 4 box LED bulb at 480 each, cash",
        business_id=business_id,
        save_draft=True,
    )
    body = response.json()
    assert body["success"] is True and body["invoice_id"]
    assert "New customer: Kapoor Electricals" in body["suggestions"]

    async def stored() -> tuple[dict[str, object], list[dict[str, object]]]:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            invoice = (
                (
                    await conn.execute(
                        text("SELECT * FROM invoices WHERE id = :i"), {"i": body["invoice_id"]}
                    )
                )
                .mappings()
                .one()
            )
            items = (
                (
                    await conn.execute(
                        text("SELECT * FROM invoice_items WHERE invoice_id = :i"),
                        {"i": body["invoice_id"]},
                    )
                )
                .mappings()
                .all()
            )
            return dict(invoice), [dict(i) for i in items]

    invoice, items = client.portal.call(stored)  # type: ignore[union-attr]
    assert invoice["status"] == "draft" and invoice["customer_id"] is None
    assert str(invoice["invoice_number"]).startswith("INV-")
    assert invoice["invoice_number"] == body["invoice_data"]["invoice_number"]
    assert float(invoice["total_amount"]) == body["invoice_data"]["total_amount"]
    assert "New customer: Kapoor Electricals" in str(invoice["notes"])
    assert [(i["name"], float(i["quantity"])) for i in items] == [("LED bulb", 4.0)]
    second = generate(
        client, owner_headers, raw_input="Invoice for Kapoor Electricals, 1 fan at 1,800",
        business_id=business_id, save_draft=True,
    ).json()  # fmt: skip
    first_number = int(str(invoice["invoice_number"])[4:])
    assert second["invoice_data"]["invoice_number"] == f"INV-{first_number + 1:04d}"


def test_bad_input_and_other_users(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    too_long = generate(client, owner_headers, raw_input="x" * 2001, business_id=business_id)
    assert_error(too_long, 422, "validation_error")
    just_fits = generate(
        client,
        owner_headers,
        raw_input=("Invoice for Om Stores, 2 bags cement @ 350 " + " " * 2000)[:2000],
        business_id=business_id,
    )
    assert just_fits.status_code == 200
    controls = generate(
        client,
        owner_headers,
        raw_input="Invoice for Om Stores,\x00 2 bags\x1b cement @ 350",
        business_id=business_id,
    )
    assert controls.status_code == 200 and controls.json()["invoice_data"]["items"]
    stranger = {"Authorization": f"Bearer {mint_token(SECRET, OTHER_USER)}"}
    theirs = generate(
        client, stranger, raw_input="Invoice for X, 1 fan at 100", business_id=business_id
    )
    assert_error(theirs, 404, "not_found")
    assert_error(
        generate(client, {}, raw_input="x", business_id=business_id), 401, "unauthenticated"
    )
    assert_error(
        generate(client, owner_headers, raw_input="x", business_id="current_business_id"),
        422,
        "validation_error",
    )


def test_unparseable_requests_say_what_is_missing(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    body = generate(
        client, owner_headers, raw_input="What is the GST rate on cement?", business_id=business_id
    ).json()
    assert body["success"] is False and body["errors"] and body["suggestions"]


def test_legacy_endpoints_answer_without_a_token_or_tenant_data(make_client: ClientFactory) -> None:
    model = local(INVOICE, invoice_drafter())
    client = make_client(invoice=model)
    nitiayog = (
        "Create invoice for Nitiayog Textiles for 8 drums for 5000 rupees each with 8% discount"
    )
    response = client.post(
        "/api/nlp/process-invoice", json={"text": nitiayog, "business_id": "current_business_id"}
    )
    assert response.status_code == 200
    data = response.json()["invoice_data"]
    assert response.json()["success"] is True and data["customer_name"] == "Nitiayog Textiles"
    assert [(i["description"], i["quantity"], i["unit_price"]) for i in data["items"]] == [
        ("Drums", 8.0, 5000.0)
    ]
    totals = [data[k] for k in ("subtotal", "discount_amount", "tax_amount", "total_amount")]
    assert totals == [40000.0, 3200.0, 6624.0, 43424.0]  # 18% GST after the discount
    parsed = client.post(
        "/api/v1/nlp/parse-invoice",
        json={
            "text": "Bill Om Stores: 2 bags cement @ 350, UPI",
            "business_id": "current_business_id",
        },
    ).json()
    assert parsed["invoice_data"]["customer"]["name"] == "Om Stores"
    assert parsed["invoice_data"]["items"][0]["total_price"] == 700.0
    assert all(
        not use and catalogue.customers == () for _, _, catalogue, use in model.args_of("draft")
    )
    assert_error(
        client.post("/api/nlp/process-invoice", json={"text": "x" * 2001}), 422, "validation_error"
    )


def _parses_allowed(client: TestClient, forwarded_for: str, count: int) -> list[int]:
    return [
        client.post(
            "/api/nlp/process-invoice",
            json={"text": "Bill Om Stores: 1 fan at 900"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(count)
    ]


def test_behind_a_trusted_proxy_the_limit_is_per_forwarded_client(
    make_client: ClientFactory,
) -> None:
    # The load balancer (10.0.0.7) appends the caller's address; Ray's HAProxy passes it on.
    client = make_client(peer="10.0.0.7", TRUSTED_PROXIES="10.0.0.0/24")
    assert _parses_allowed(client, "203.0.113.5", 31)[-1] == 429
    # Another caller has its own budget, and a caller cannot pick one by prepending an address.
    assert _parses_allowed(client, "198.51.100.9", 1) == [200]
    assert _parses_allowed(client, "198.51.100.77, 203.0.113.5", 1) == [429]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_client: ClientFactory) -> None:
    client = make_client(peer="192.0.2.44", TRUSTED_PROXIES="10.0.0.0/24")
    statuses = [
        _parses_allowed(client, f"203.0.113.{n}", 1)[0] for n in range(31)
    ]  # a new forwarded address each time: still one client, the peer
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_legacy_endpoints_are_rate_limited_per_client(make_client: ClientFactory) -> None:
    client = make_client()
    answers = [
        client.post(
            "/api/nlp/process-invoice", json={"text": "Bill Om Stores: 1 fan at 900"}
        ).status_code
        for _ in range(31)
    ]
    assert answers[:30] == [200] * 30
    limited = client.post("/api/nlp/process-invoice", json={"text": "Bill Om: 1 fan at 900"})
    assert_error(limited, 429, "rate_limited")
    retry = json.loads(limited.text)["details"]["retry_after_s"]
    assert retry >= 1 and limited.headers["Retry-After"] == str(retry)


def test_a_new_item_takes_its_rate_from_the_gst_table_not_the_default_slab(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    name = a_customer()
    body = generate(
        client,
        owner_headers,
        raw_input=f"Bill {name}: 5 kg kaju at 900 per kg and 2 umbrellas at 300",
        business_id=business_id,
    ).json()
    rates = {item["name"].lower(): item["tax_rate"] for item in body["invoice_data"]["items"]}
    assert rates.get("kaju") == 5.0, rates  # cashew: 5%, N1/2017-CT(Rate)
    assert [r for n, r in rates.items() if "umbrella" in n] == [18.0]  # not in the table
    assert any("N1/2017-CT(Rate)" in s for s in body["suggestions"]), body["suggestions"]
    assert body["invoice_data"]["tax_amount"] == 225.0 + 108.0


def test_without_the_compliance_model_a_new_item_keeps_the_default_slab(
    make_client: ClientFactory, business_id: str, owner_headers: dict[str, str]
) -> None:
    for client in (
        make_client(COMPLIANCE_CHECKING_ENABLED="false"),
        make_client(compliance=UnavailableModel("compliance")),  # type: ignore[arg-type]
    ):
        response = generate(
            client, owner_headers, raw_input="Bill Ravi: 5 kg kaju at 900", business_id=business_id
        )
        assert response.status_code == 200 and response.json()["success"] is True
        [item] = response.json()["invoice_data"]["items"]
        assert item["tax_rate"] == 18.0


def test_legacy_endpoints_refuse_text_with_no_invoice_in_it(make_client: ClientFactory) -> None:
    """The app falls back to its local parser on any non-200: better than a made-up invoice
    with the gibberish as its customer."""
    client = make_client()
    for path in ("/api/nlp/process-invoice", "/api/v1/nlp/parse-invoice"):
        for said in ("asdf qwerty zxcv", "What is the GST rate on cement?"):
            response = client.post(path, json={"text": said, "business_id": "current_business_id"})
            assert_error(response, 422, "not_an_invoice")
            assert "No items found in the text" in response.json()["details"]["errors"]


def drafts_numbered(client: TestClient, business_id: str) -> list[str]:
    async def numbers() -> list[str]:
        engine = client.components.store.engine  # type: ignore[attr-defined]
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT invoice_number FROM invoices WHERE business_id = :b"
                    " AND status = 'draft' ORDER BY invoice_number"
                ),
                {"b": business_id},
            )
            return [str(r[0]) for r in rows]

    return client.portal.call(numbers)  # type: ignore[union-attr,no-any-return]


def saved(text: str, business_id: str) -> dict[str, object]:
    return {"raw_input": text, "business_id": business_id, "save_draft": True}


def test_a_retried_save_answers_with_the_first_draft_and_saves_no_second(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    before = drafts_numbered(client, business_id)
    body = saved("Invoice for Verma Hardware, 6 taps at 420, due in 15 days", business_id)
    first, retry = (generate(client, owner_headers, **body).json() for _ in range(2))
    assert first["invoice_id"] and retry == first
    assert len(drafts_numbered(client, business_id)) == len(before) + 1


def test_an_idempotency_key_names_one_write(
    client: TestClient, business_id: str, owner_headers: dict[str, str]
) -> None:
    before = drafts_numbered(client, business_id)
    body = saved("Invoice for Verma Hardware, 2 geysers at 6,800", business_id)

    def send(key: str):  # type: ignore[no-untyped-def]
        headers = {**owner_headers, "Idempotency-Key": key}
        return client.post("/api/v1/invoice/generate", json=body, headers=headers)

    first, again = send("order-7f3a").json(), send("order-7f3a").json()
    other = send("order-91c2").json()  # the same text, meant twice: a second draft
    assert again["invoice_id"] == first["invoice_id"] != other["invoice_id"]
    assert first["invoice_data"]["invoice_number"] != other["invoice_data"]["invoice_number"]
    assert len(drafts_numbered(client, business_id)) == len(before) + 2
    for bad in ("", "x" * 201, "tab\there", b"caf\xe9"):
        headers = {**owner_headers, "Idempotency-Key": bad}
        response = client.post("/api/v1/invoice/generate", json=body, headers=headers)
        assert_error(response, 422, "validation_error")


def test_a_draft_saved_while_the_audit_write_fails_is_still_answered(
    client: TestClient, business_id: str, owner_headers: dict[str, str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The draft commits, then its audit row cannot be written: the answer is still 200 (a 503
    would make the client retry), the row waits in the audit outbox."""
    from serve_app.contract.errors import DatabaseUnavailable
    from serve_app.infra.outbox import Outbox

    parts = client.components  # type: ignore[attr-defined]

    async def down(records: object) -> None:
        raise DatabaseUnavailable("sqlite: OperationalError")

    monkeypatch.setattr(parts.store, "record_analyses", down)
    before = drafts_numbered(client, business_id)
    response = generate(
        client, owner_headers, raw_input="Invoice for Verma Hardware, 3 mixers at 2,100",
        business_id=business_id, save_draft=True,
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["invoice_id"]
    assert len(drafts_numbered(client, business_id)) == len(before) + 1
    outbox = Outbox(parts.settings.outbox_dir)
    assert client.portal.call(outbox.size) == 1  # type: ignore[union-attr]
    monkeypatch.undo()  # the database takes rows again: the outbox is replayed
    client.portal.call(parts.auditor.resume)  # type: ignore[union-attr]
    for _ in range(200):
        if client.portal.call(outbox.size) == 0:  # type: ignore[union-attr]
            break
        time.sleep(0.01)
    assert client.portal.call(outbox.size) == 0  # type: ignore[union-attr]
