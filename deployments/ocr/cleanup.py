"""Phone photo -> a page Tesseract reads well. Plain functions over Pillow and numpy, no Ray.

decode() refuses what is not an image, an image too large in bytes or pixels or too long for its
width (a decompression bomb is refused from its header, before its pixels are decoded), and
anything Pillow cannot read; clean() makes it grey, evens out the light, straightens it and
thresholds it.

Worst case: every image made here, after every resize (the enlargement of small print, the
rotation that straightens the page), has at most MAX_WORK_PIXELS; each stage is linear in them
(the skew search on a copy of at most SKEW_PIXELS, 42 passes over its ink). A photo's header may
claim up to `max_pixels` (25 million in config/serve.yaml): a JPEG that large is decoded at
1/2, 1/4 or 1/8 scale straight into grey (Pillow's draft mode); a PNG is decoded whole (4 bytes
a pixel, 100 MB at most) and shrunk at once; a WebP, decoded through 15 bytes a pixel, may have
at most WEBP_MAX_PIXELS. Each stage counts its pixels at a
checkpoint (kernel/work.py), where a cancelled call stops.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from scipy import ndimage

from kernel.work import checkpoint

FORMATS = ("JPEG", "PNG", "WEBP")
"""What the client's image picker produces (JPEG) and what a scanner app might (PNG, WebP)."""
MAX_WORK_PIXELS = 6_000_000
"""The most pixels of any image the cleanup makes, and so of the page Tesseract reads: a
1080x1920 portrait photo, enlarged to 1600 wide for small print, is 4.6 million; a larger photo
is shrunk to this, which still leaves a printed line 30 pixels high or more."""
MAX_ASPECT = 25
"""A photo at most this many times as long as it is wide (a long till receipt is about 1:10).
Longer, its straightened page would be mostly margin, and Tesseract refuses a side over 32,767
pixels."""
WEBP_MAX_PIXELS = 8_000_000
"""Pillow decodes a WebP whole through buffers of about 15 bytes a pixel (a JPEG can be decoded
at a fraction of its size, a PNG takes 4 bytes a pixel at most): a larger WebP (over an
8-megapixel camera's) is refused from its header, which keeps its decoding near 120 MB."""
ROWS_AT_ONCE = 128
"""Rows of a page whose ruled lines are looked for at once (_horizontal_runs)."""
SKEW_PIXELS = 2_000_000
"""The skew is searched on a copy at most 800 pixels wide and of at most this many pixels (an
A4 page at 800 wide is 0.9 million; only a page over 1:3 is shrunk further)."""


class BadImage(ValueError):
    """The bytes are not an image this service reads; the message says why, for the caller."""


@dataclass(frozen=True)
class Cleaned:
    page: Image.Image
    """Greyscale (mode L), straightened, ruled lines removed, thresholded when asked."""
    angle: float
    """Degrees the photo was turned back by (positive: counter-clockwise)."""
    width: int
    height: int
    """Of the photo as sent."""


def decode(data: bytes, max_pixels: int) -> Image.Image:
    """The image in `data`, EXIF orientation applied. BadImage for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > max_pixels:  # from the header: nothing decoded yet
                raise BadImage(
                    f"the image is {width}x{height} pixels; at most {max_pixels:,} are read"
                )
            if min(width, height) < 16:
                raise BadImage(f"the image is {width}x{height} pixels; too small to read")
            if image.format == "WEBP" and width * height > WEBP_MAX_PIXELS:
                raise BadImage(
                    f"the image is a {width}x{height} pixel WebP; at most "
                    f"{WEBP_MAX_PIXELS:,} pixels are read from a WebP"
                )
            if max(width, height) > MAX_ASPECT * min(width, height):
                raise BadImage(
                    f"the image is {width}x{height} pixels; a photo of a bill is at most "
                    f"{MAX_ASPECT} times as long as it is wide"
                )
            if width * height > MAX_WORK_PIXELS:  # a JPEG decodes at 1/2, 1/4 or 1/8 scale
                scale = math.sqrt(MAX_WORK_PIXELS / (width * height))
                image.draft("L", (int(width * scale), int(height * scale)))
            image.load()
            checkpoint(image.width * image.height)
            return ImageOps.exif_transpose(image)
    except BadImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, from the header too, past its limit (89 million pixels)
        raise BadImage(
            f"the image has over {Image.MAX_IMAGE_PIXELS:,} pixels; at most {max_pixels:,} are read"
        ) from None
    except UnidentifiedImageError:
        raise BadImage("not a JPEG, PNG or WebP image this service can read") from None
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt data
        raise BadImage(f"the image data is damaged ({type(exc).__name__})") from None


def _even_light(grey: Image.Image) -> np.ndarray:
    """Divides out the page's lighting: the background is estimated on a small copy (the
    brightest pixel near each point, smoothed), so a shadow across the page stops mattering."""
    small = grey.reduce(8) if min(grey.size) >= 64 else grey
    background = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(4))
    light = np.asarray(background.resize(grey.size, Image.Resampling.BILINEAR), np.float32)
    pixels = np.array(grey, np.float32)
    pixels /= np.maximum(light, 1.0, out=light)  # in place: one page of floats at a time
    pixels *= 255.0
    return np.clip(pixels, 0, 255, out=pixels)


def _off_page(grey: Image.Image) -> np.ndarray:
    """Where the photo shows the table around the page: smooth regions reaching the photo's
    border, widened a little to take the page's edge with them (on a copy an eighth the size).
    A photo filled by the page has none; an answer covering most of the photo is ignored."""
    small = np.asarray(grey.reduce(8) if min(grey.size) >= 64 else grey, np.float32)
    rows, cols = np.gradient(small)
    smooth = np.hypot(rows, cols) < 12.0
    labels, _ = ndimage.label(smooth)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    outside = np.isin(labels, border[border > 0])
    outside = ndimage.binary_dilation(outside, iterations=2)
    if outside.mean() > 0.85:
        outside[:] = False
    mask = Image.fromarray(outside.astype(np.uint8) * 255).resize(grey.size)
    return np.asarray(mask) > 127


def _otsu(pixels: np.ndarray) -> float:
    counts, _ = np.histogram(pixels, bins=256, range=(0, 256))
    total = counts.sum()
    levels = np.arange(256)
    weight = np.cumsum(counts)
    mean = np.cumsum(counts * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return float(np.argmax(between))


def skew_angle(ink: np.ndarray, limit: float = 10.0) -> float:
    """The rotation (for Image.rotate) that makes the text lines horizontal: the angle whose
    horizontal ink profile is sharpest (lines of text and gaps between them), searched coarse
    then fine on a copy at most 800 pixels wide and of at most SKEW_PIXELS. Each angle's
    profile is that of the ink sheared by it (for angles this small, a rotation's effect on
    which row a pixel falls in), counted from the ink pixels' coordinates rather than from a
    rotated image."""
    image = Image.fromarray((ink * 255).astype(np.uint8))
    shrink = _fitting(image.width, image.height, min(1.0, 800 / image.width), SKEW_PIXELS)
    if shrink < 1.0:
        image = image.resize(
            (max(1, round(image.width * shrink)), max(1, round(image.height * shrink)))
        )
    ys, columns = np.nonzero(np.asarray(image) > 127)
    if len(ys) == 0:
        return 0.0
    xs = columns - image.width / 2
    span = image.height + image.width

    def sharpness(angle: float) -> float:
        rows = np.round(ys - xs * np.tan(np.radians(angle))).astype(np.int64) + image.width
        profile = np.bincount(rows, minlength=span + image.width)
        return float(np.sum(np.diff(profile.astype(np.float64)) ** 2))

    coarse = max(np.arange(-limit, limit + 0.01, 1.0), key=sharpness)
    fine = max(np.arange(coarse - 1.0, coarse + 1.01, 0.1), key=sharpness)
    return round(float(fine), 1)


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    if factor == 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _fitting(width: int, height: int, factor: float, pixels: int) -> float:
    """`factor`, or less, so that width x height scaled by it has at most `pixels`: aiming 1%
    under, which rounding the sides and a rotation's corners never take up (they add at most
    2 x (width + height) pixels, 0.4% of MAX_WORK_PIXELS on a 1:25 page)."""
    return min(factor, math.sqrt(0.99 * pixels / (width * height)))


def clean(image: Image.Image, binarize: bool = False, min_width: int = 1600) -> Cleaned:
    width, height = image.size
    grey = image.convert("L")
    # small print is enlarged (Tesseract reads text about 30 px high best), a large photo shrunk
    grow = min(2.0, min_width / grey.width) if grey.width < min_width else 1.0
    grey = _scaled(grey, _fitting(grey.width, grey.height, grow, MAX_WORK_PIXELS))
    checkpoint(grey.width * grey.height)
    flat = _even_light(grey)
    flat[_off_page(grey)] = 255.0
    ink = flat < _otsu(flat)
    checkpoint(ink.size)
    angle = skew_angle(ink)
    checkpoint(ink.size)
    page = Image.fromarray(flat.astype(np.uint8))
    if angle:
        turned = _turned_size(page.width, page.height, angle)
        page = _scaled(page, _fitting(*turned, 1.0, MAX_WORK_PIXELS))
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        checkpoint(page.width * page.height)
    pixels = np.asarray(page).copy()
    ink = pixels < _otsu(pixels)
    pixels[_rules(ink)] = 255
    if binarize:
        pixels = np.where(ink & (pixels < 255), 0, 255).astype(np.uint8)
    checkpoint(pixels.size)
    return Cleaned(Image.fromarray(pixels), angle, width, height)


def _turned_size(width: int, height: int, angle: float) -> tuple[int, int]:
    """The size of a width x height image rotated by `angle` degrees with room for its
    corners (Image.rotate with expand=True)."""
    c, s = abs(np.cos(np.radians(angle))), abs(np.sin(np.radians(angle)))
    return int(np.ceil(width * c + height * s)), int(np.ceil(width * s + height * c))


def _rules(ink: np.ndarray) -> np.ndarray:
    """A table's ruled lines: ink running straight across a tenth of the page or more. Left in,
    Tesseract reads them as text or loses the row beside them."""
    run = min(max(40, ink.shape[1] // 10), ink.shape[1])
    lines = _horizontal_runs(ink, run)
    wide: np.ndarray = ndimage.binary_dilation(lines, structure=np.ones((5, 1), bool))
    return wide


def _horizontal_runs(ink: np.ndarray, run: int) -> np.ndarray:
    """The ink pixels that lie in a horizontal run of at least `run` (a morphological opening
    by a 1 x run line, as scipy's binary_opening gives), with running sums: linear in the
    pixels, where the opening is linear in pixels x run (0.3 s on a phone photo). Rows are
    independent: worked ROWS_AT_ONCE at a time, its sums take a few MB, not six page-sized
    arrays of integers."""
    covered = np.empty(ink.shape, bool)
    for top in range(0, ink.shape[0], ROWS_AT_ONCE):
        covered[top : top + ROWS_AT_ONCE] = _runs_in(ink[top : top + ROWS_AT_ONCE], run)
    return covered


def _runs_in(ink: np.ndarray, run: int) -> np.ndarray:
    height, width = ink.shape
    zero = np.zeros((height, 1), np.int32)
    ink_sums = np.concatenate([zero, np.cumsum(ink, axis=1, dtype=np.int32)], axis=1)
    starts = (ink_sums[:, run:] - ink_sums[:, :-run]) == run  # a full run begins here
    start_sums = np.concatenate([zero, np.cumsum(starts, axis=1, dtype=np.int32)], axis=1)
    x = np.arange(width)
    last = np.minimum(x, starts.shape[1] - 1) + 1
    first = np.minimum(np.maximum(x - run + 1, 0), last)
    covered: np.ndarray = (start_sums[:, last] - start_sums[:, first]) > 0
    return covered
