"""What one request can cost: every route that reaches a model answers any input it accepts
(below 500; a 4xx in the error shape), and the work the model counted (kernel/work.py: the
checkpoints of its loops, in characters, triples, tokens, items and pixels) stays within a
fixed multiple of the input's size. Counted, not clocked: the same input counts the same on any
machine. The inputs are the adversarial ones of testkit/adversarial.py; the bound of each
path, and its reasoning, is in its module's docstring and docs/security.md ("What one request
can cost")."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from deployments.hosting.local import LocalModel
from deployments.ocr.cleanup import MAX_WORK_PIXELS
from kernel.models.assistant import ASSISTANT
from kernel.models.compliance import COMPLIANCE
from kernel.models.invoice import INVOICE
from kernel.models.ocr import OCR
from testkit.adversarial import WORST_PHOTOS, photos, texts
from testkit.factories import (
    assistant_predictor,
    compliance_checker,
    invoice_drafter,
    ocr_predictor,
)
from testkit.fakes import local
from tests.app.conftest import UNLIMITED, ClientFactory

TEXT_UNITS_PER_CHAR = 25
"""Work per character of a text, at most: one pass over its lines (counted as sent, before
normalisation lengthens them) and, on a row of numbers, the triples tried (220 at most a row, a
row of twelve numbers being 23 characters or more, tried for the row and again as the line above
the next: 20 a character); a token tagged (up to four for a character normalisation lengthens,
1,000 at most); a draft's line matched against the business's products (10 in the demo
business, an item being three characters or more)."""
TEXT_UNITS_FIXED = 100
"""And whatever the text: the checkpoints of fixed work (the assistant's pass, an empty
draft's)."""
COST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Models:
    """The real predictors in-process, as the app tier runs them, with what each call counted."""

    def __init__(self) -> None:
        self.invoice = local(INVOICE, invoice_drafter())
        self.compliance = local(COMPLIANCE, compliance_checker())
        self.assistant = local(ASSISTANT, assistant_predictor())
        self.ocr = local(OCR, ocr_predictor())
        self.all: list[LocalModel[Any]] = [self.invoice, self.compliance, self.assistant, self.ocr]

    def spent(self) -> int:
        """The work every call since the last look counted, and forget it."""
        total = sum(sum(model.spent) for model in self.all)
        for model in self.all:
            model.spent.clear()
        return total


@pytest.fixture
def models() -> Models:
    return Models()


@pytest.fixture
def served(make_client: ClientFactory, models: Models) -> TestClient:
    return make_client(
        invoice=models.invoice,
        compliance=models.compliance,
        assistant=models.assistant,
        ocr=models.ocr,
        **UNLIMITED,
    )


def answered(response: httpx.Response) -> dict[str, Any]:
    """Any accepted input is answered: a 2xx, or a 4xx in the one error shape; never a 5xx."""
    assert response.status_code < 500, response.text[:500]
    body: dict[str, Any] = response.json()
    if response.status_code >= 400:
        assert isinstance(body["message"], str) and isinstance(body["code"], str)
        assert "details" in body
    return body


def costs_linear_work(
    served: TestClient,
    models: Models,
    path: str,
    text: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> None:
    """`body` (carrying `text`) at `path` is answered, and the work counted is linear in it."""
    models.spent()
    answered(served.post(path, json=body, headers=headers))
    units = models.spent()
    assert units <= TEXT_UNITS_PER_CHAR * len(text) + TEXT_UNITS_FIXED, (units, len(text))


@pytest.mark.parametrize(
    ("path", "limit"), [("/api/v1/nlp/parse-invoice", 10_000), ("/api/nlp/process-invoice", 2_000)]
)
@COST
@given(data=st.data())
def test_the_public_parsers_read_any_text_they_take_in_linear_work(
    served: TestClient, models: Models, path: str, limit: int, data: st.DataObject
) -> None:
    """OCR step 2 (a printed bill's text, 10,000 characters) and the NLP screen (2,000)."""
    text = data.draw(texts(limit))
    costs_linear_work(served, models, path, text, {"text": text})


@COST
@given(text=texts(2_000), save=st.booleans())
def test_an_invoice_from_any_sentence_costs_linear_work(
    served: TestClient,
    models: Models,
    owner_headers: dict[str, str],
    business_id: str,
    text: str,
    save: bool,
) -> None:
    body = {"raw_input": text, "business_id": business_id, "save_draft": save}
    costs_linear_work(served, models, "/api/v1/invoice/generate", text, body, owner_headers)


@COST
@given(text=texts(4_000), bill=st.booleans())
def test_the_chat_answers_any_message_in_linear_work(
    served: TestClient,
    models: Models,
    owner_headers: dict[str, str],
    business_id: str,
    text: str,
    bill: bool,
) -> None:
    """A message read as asking for a bill is drafted too (or refused past 2,000 characters)."""
    prompt = ("make a bill for Sharma ji: " + text)[:4000] if bill else text
    body = {"prompt": prompt, "context": {"business_id": business_id}}
    costs_linear_work(served, models, "/api/v1/generate/text", prompt, body, owner_headers)


ITEM_NAMES = st.one_of(texts(200), st.sampled_from(["cement", "Urea 45kg", "basmati rice"]))


@COST
@given(
    names=st.lists(ITEM_NAMES, min_size=1, max_size=500),
    hsn=st.sampled_from([None, "1006", "2523", "87", "99999999"]),
)
def test_an_invoice_of_any_items_is_checked_in_work_linear_in_its_items(
    served: TestClient,
    models: Models,
    owner_headers: dict[str, str],
    names: list[str],
    hsn: str | None,
) -> None:
    items = [
        {"name": n, "hsn_code": hsn, "quantity": 1, "unit_price": 10, "tax_rate": 18} for n in names
    ]
    body = {"invoice_number": "INV-1", "invoice_date": "2026-01-05", "items": items}
    models.spent()
    answered(served.post("/api/v1/compliance/validate", json=body, headers=owner_headers))
    assert models.spent() <= 2 * len(items)


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(photo=photos())
@example(photo=WORST_PHOTOS[0])
@example(photo=WORST_PHOTOS[1])
@example(photo=WORST_PHOTOS[2])
def test_any_photo_the_scanner_takes_is_read_in_work_linear_in_its_pixels_and_capped(
    served: TestClient, models: Models, photo: tuple[bytes, int, str]
) -> None:
    """Each stage counts the pixels it works on: the decoded photo; the grey page, enlarged
    at most 2x2 for small print (counted three times: it, and its ink twice); the page
    straightened, with room for its corners (at most 5.3 times as many pixels as before, for a
    1:25 page turned 10 degrees), its ink, and what Tesseract reads. None is over
    MAX_WORK_PIXELS, however tall, narrow, large or small the photo."""
    data, pixels, _ = photo
    models.spent()
    body = {"image": base64.b64encode(data).decode(), "format": "base64"}
    answered(served.post("/api/v1/ocr/extract-text", json=body))
    grey, straight = min(4 * pixels, MAX_WORK_PIXELS), min(22 * pixels, MAX_WORK_PIXELS)
    assert models.spent() <= pixels + 3 * grey + 3 * straight
