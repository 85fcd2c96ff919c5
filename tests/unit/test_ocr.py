"""The OCR replica's plain parts: decoding (refusals), cleanup (straightening, ruled lines),
Tesseract through its program, lines with their column gaps, and the artifact's pin."""

from __future__ import annotations

import asyncio
import dataclasses

import numpy as np
import psutil
import pytest
from PIL import Image, ImageDraw

from deployments.hosting.artifacts import ArtifactError
from deployments.ocr import engine
from deployments.ocr.cleanup import MAX_WORK_PIXELS, BadImage, clean, decode, skew_angle
from deployments.ocr.predictor import OcrPredictor
from kernel import work
from kernel.models.ocr import OcrTuning
from testkit.factories import ocr_models, ocr_predictor
from testkit.images import BILL, encoded, page, pixel_bomb
from tests.support.config import tuning


def test_a_photo_is_read_line_by_line_with_its_columns_apart() -> None:
    result = ocr_predictor().read(encoded(page(BILL, angle=3.0), quality=70))
    assert result.refused is None
    assert [line.text for line in result.lines] == BILL
    assert result.angle == pytest.approx(-3.0, abs=0.3)
    assert all(0 <= line.confidence <= 100 for line in result.lines)


@pytest.mark.parametrize("angle", [-7.0, -2.5, 0.0, 4.0, 9.0])
def test_the_skew_is_measured_from_the_text_lines(angle: float) -> None:
    image = page(BILL, angle=angle)
    ink = np.asarray(image) < 128
    assert skew_angle(ink) == pytest.approx(-angle, abs=0.3)


def test_ruled_lines_are_taken_out_and_the_row_under_them_kept() -> None:
    image = page(BILL, rule_under=3)
    cleaned = np.asarray(clean(image).page)
    dark_runs = (cleaned < 128).sum(axis=1)
    assert dark_runs.max() < image.width * 0.5  # no row of the page is a line of ink any more
    lines = [line.text for line in ocr_predictor().read(encoded(image)).lines]
    assert "Cement Bag  10  385.00  3,850.00" in lines


@pytest.mark.parametrize("run", [1, 5, 40, 130, 300])
def test_horizontal_runs_are_scipys_opening_by_a_line(run: int) -> None:
    from scipy import ndimage

    from deployments.ocr.cleanup import _horizontal_runs

    ink = np.random.default_rng(run).random((120, 300)) < 0.85
    ink[7, :] = True  # a rule from edge to edge
    ink[60, 250:] = False
    expected = ndimage.binary_opening(ink, structure=np.ones((1, run), bool))
    assert (_horizontal_runs(ink, run) == expected).all()


def test_the_lighting_is_evened_out_and_the_table_around_the_page_dropped() -> None:
    sheet = page(BILL)
    photo = Image.new("L", (sheet.width + 300, sheet.height + 300), 140)
    photo.paste(sheet, (150, 150))
    shade = np.linspace(0.5, 1.0, photo.width, dtype=np.float32)[None, :]
    dim = Image.fromarray((np.asarray(photo, np.float32) * shade).astype(np.uint8))
    cleaned = np.asarray(clean(dim).page)
    assert np.median(cleaned[:60]) == 255  # the table above the page: white, not grey
    assert [line.text for line in ocr_predictor().read(encoded(dim)).lines] == BILL


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"just some text, not an image", "not a JPEG, PNG or WebP"),
        (b"GIF89a" + b"\0" * 64, "not a JPEG, PNG or WebP"),
        (pixel_bomb(), "at most 25,000,000 are read"),
        (encoded(page(BILL))[:400], "damaged"),
        (encoded(Image.new("L", (8, 8), 255), "PNG"), "too small"),
    ],
    ids=["text", "gif", "pixel-bomb", "truncated", "tiny"],
)
def test_what_is_not_a_readable_photo_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    result = ocr_predictor().read(data)
    assert result.lines == []
    assert result.refused is not None and reason in result.refused


def test_a_pixel_bomb_is_refused_from_its_header_before_decoding() -> None:
    with pytest.raises(BadImage, match="6000x6000 pixels; at most 25,000,000"):
        decode(pixel_bomb(6000, 6000), max_pixels=25_000_000)


def test_an_exif_turned_photo_is_read_upright() -> None:
    image = page(BILL).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # "turn 90 degrees clockwise to view"
    import io

    out = io.BytesIO()
    image.rotate(90, expand=True).save(out, format="JPEG", quality=90, exif=exif.tobytes())
    assert [line.text for line in ocr_predictor().read(out.getvalue()).lines] == BILL


def test_tesseract_past_its_time_is_stopped() -> None:
    with pytest.raises(engine.EngineError, match="ran past"):
        engine.recognise(page(BILL * 6), "eng+hin", 6, timeout_s=0.01)


def test_words_far_apart_are_columns_and_neighbours_are_one_phrase() -> None:
    def word(left: int, text: str) -> engine.Word:
        return engine.Word((1, 1, 1), left, 10, 10 * len(text), 20, 95.0, text)

    row = [word(0, "Cement"), word(70, "Bag"), word(200, "10"), word(260, "385.00")]
    assert engine.lines(row) == [("Cement Bag  10  385.00", 95.0)]


def test_an_artifact_for_another_tesseract_is_refused() -> None:
    models = ocr_models()
    other = dataclasses.replace(models, engine={**models.engine, "hin.traineddata": "0" * 64})
    with pytest.raises(ArtifactError, match=r"hin\.traineddata"):
        OcrPredictor(other, tuning(OcrTuning, model_version="v1"))


def test_the_artifact_pins_the_installed_engine() -> None:
    pinned = ocr_models().engine
    assert pinned["tesseract"].startswith("5.")
    assert set(pinned) == {"tesseract", "eng.traineddata", "hin.traineddata"}


def _tesseracts() -> list[psutil.Process]:
    return [c for c in psutil.Process().children() if c.name() == "tesseract"]


async def test_a_reading_whose_caller_gave_up_kills_tesseract() -> None:
    """The request was cancelled (the client left, or its budget ran out): Tesseract is killed
    at once, not left reading a photo no one waits for."""
    budget = work.Budget(60.0)
    call = asyncio.ensure_future(
        work.run_in_thread(budget, engine.recognise, page(BILL * 30), "eng+hin", 6, 60.0)
    )
    for _ in range(1000):
        if _tesseracts():
            break
        await asyncio.sleep(0.01)
    assert _tesseracts(), "tesseract never started"
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    for _ in range(1000):
        if not _tesseracts():
            break
        await asyncio.sleep(0.01)
    assert _tesseracts() == [] and budget.cancelled


def test_a_photo_that_takes_longer_than_its_time_to_read_is_refused_with_the_reason() -> None:
    slow = ocr_predictor().tuning.model_copy(update={"timeout_s": 0.01})
    predictor = OcrPredictor(ocr_models(), slow)
    result = predictor.read(encoded(page(BILL * 6)))
    assert result.lines == []
    assert result.refused is not None and "took longer than 0.01 s" in result.refused


@pytest.mark.parametrize(
    ("size", "kind", "reason"),
    [
        ((40, 1100), "PNG", "at most 25 times as long as it is wide"),
        ((1100, 40), "JPEG", "at most 25 times as long as it is wide"),
        ((3300, 2500), "WEBP", "at most 8,000,000 pixels are read from a WebP"),
    ],
)
def test_a_photo_too_long_for_its_width_or_a_webp_too_large_is_refused_from_its_header(
    size: tuple[int, int], kind: str, reason: str
) -> None:
    with pytest.raises(BadImage, match=reason):
        decode(encoded(Image.new("L", size, 255), kind), max_pixels=25_000_000)


def test_a_large_jpeg_is_decoded_at_a_fraction_of_its_size() -> None:
    decoded = decode(encoded(Image.new("L", (6000, 4000), 255)), max_pixels=25_000_000)
    assert decoded.size == (3000, 2000)


@pytest.mark.parametrize("size", [(300, 7400), (7400, 300), (5000, 5000), (2000, 2900)])
def test_no_image_the_cleanup_makes_has_more_than_its_pixel_cap(size: tuple[int, int]) -> None:
    """Small print is enlarged 2x2 and a turned page straightened with room for its corners:
    each of those is held to MAX_WORK_PIXELS (a 300x7400 photo, enlarged, was 8.9 million)."""
    photo = Image.new("L", size, 255)
    ImageDraw.Draw(photo).line([(0, 0), (size[0], size[1] // 40)], fill=0, width=8)
    with work.installed(work.Budget(60.0)) as budget:
        cleaned = clean(photo)
    assert cleaned.page.width * cleaned.page.height <= MAX_WORK_PIXELS
    assert budget.spent <= 6 * MAX_WORK_PIXELS
