"""POST /api/v1/ocr/extract-text, the OCR Invoice Scanner's first step, with the real cleanup
and Tesseract in-process; then its second step, /api/v1/nlp/parse-invoice, on what it read."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from deployments.hosting.local import LocalModel
from kernel.models import ocr
from kernel.models.ocr import OcrModel, OcrResult
from serve_app.infra.telemetry import InProcessTelemetry
from testkit.factories import ocr_predictor
from testkit.images import BILL, encoded, page, pixel_bomb
from tests.app.conftest import ClientFactory
from tests.support.contract import assert_error

OCR = "/api/v1/ocr/extract-text"


def photo(**kwargs: object) -> str:
    return base64.b64encode(encoded(page(BILL, angle=2.0), **kwargs)).decode()  # type: ignore[arg-type]


def test_a_photo_gives_its_text_without_a_token(client: TestClient) -> None:
    answer = client.post(OCR, json={"image": photo(), "format": "base64"})
    assert answer.status_code == 200
    assert answer.json() == {"success": True, "extracted_text": "\n".join(BILL)}


def test_the_text_read_parses_into_the_invoice_form(client: TestClient) -> None:
    text = client.post(OCR, json={"image": photo(), "format": "base64"}).json()["extracted_text"]
    parsed = client.post(
        "/api/v1/nlp/parse-invoice", json={"text": text, "business_id": "current_business_id"}
    )
    assert parsed.status_code == 200
    data = parsed.json()["invoice_data"]
    assert data["customer"]["name"] == "Naveen Constructions"
    assert data["invoice_number"] == "SH/0917"
    assert data["date"] == "2026-03-14"
    assert data["due_date"] == "2026-04-13"
    assert [
        (i["name"], i["quantity"], i["unit_price"], i["total_price"]) for i in data["items"]
    ] == [("Cement Bag", 10.0, 385.0, 3850.0)]
    assert data["total_amount"] == 3850.0 and isinstance(data["total_amount"], float)
    assert (data["subtotal"], data["tax_amount"]) == (3850.0, 0.0)  # the bill adds no tax


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("not base64 at all!", "not valid base64"),
        (base64.b64encode(b"%PDF-1.7 a pdf, not a photo").decode(), "not a JPEG, PNG or WebP"),
        (base64.b64encode(pixel_bomb()).decode(), "pixels; at most"),
        (base64.b64encode(pixel_bomb(6000, 6000)).decode(), "6000x6000 pixels"),
        (base64.b64encode(encoded(page(BILL))[:500]).decode(), "damaged"),
        ("====", "not valid base64"),
    ],
    ids=["bad-base64", "pdf", "bomb", "over-the-pixel-limit", "truncated", "padding-only"],
)
def test_what_cannot_be_read_is_a_422_naming_the_image(
    client: TestClient, image: str, reason: str
) -> None:
    answer = client.post(OCR, json={"image": image, "format": "base64"})
    assert_error(answer, 422, "invalid_image")
    body = answer.json()
    assert body["details"]["field"] == "image" and reason in body["details"]["reason"]


@pytest.mark.parametrize(
    "body",
    [{}, {"image": ""}, {"image": 42}, {"image": photo(), "format": "url"}, ["image"]],
    ids=["missing", "empty", "number", "other-format", "not-an-object"],
)
def test_a_malformed_request_is_a_4xx_in_the_error_shape(client: TestClient, body: object) -> None:
    answer = client.post(OCR, json=body)
    assert answer.status_code in (400, 422)
    assert {"message", "code", "details"} <= set(answer.json())


def test_a_base64_image_with_a_data_url_prefix_and_line_breaks_is_read(client: TestClient) -> None:
    data = photo()
    wrapped = "data:image/jpeg;base64," + "\n".join(
        data[i : i + 76] for i in range(0, len(data), 76)
    )
    answer = client.post(OCR, json={"image": wrapped, "format": "base64"})
    assert answer.status_code == 200 and answer.json()["extracted_text"] == "\n".join(BILL)


def test_the_body_cap_fits_the_clients_photos_and_no_more(client: TestClient) -> None:
    big = page(BILL * 3, width=1920)  # a lossless PNG: well over the 1 MB other routes take
    image = base64.b64encode(encoded(big, "PNG")).decode()
    noisy = image + "A" * (1_200_000 - len(image)) if len(image) < 1_200_000 else image
    assert len(noisy) > 1_000_000
    answer = client.post(OCR, json={"image": noisy, "format": "base64"})
    assert answer.status_code != 413  # read, or refused as an image: not refused for its size
    elsewhere = client.post("/api/v1/nlp/parse-invoice", json={"text": noisy})
    assert_error(elsewhere, 413, "payload_too_large")
    huge = client.post(OCR, json={"image": "A" * 8_300_000, "format": "base64"})
    assert_error(huge, 413, "payload_too_large")


def test_photos_are_rate_limited_per_client_address(make_client: ClientFactory) -> None:
    client = make_client(RATE_LIMIT_OCR_PER_ADDRESS="2")
    body = {"image": base64.b64encode(b"x").decode(), "format": "base64"}
    statuses = [client.post(OCR, json=body).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    other = make_client(RATE_LIMIT_OCR_PER_ADDRESS="2", peer="10.0.0.9")
    assert other.post(OCR, json=body).status_code == 422  # another address, its own budget


def test_neither_the_image_nor_its_text_is_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    image = photo()
    with caplog.at_level(logging.DEBUG):
        assert client.post(OCR, json={"image": image, "format": "base64"}).status_code == 200
        client.post(OCR, json={"image": "not base64!", "format": "base64"})
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Naveen" not in logged and "SH/0917" not in logged and image[:40] not in logged


def test_ocr_counts_are_exported_by_outcome(make_client: ClientFactory) -> None:
    telemetry = InProcessTelemetry()
    client = make_client(telemetry=telemetry)
    client.post(OCR, json={"image": photo(), "format": "base64"})
    blank = base64.b64encode(encoded(page([""]), "PNG")).decode()
    nothing = client.post(OCR, json={"image": blank, "format": "base64"})
    assert_error(nothing, 422, "no_text_found")  # the app says "Failed to extract text"
    assert nothing.json()["details"]["field"] == "image"
    client.post(OCR, json={"image": base64.b64encode(b"text").decode(), "format": "base64"})
    assert telemetry.events == {
        ("ocr_images", "read"): 1,
        ("ocr_images", "blank"): 1,
        ("ocr_images", "refused"): 1,
    }


class HeldOcrModel(LocalModel[OcrModel]):
    """Reads only once released: a photo that stays in flight."""

    def __init__(self) -> None:
        super().__init__(ocr.OCR, ocr_predictor())
        self.entered, self.released = threading.Event(), threading.Event()

    async def read(self, image: bytes) -> OcrResult:
        self.entered.set()
        while not self.released.is_set():
            await asyncio.sleep(0.01)
        result: OcrResult = await self.call("read", image)
        return result


def test_photos_past_the_routes_in_flight_cap_are_503_at_once_and_other_routes_go_on(
    make_client: ClientFactory,
) -> None:
    """A photo is a megabyte to read and a second of CPU: past OCR_MAX_IN_FLIGHT a replica
    refuses more before reading them, while every other route is served as usual."""
    model = HeldOcrModel()
    client = make_client(ocr=model, OCR_MAX_IN_FLIGHT="1")
    body = {"image": photo(), "format": "base64"}
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.post, OCR, json=body)
        assert model.entered.wait(10)
        busy = client.post(OCR, json=body)
        sentence = client.post("/api/v1/nlp/parse-invoice", json={"text": "\n".join(BILL)})
        model.released.set()
        assert first.result(30).status_code == 200
    assert_error(busy, 503, "overloaded")
    assert busy.headers["Retry-After"] == "5"
    assert sentence.status_code == 200
    assert model.counts["read"] == 1  # the refused photo never reached the model
    assert client.post(OCR, json=body).status_code == 200  # the slot is free again
